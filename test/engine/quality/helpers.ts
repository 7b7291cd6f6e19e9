/** Feature sets for the quality-metric tests, drawn from the engine's seeded Rng. */
import { Rng } from '../../../src-main/engine/rng.js';
import { expect } from 'vitest';
import type { FeatureNetwork } from '../../../src-main/engine/quality/features.js';
import type { FeatureSet } from '../../../src-main/engine/quality/featureSet.js';
import type { ImageBatch } from '../../../src-main/engine/types.js';
import { CancelledError } from '../../../src-main/util/errors.js';

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

/** `count` images of uniform random bytes, `size`² × `channels` each. */
export function randomImages(count: number, size: number, channels: 1 | 3, seed: number): ImageBatch {
  const rng = new Rng(seed);
  const pixels = Uint8Array.from({ length: count * size * size * channels }, () => rng.int(256));
  return { pixels, count, size, channels };
}

/** A feature network, asked for 6 images in batches of 2, stops after the first batch when its signal aborts. */
export async function expectStopsBetweenBatches(network: FeatureNetwork): Promise<void> {
  const controller = new AbortController();
  const seen: number[] = [];
  const run = network.extract(randomImages(6, 28, 1, 14), {
    batchSize: 2,
    signal: controller.signal,
    onProgress: (p) => {
      seen.push(p.images);
      controller.abort();
    },
  });
  await expect(run).rejects.toBeInstanceOf(CancelledError);
  expect(seen).toEqual([2]);
}
