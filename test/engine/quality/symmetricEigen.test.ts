import { describe, expect, it } from 'vitest';
import { symmetricEigen } from '../../../src-main/engine/quality/symmetricEigen.js';
import { Rng } from '../../../src-main/engine/rng.js';
import { randomSymmetric } from './helpers.js';

/** max |V Λ Vᵀ − A| and max |V Vᵀ − I| for rows of `vectors` as eigenvectors. */
function residuals(
  a: Float64Array,
  values: Float64Array,
  vectors: Float64Array,
  n: number,
): [number, number] {
  let reconstruction = 0;
  let orthogonality = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      let inner = 0;
      for (let k = 0; k < n; k++) {
        sum += values[k]! * vectors[k * n + i]! * vectors[k * n + j]!;
        inner += vectors[i * n + k]! * vectors[j * n + k]!;
      }
      reconstruction = Math.max(reconstruction, Math.abs(sum - a[i * n + j]!));
      orthogonality = Math.max(orthogonality, Math.abs(inner - (i === j ? 1 : 0)));
    }
  }
  return [reconstruction, orthogonality];
}

describe('symmetricEigen', () => {
  it('gives the sorted diagonal and unit vectors of a diagonal matrix', () => {
    const a = new Float64Array([3, 0, 0, 0, -1, 0, 0, 0, 2]);
    const { values, vectors } = symmetricEigen(a, 3);
    expect(Array.from(values)).toEqual([-1, 2, 3]);
    // λ = −1 is axis 1, 2 is axis 2, 3 is axis 0 (up to sign).
    expect(Math.abs(vectors![0 * 3 + 1]!)).toBe(1);
    expect(Math.abs(vectors![1 * 3 + 2]!)).toBe(1);
    expect(Math.abs(vectors![2 * 3 + 0]!)).toBe(1);
  });

  it('matches the closed form of a 2×2 matrix', () => {
    const [p, q, r] = [2, 0.7, -1.3];
    const { values, vectors } = symmetricEigen(new Float64Array([p, q, q, r]), 2);
    const mid = (p + r) / 2;
    const rad = Math.sqrt(((p - r) / 2) ** 2 + q * q);
    expect(values[0]).toBeCloseTo(mid - rad, 14);
    expect(values[1]).toBeCloseTo(mid + rad, 14);
    // (q, λ − p) is an eigenvector of λ; compare directions up to sign.
    const lambda = mid + rad;
    const norm = Math.hypot(q, lambda - p);
    const dot = (vectors![2]! * q + vectors![3]! * (lambda - p)) / norm;
    expect(Math.abs(dot)).toBeCloseTo(1, 14);
  });

  it.each([1, 5, 40, 130])(
    'reconstructs a random symmetric %i×%i matrix as V Λ Vᵀ with V orthonormal',
    (n) => {
      const a = randomSymmetric(n, 1000 + n);
      const copy = Float64Array.from(a);
      const { values, vectors } = symmetricEigen(a, n);
      expect(a).toEqual(copy); // the input is left alone
      for (let k = 1; k < n; k++) expect(values[k]!).toBeGreaterThanOrEqual(values[k - 1]!);
      const [reconstruction, orthogonality] = residuals(a, values, vectors!, n);
      expect(reconstruction).toBeLessThan(1e-10);
      expect(orthogonality).toBeLessThan(1e-10);
    },
  );

  it('gives the same eigenvalues without vectors, and the trace and sum of squares of the matrix', () => {
    const n = 60;
    const a = randomSymmetric(n, 7);
    const full = symmetricEigen(a, n).values;
    const only = symmetricEigen(a, n, { vectors: false });
    expect(only.vectors).toBeNull();
    let trace = 0;
    let frobenius = 0;
    for (let i = 0; i < n; i++) trace += a[i * n + i]!;
    for (const x of a) frobenius += x * x;
    let sum = 0;
    let squares = 0;
    for (let k = 0; k < n; k++) {
      expect(Math.abs(only.values[k]! - full[k]!)).toBeLessThan(1e-12);
      sum += full[k]!;
      squares += full[k]! ** 2;
    }
    expect(sum).toBeCloseTo(trace, 11);
    expect(squares).toBeCloseTo(frobenius, 10);
  });

  it('handles repeated eigenvalues and a rank-one PSD matrix (eigenvalues ‖u‖², then zeros)', () => {
    const n = 30;
    const rng = new Rng(3);
    const u = Array.from({ length: n }, () => rng.normal());
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = u[i]! * u[j]!;
    const { values, vectors } = symmetricEigen(a, n);
    const norm2 = u.reduce((s, x) => s + x * x, 0);
    expect(values[n - 1]).toBeCloseTo(norm2, 11);
    for (let k = 0; k < n - 1; k++) expect(Math.abs(values[k]!)).toBeLessThan(1e-12);
    const [reconstruction, orthogonality] = residuals(a, values, vectors!, n);
    expect(reconstruction).toBeLessThan(1e-12);
    expect(orthogonality).toBeLessThan(1e-12);
  });

  it('refuses a non-finite entry', () => {
    expect(() => symmetricEigen(new Float64Array([1, NaN, NaN, 1]), 2)).toThrow(/not finite/);
  });
});
