/** Seconds as "1h02m", "3m05s" or "12s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/** A fixed-width text bar for a fraction in [0, 1]. */
export function bar(fraction: number, width = 24): string {
  const f = Math.min(1, Math.max(0, fraction));
  const filled = Math.round(f * width);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

/** A number with `digits` decimals, or '—' for null. */
export function fixed(value: number | null | undefined, digits = 2): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits);
}

/**
 * What a model's nats are −log of, in words for a result line: a probability (Bernoulli) or a density over real
 * pixel values (the Gaussians, with the σ the figure used), which two kinds of figure cannot be compared.
 */
export function likelihoodNote(likelihood: string, sigma: number | null | undefined): string {
  if (likelihood === 'bernoulli') return 'Bernoulli likelihood: −log of a probability';
  const which = likelihood === 'gaussian-optimal' ? 'σ-VAE Gaussian, calibrated σ' : 'Gaussian, fixed σ';
  return `${which} ${fixed(sigma, 4)}: −log of a density, not comparable with Bernoulli nats`;
}
