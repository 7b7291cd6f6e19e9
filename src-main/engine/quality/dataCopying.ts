/**
 * Memorisation tests on distances to the training set: a scored image's distance to its nearest training image
 * against the same distance of held-out real images, which the model never saw.
 */

/** The near-copy threshold: the smallest distance of a held-out image to the training set. */
export function copyThreshold(realDistances: ArrayLike<number>): number {
  let min = Infinity;
  for (let i = 0; i < realDistances.length; i++) min = Math.min(min, realDistances[i]!);
  return min;
}

/**
 * Meehan, Chaudhuri and Dasgupta 2020 ("A Non-Parametric Test to Detect Data-Copying in Generative Models"), the
 * test statistic of one cell: the Mann–Whitney U of the scored images' distances to the training set against the
 * held-out images', as a z-score (ties count one half). Under "the model generalises" both distance sets come
 * from one distribution and Z ≈ N(0, 1); Z well below 0 (the paper uses −3) means the scored images sit closer
 * to the training images than fresh real images do: data-copying. Z well above 0 means they sit further away
 * (underfitting, or samples off the data).
 */
export function dataCopyingZ(scoredDistances: ArrayLike<number>, realDistances: ArrayLike<number>): number {
  const m = scoredDistances.length;
  const n = realDistances.length;
  if (m === 0 || n === 0) return Number.NaN;
  const all: { d: number; scored: boolean }[] = [];
  for (let i = 0; i < m; i++) all.push({ d: scoredDistances[i]!, scored: true });
  for (let i = 0; i < n; i++) all.push({ d: realDistances[i]!, scored: false });
  all.sort((a, b) => a.d - b.d);
  // Rank sum of the scored distances, tied values sharing their mean rank.
  let rankSum = 0;
  let tieCorrection = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.d === all[i]!.d) j++;
    const rank = (i + j + 2) / 2;
    const t = j - i + 1;
    tieCorrection += t ** 3 - t;
    for (let r = i; r <= j; r++) if (all[r]!.scored) rankSum += rank;
    i = j + 1;
  }
  // U counts the pairs (scored, held-out) in which the scored image is the further from the training set.
  const u = rankSum - (m * (m + 1)) / 2;
  const total = m + n;
  const variance = ((m * n) / 12) * (total + 1 - tieCorrection / (total * (total - 1)));
  return variance > 0 ? (u - (m * n) / 2) / Math.sqrt(variance) : 0;
}
