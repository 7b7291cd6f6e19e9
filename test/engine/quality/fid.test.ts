import { describe, expect, it } from 'vitest';
import {
  featureStatistics,
  fid,
  fidMethodFor,
  frechetDistance,
  type FeatureStatistics,
} from '../../../src-main/engine/quality/fid.js';
import type { FeatureSet } from '../../../src-main/engine/quality/featureSet.js';
import { Rng } from '../../../src-main/engine/rng.js';
import { gaussianSet } from './helpers.js';

// A reference computed another way: plain two-pass statistics and the principal square root of the
// non-symmetric Σ₁Σ₂ by Denman–Beavers iteration (Y → A^{1/2}, Z → A^{−1/2}).

function inverse(a: number[][]): number[][] {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[pivot]![c]!)) pivot = r;
    [m[c], m[pivot]] = [m[pivot]!, m[c]!];
    const p = m[c]![c]!;
    for (let j = 0; j < 2 * n; j++) m[c]![j]! /= p;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]!;
      for (let j = 0; j < 2 * n; j++) m[r]![j]! -= f * m[c]![j]!;
    }
  }
  return m.map((row) => row.slice(n));
}

function matmul(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0]!.map((_, j) => row.reduce((s, x, k) => s + x * b[k]![j]!, 0)));
}

function sqrtmDenmanBeavers(a: number[][]): number[][] {
  const n = a.length;
  let y = a.map((r) => [...r]);
  let z: number[][] = a.map((_, i) => a.map((__, j) => (i === j ? 1 : 0)));
  for (let it = 0; it < 100; it++) {
    const yi = inverse(y);
    const zi = inverse(z);
    const ny = y.map((r, i) => r.map((x, j) => (x + zi[i]![j]!) / 2));
    const nz = z.map((r, i) => r.map((x, j) => (x + yi[i]![j]!) / 2));
    const change = Math.max(...ny.flatMap((r, i) => r.map((x, j) => Math.abs(x - y[i]![j]!))));
    y = ny;
    z = nz;
    if (change < 1e-15 * n) break;
  }
  return y;
}

function twoPassStatistics(set: FeatureSet): { mean: number[]; cov: number[][] } {
  const { count: n, dim: d, values } = set;
  const mean = Array.from({ length: d }, (_, j) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += values[i * d + j]!;
    return s / n;
  });
  const cov = mean.map((_, a) =>
    mean.map((__, b) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += (values[i * d + a]! - mean[a]!) * (values[i * d + b]! - mean[b]!);
      return s / (n - 1);
    }),
  );
  return { mean, cov };
}

function referenceFid(x: FeatureSet, y: FeatureSet): number {
  const a = twoPassStatistics(x);
  const b = twoPassStatistics(y);
  const root = sqrtmDenmanBeavers(matmul(a.cov, b.cov));
  let value = 0;
  for (let i = 0; i < x.dim; i++) {
    value += (a.mean[i]! - b.mean[i]!) ** 2 + a.cov[i]![i]! + b.cov[i]![i]! - 2 * root[i]![i]!;
  }
  return value;
}

/** Rows of `set` mapped by x ↦ M x (M d×d, entries from `seed`): correlated features. */
function mixed(set: FeatureSet, seed: number): FeatureSet {
  const rng = new Rng(seed);
  const d = set.dim;
  const m = Array.from({ length: d * d }, () => rng.normal() / Math.sqrt(d));
  const values = new Float32Array(set.values.length);
  for (let i = 0; i < set.count; i++) {
    for (let r = 0; r < d; r++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += m[r * d + c]! * set.values[i * d + c]!;
      values[i * d + r] = s;
    }
  }
  return { count: set.count, dim: d, values };
}

