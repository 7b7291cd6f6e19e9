/** The smallest 1, 2 or 5 × 10ⁿ at or above `v` (1 for 0 or a value that is not finite): a chart's round step or top. */
export function niceNumber(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const power = 10 ** Math.floor(Math.log10(v));
  const f = v / power;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
}
