import { describe, expect, it } from 'vitest';
import { kid, polynomialMmd2 } from '../../../src-main/engine/quality/kid.js';
import type { FeatureSet } from '../../../src-main/engine/quality/featureSet.js';
import { gaussianSet } from './helpers.js';

/** The unbiased MMD² with k(x, y) = (xᵀy/d + 1)³ by its definition, pair by pair. */
function bruteForceMmd2(x: FeatureSet, y: FeatureSet): number {
  const d = x.dim;
  const row = (s: FeatureSet, i: number): Float32Array => s.values.subarray(i * d, (i + 1) * d);
  const k = (a: Float32Array, b: Float32Array): number => {
    let dot = 0;
    for (let j = 0; j < d; j++) dot += a[j]! * b[j]!;
    return (dot / d + 1) ** 3;
  };
  const within = (s: FeatureSet): number => {
    let sum = 0;
    for (let a = 0; a < s.count; a++)
      for (let b = 0; b < s.count; b++) if (a !== b) sum += k(row(s, a), row(s, b));
    return sum / (s.count * (s.count - 1));
  };
  let cross = 0;
  for (let a = 0; a < x.count; a++) for (let b = 0; b < y.count; b++) cross += k(row(x, a), row(y, b));
  return within(x) + within(y) - (2 * cross) / (x.count * y.count);
}

describe('KID', () => {
  it('of tiny sets equals the brute-force unbiased MMD² (whole sets, and one subset of everything)', () => {
    const x = gaussianSet(5, 3, 1);
    const y = gaussianSet(7, 3, 2, 0.5);
    const expected = bruteForceMmd2(x, y);
    expect(polynomialMmd2(x, y)).toBeCloseTo(expected, 12);
    const same = gaussianSet(6, 3, 3, 0.5);
    const result = kid(
      x,
      { count: 5, dim: 3, values: same.values.subarray(0, 15) },
      { subsets: 3, subsetSize: 5 },
    );
    // every subset is the whole set: the same estimate three times, no spread
    expect(result.mean).toBeCloseTo(
      bruteForceMmd2(x, { count: 5, dim: 3, values: same.values.subarray(0, 15) }),
      12,
    );
    expect(result.std).toBeCloseTo(0, 12);
  });

  it('of two samples of one distribution is 0 within three standard errors', () => {
    const x = gaussianSet(600, 32, 10);
    const y = gaussianSet(600, 32, 11);
    const result = kid(x, y);
    expect(result.subsets).toBe(100);
    expect(result.subsetSize).toBe(300);
    expect(result.standardError).toBeGreaterThan(0);
    expect(Math.abs(result.mean)).toBeLessThan(3 * result.standardError);
  });

  it('of a mean shift is clearly positive, and grows with the shift', () => {
    const x = gaussianSet(600, 32, 10);
    const small = kid(x, gaussianSet(600, 32, 11, 0.3));
    const large = kid(x, gaussianSet(600, 32, 11, 0.6));
    expect(small.mean).toBeGreaterThan(10 * small.standardError);
    expect(large.mean).toBeGreaterThan(3 * small.mean);
  });

  it('is the same with precomputed kernel matrices and with per-subset kernels, and repeats for a seed', () => {
    const x = gaussianSet(120, 16, 4);
    const y = gaussianSet(90, 16, 5, 0.2);
    const options = { subsets: 20, subsetSize: 40, seed: 9 };
    const precomputed = kid(x, y, options);
    const perSubset = kid(x, y, { ...options, maxKernelEntries: 0 });
    expect(perSubset.mean).toBeCloseTo(precomputed.mean, 10);
    expect(perSubset.std).toBeCloseTo(precomputed.std, 10);
    expect(kid(x, y, options)).toEqual(precomputed);
    expect(kid(x, y, { ...options, seed: 10 }).mean).not.toBe(precomputed.mean);
  });

  it('refuses a subset larger than a set', () => {
    expect(() => kid(gaussianSet(10, 2, 1), gaussianSet(8, 2, 2), { subsetSize: 9 })).toThrow(/subsetSize/);
  });
});