describe('FID', () => {
  it('of diagonal statistics is ‖μ₁ − μ₂‖² + Σ (√σ₁ − √σ₂)² in closed form', () => {
    const d = 5;
    const diag = (v: number[]): Float64Array => {
      const m = new Float64Array(d * d);
      v.forEach((x, i) => (m[i * d + i] = x));
      return m;
    };
    const s1 = [1, 4, 0.25, 2, 9];
    const s2 = [2, 1, 0.25, 0.5, 16];
    const a: FeatureStatistics = {
      count: 10,
      dim: d,
      mean: new Float64Array([0, 1, 2, 3, 4]),
      covariance: diag(s1),
    };
    const b: FeatureStatistics = {
      count: 10,
      dim: d,
      mean: new Float64Array([1, 1, 0, 3, 5]),
      covariance: diag(s2),
    };
    const expected = 1 + 4 + 1 + s1.reduce((s, x, i) => s + (Math.sqrt(x) - Math.sqrt(s2[i]!)) ** 2, 0);
    expect(Math.abs(frechetDistance(a, b) - expected) / expected).toBeLessThan(1e-12);
  });

  it.each(['covariance', 'gram'] as const)(
    'matches a Denman–Beavers square root of Σ₁Σ₂ within 1e-6 relative (%s way)',
    (method) => {
      const x = mixed(gaussianSet(200, 6, 1), 11);
      const y = mixed(gaussianSet(150, 6, 2, 0.3, 1.5), 12);
      const expected = referenceFid(x, y);
      expect(Math.abs(fid(x, y, { method }) - expected) / expected).toBeLessThan(1e-6);
    },
  );

  it('featureStatistics matches the two-pass mean and unbiased covariance', () => {
    const x = mixed(gaussianSet(77, 9, 5, 2), 6);
    const reference = twoPassStatistics(x);
    const stats = featureStatistics(x);
    for (let i = 0; i < 9; i++) {
      expect(stats.mean[i]).toBeCloseTo(reference.mean[i]!, 12);
      for (let j = 0; j < 9; j++) expect(stats.covariance[i * 9 + j]).toBeCloseTo(reference.cov[i]![j]!, 12);
    }
  });

  it.each(['covariance', 'gram'] as const)('of a set with itself is below 1e-8 (%s way)', (method) => {
    const x = mixed(gaussianSet(300, 16, 3, 1), 4);
    expect(fid(x, x, { method })).toBeLessThan(1e-8);
  });

  it('agrees between the two ways when the sets are smaller than the dimension (singular covariances)', () => {
    const x = gaussianSet(40, 64, 8);
    const y = gaussianSet(50, 64, 9, 0.2, 0.8);
    const byCovariance = fid(x, y, { method: 'covariance' });
    const byGram = fid(x, y, { method: 'gram' });
    expect(Math.abs(byCovariance - byGram) / byGram).toBeLessThan(1e-8);
  });

  it('of many samples of two Gaussians approaches the analytic ‖Δμ‖² + Σ (σ₁ − σ₂)²', () => {
    const d = 4;
    const mean = [1, 0, -0.5, 0];
    const s1 = [1, 2, 0.5, 1];
    const s2 = [1.5, 1, 0.5, 1];
    const x = gaussianSet(20000, d, 21, 0, s1);
    const y = gaussianSet(20000, d, 22, mean, s2);
    const analytic = 1.25 + 0.25 + 1;
    expect(Math.abs(fid(x, y) - analytic) / analytic).toBeLessThan(0.03);
    // and identical distributions give a value near 0 (of order d·σ²/n, not exactly 0)
    expect(fid(x, gaussianSet(20000, d, 23, 0, s1))).toBeLessThan(0.01);
  });

  it('takes the Gram way for sets small beside the dimension and the covariance way otherwise', () => {
    expect(fidMethodFor(2000, 2000, 2048)).toBe('gram');
    expect(fidMethodFor(2000, 2000, 768)).toBe('covariance');
    expect(fidMethodFor(50000, 50000, 2048)).toBe('covariance');
  });

  it('refuses sets of different dimensions or of one row', () => {
    expect(() => fid(gaussianSet(5, 3, 1), gaussianSet(5, 4, 2))).toThrow(/dimension/);
    expect(() => fid(gaussianSet(1, 3, 1), gaussianSet(5, 3, 2))).toThrow(/at least 2/);
  });
});
