import * as tf from '@tensorflow/tfjs-core';
import { CancelledError } from '../../util/errors.js';
import { checkFeatureSet, checkSameDim, type FeatureSet } from './featureSet.js';

/** Query rows per matrix product: 512 × 10,000 reference rows is 20 MB of float32 distances. */
const BLOCK_ROWS = 512;

/**
 * The nearest row of `reference` to every row of `query`, searched with the active tfjs backend's float32 matrix
 * product (XNNPACK on wasm, the GPU on webgpu: 20–50× the plain-JavaScript blocks of neighbours.ts), then the
 * distance to the row found recomputed exactly in float64. The search ranks by ‖y‖² − 2·xᵀy, whose float32
 * rounding (≈ 1e-7 of the squared norms) can only swap neighbours that are that close to a tie; an identical
 * row is still found at distance exactly 0.
 */
export async function nearestOnBackend(
  query: FeatureSet,
  reference: FeatureSet,
  options: { signal?: AbortSignal } = {},
): Promise<{ indices: Int32Array; distances: Float64Array }> {
  checkFeatureSet(query, 'nearestOnBackend: query');
  checkFeatureSet(reference, 'nearestOnBackend: reference');
  checkSameDim(query, reference);
  const { dim } = query;
  const indices = new Int32Array(query.count);
  const distances = new Float64Array(query.count);
  const ref = tf.tensor2d(reference.values, [reference.count, dim]);
  const refNorms = tf.sum(tf.square(ref), 1);
  try {
    for (let first = 0; first < query.count; first += BLOCK_ROWS) {
      if (options.signal?.aborted) throw new CancelledError();
      const rows = Math.min(BLOCK_ROWS, query.count - first);
      const nearest = tf.tidy(() => {
        const q = tf.tensor2d(query.values.subarray(first * dim, (first + rows) * dim), [rows, dim]);
        return tf.argMin(tf.sub(refNorms, tf.mul(tf.matMul(q, ref, false, true), 2)), 1);
      });
      const found = await nearest.data();
      nearest.dispose();
      for (let r = 0; r < rows; r++) {
        const i = first + r;
        const j = found[r]!;
        let sum = 0;
        for (let c = 0; c < dim; c++)
          sum += (query.values[i * dim + c]! - reference.values[j * dim + c]!) ** 2;
        indices[i] = j;
        distances[i] = Math.sqrt(sum);
      }
    }
  } finally {
    ref.dispose();
    refNorms.dispose();
  }
  return { indices, distances };
}
