/** Feature sets for the quality-metric tests, drawn from the engine's seeded Rng. */
import { Rng } from '../../../src-main/engine/rng.js';
import type { FeatureSet } from '../../../src-main/engine/quality/featureSet.js';

/** `count` rows of N(mean, diag(scale²)) in `dim` dimensions (mean and scale per dimension or one for all). */
export function gaussianSet(
  count: number,
  dim: number,
  seed: number,
  mean: number | ArrayLike<number> = 0,
  scale: number | ArrayLike<number> = 1,
): FeatureSet {
  const rng = new Rng(seed);
  const values = new Float32Array(count * dim);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < dim; j++) {
      const mu = typeof mean === 'number' ? mean : mean[j]!;
      const s = typeof scale === 'number' ? scale : scale[j]!;
      values[i * dim + j] = mu + s * rng.normal();
    }
  }
  return { count, dim, values };
}

/** A random symmetric n×n matrix with entries uniform in [−1, 1). */
export function randomSymmetric(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const x = rng.uniform(-1, 1);
      m[i * n + j] = x;
      m[j * n + i] = x;
    }
  }
  return m;
}
