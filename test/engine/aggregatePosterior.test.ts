import { describe, expect, it } from 'vitest';
import { fitAggregateGaussian, shapeLatents } from '../../src-main/engine/aggregatePosterior.js';
import { normals } from '../../src-main/engine/rng.js';

describe('the Gaussian of the aggregate posterior (the training previews draw from it)', () => {
  it('has the mean of μ and the variance Var(μ) + mean σ², by hand in one dimension', () => {
    const g = fitAggregateGaussian(
      [Float32Array.of(1), Float32Array.of(-1), Float32Array.of(3)],
      [Float32Array.of(0.5), Float32Array.of(0.5), Float32Array.of(1)],
    );
    // mean 1; Var(μ) = (0 + 4 + 4) / 3 = 8/3; mean σ² = (0.25 + 0.25 + 1) / 3 = 0.5
    expect(g.mean[0]).toBeCloseTo(1, 12);
    expect(g.factor[0]).toBeCloseTo(Math.sqrt(8 / 3 + 0.5), 12);
    const [z] = shapeLatents(g, [Float32Array.of(2)]);
    expect(z![0]).toBeCloseTo(1 + 2 * Math.sqrt(8 / 3 + 0.5), 5);
  });

  it('recovers a correlated 2-D latent cloud, so shaped noise spreads like the latents', () => {
    // μ = (a, 0.8a + 0.6b) with a, b ~ N(0, 1), offset by (3, −2); σ = 0.1 everywhere.
    const mu: Float32Array[] = [];
    const sigma: Float32Array[] = [];
    for (let i = 0; i < 4000; i++) {
      const [a, b] = normals(2, 1000 + i);
      mu.push(Float32Array.of(3 + a!, -2 + 0.8 * a! + 0.6 * b!));
      sigma.push(Float32Array.of(0.1, 0.1));
    }
    const g = fitAggregateGaussian(mu, sigma);
    expect(g.mean[0]).toBeCloseTo(3, 1);
    expect(g.mean[1]).toBeCloseTo(-2, 1);
    const z = shapeLatents(
      g,
      Array.from({ length: 4000 }, (_, i) => Float32Array.from(normals(2, 99_000 + i))),
    );
    const m0 = z.reduce((s, v) => s + v[0]!, 0) / z.length;
    const m1 = z.reduce((s, v) => s + v[1]!, 0) / z.length;
    const cov = (p: number, q: number, mp: number, mq: number): number =>
      z.reduce((s, v) => s + (v[p]! - mp) * (v[q]! - mq), 0) / z.length;
    // Var = 1 + 0.01, Cov = 0.8: the shaped draws keep the latents' correlation.
    expect(cov(0, 0, m0, m0)).toBeCloseTo(1.01, 1);
    expect(cov(1, 1, m1, m1)).toBeCloseTo(1.01, 1);
    expect(cov(0, 1, m0, m1)).toBeCloseTo(0.8, 1);
  });

  it('refuses an empty set, and noise of the wrong size', () => {
    expect(() => fitAggregateGaussian([], [])).toThrow(/1 or more images/);
    const g = fitAggregateGaussian([Float32Array.of(0, 0)], [Float32Array.of(1, 1)]);
    expect(() => shapeLatents(g, [Float32Array.of(1)])).toThrow(/1 dimensions for a 2-dimensional/);
  });
});
