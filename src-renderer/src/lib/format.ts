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
