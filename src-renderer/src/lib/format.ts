/** "1 h 04 min", "3 min 20 s", "45 s"; '—' for unknown or infinite durations. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** Throughput with a sensible number of digits: "1,234 images/s", "12.5 images/s". */
export function formatRate(perSecond: number | null | undefined, unit = 'images/s'): string {
  if (perSecond == null || !Number.isFinite(perSecond)) return '—';
  const digits = perSecond >= 100 ? 0 : 1;
  return `${perSecond.toLocaleString('en-US', { maximumFractionDigits: digits })} ${unit}`;
}

/** A loss value in nats with four significant digits. */
export function formatLoss(value: number): string {
  return Number.isFinite(value) ? value.toPrecision(4) : String(value);
}

/** "12,345". */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** "1 duplicate", "3 duplicates", "12,345 images": a count with its noun, singular for one. */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatCount(n)} ${n === 1 ? singular : pluralForm}`;
}

/** A main-side message as a sentence for a notice: its first letter a capital, a full stop at the end. */
export function asSentence(message: string): string {
  const text = message.trim();
  if (!text) return text;
  const capital = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?…]$/.test(capital) ? capital : `${capital}.`;
}

/** The last name of a path ('/' or '\' separators): "squares" for "/home/ada/uploads/squares/". */
export function lastName(path: string): string {
  return (
    path
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .at(-1) ?? path
  );
}
