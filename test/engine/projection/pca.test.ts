import { describe, expect, it } from 'vitest';
import { principalComponents, projectOnto, projectTo2d } from '../../../src-main/engine/projection/index.js';
import { Rng } from '../../../src-main/engine/rng.js';

/** Points spread 3 along (1, 1, 0)/√2, 1 along (0, 0, 1) and 0.1 along (1, −1, 0)/√2, around (5, −2, 1). */
function ellipsoid(count: number, seed: number) {
  const rng = new Rng(seed);
  const values = new Float32Array(count * 3);
  const s = Math.SQRT1_2;
  for (let i = 0; i < count; i++) {
    const [a, b, c] = [3 * rng.normal(), rng.normal(), 0.1 * rng.normal()];
    values.set([5 + s * a + s * c, -2 + s * a - s * c, 1 + b], i * 3);
  }
  return { count, dim: 3, values };
}

describe('principal components', () => {
  it('finds the directions of largest spread, largest first, with their variances', () => {
    const pca = principalComponents(ellipsoid(4000, 1), 3);
    const axis = (k: number) => Array.from(pca.axes.subarray(k * 3, k * 3 + 3));
    // Each axis is signed so that its largest entry is positive.
    expect(axis(0)[0]).toBeCloseTo(Math.SQRT1_2, 2);
    expect(axis(0)[1]).toBeCloseTo(Math.SQRT1_2, 2);
    expect(Math.abs(axis(0)[2]!)).toBeLessThan(0.02);
    expect(axis(1)[2]).toBeCloseTo(1, 3);
    expect(Math.abs(axis(2)[0]!)).toBeCloseTo(Math.SQRT1_2, 2);
    expect(pca.variances[0]).toBeCloseTo(9, 0);
    expect(pca.variances[1]).toBeCloseTo(1, 1);
    expect(pca.variances[2]).toBeCloseTo(0.01, 2);
    expect(pca.explained[0]! + pca.explained[1]! + pca.explained[2]!).toBeCloseTo(1, 6);
    expect(Array.from(pca.mean).map((m) => Math.round(m))).toEqual([5, -2, 1]);
  });

  it('projects centred points onto the axes (variance along each as found)', () => {
    const set = ellipsoid(3000, 2);
    const pca = principalComponents(set, 2);
    const flat = projectOnto(set, pca);
    expect(flat.dim).toBe(2);
    const column = (k: number) => Array.from({ length: flat.count }, (_, i) => flat.values[i * 2 + k]!);
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = (xs: number[]) => mean(xs.map((x) => (x - mean(xs)) ** 2));
    expect(mean(column(0))).toBeCloseTo(0, 4);
    expect(variance(column(0)) / pca.variances[0]!).toBeCloseTo(1, 2);
    expect(variance(column(1)) / pca.variances[1]!).toBeCloseTo(1, 2);
  });

  it('gives the same map every time, whatever the seed', async () => {
    const set = ellipsoid(500, 3);
    const a = await projectTo2d(set, 'pca', { seed: 1 });
    const b = await projectTo2d(set, 'pca', { seed: 99 });
    expect(b).toEqual(a);
    expect(a.length).toBe(1000);
  });

  it('lays a one-dimensional set out on the x axis', async () => {
    const set = { count: 4, dim: 1, values: Float32Array.of(1, 2, 3, 6) };
    const xy = await projectTo2d(set, 'pca', { seed: 0 });
    expect(Array.from(xy)).toEqual([-2, 0, -1, 0, 0, 0, 3, 0]);
  });
});
