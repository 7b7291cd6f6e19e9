/**
 * How a conditional model's generation splits a count over its classes: one rule, used by the generation job and
 * by the Generate view's preview of the split, so the numbers the form shows are the files the run writes.
 */

/**
 * `total` split in proportion to `weights` (whole numbers ≥ 0, not all 0) by the largest-remainder method: each
 * part gets ⌊total·wᵢ/W⌋, and the images left over go one each to the parts with the largest remainders, the
 * earlier part first on a tie. Exact integer arithmetic, so the split is the same everywhere, and it sums to
 * `total`.
 */
export function splitByWeights(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((s, w) => s + w, 0);
  const parts = weights.map((w) => Math.floor((total * w) / sum));
  const remainders = weights.map((w, i) => ({ i, r: total * w - parts[i]! * sum }));
  let left = total - parts.reduce((s, n) => s + n, 0);
  remainders.sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of remainders) {
    if (left === 0) break;
    parts[i]!++;
    left--;
  }
  return parts;
}

/**
 * `count` images split over classes with these training image counts (in class order), as a generation without
 * per-class counts splits them: by the classes' shares of the training images, or evenly when none has any.
 */
export function splitByTrainingShare(count: number, trainingImages: readonly number[]): number[] {
  const weights = trainingImages.some((w) => w > 0) ? trainingImages : trainingImages.map(() => 1);
  return splitByWeights(count, weights);
}
