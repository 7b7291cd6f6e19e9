/**
 * What the kernel tests share: seeded data, so a failing case can be replayed from its seed; the error measure the
 * issue fixes (max |a − b| / max |ref|); and switching the global tfjs backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

import { Rng } from '../../../src-main/engine/rng.js';

/** `count` seeded uniform(−1, 1) values. */
export function randomValues(count: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: count }, () => rng.uniform(-1, 1));
}

/** Number of elements of a shape. */
export function size(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/**
 * max |actual − ref| / max |ref| ("relative, normalised by max abs"), after checking the lengths agree. A reference
 * of all zeros fails the test unless `allowZeroReference` (a gradient that is exactly zero by construction); the
 * error is then the absolute one over 1e-12.
 */
export function relativeError(
  actual: Float32Array,
  ref: Float32Array,
  options: { allowZeroReference?: boolean } = {},
): number {
  expect(actual.length).toBe(ref.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    diff = Math.max(diff, Math.abs((actual[i] ?? NaN) - (ref[i] ?? NaN)));
    scale = Math.max(scale, Math.abs(ref[i] ?? 0));
  }
  if (!options.allowZeroReference) expect(scale, 'reference is all zeros').toBeGreaterThan(0);
  return diff / Math.max(scale, 1e-12);
}

/** Makes `backend` the active tfjs backend (the kernels compare cpu against wasm). */
export async function useBackend(backend: 'cpu' | 'wasm'): Promise<void> {
  expect(await tf.setBackend(backend)).toBe(true);
  await tf.ready();
}
