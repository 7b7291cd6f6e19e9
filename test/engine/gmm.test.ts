import { describe, expect, it } from 'vitest';
import {
  fitGaussianMixture,
  mixtureLogDensity,
  mixtureSampler,
  sampleLatents,
  type GaussianMixture,
} from '../../src-main/engine/index.js';
import { Rng } from '../../src-main/engine/rng.js';

/** Three well-separated 2-D Gaussians with known weights, means and full covariances. */
const TRUTH: GaussianMixture = {
  dim: 2,
  covariance: 'full',
  weights: [0.5, 0.3, 0.2],
  means: [
    [-4, 0],
    [3, 3],
    [2, -4],
  ],
  covariances: [
    [1, 0.6, 0.6, 1],
    [0.5, 0, 0, 2],
    [0.3, -0.2, -0.2, 0.4],
  ],
};

function drawTruth(n: number, seed: number): Float64Array[] {
  // Exact draws from TRUTH: component by weight, then μ + L·ε with L the Cholesky factor of Σ.
  const rng = new Rng(seed);
  const out: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const u = rng.next();
    const c = u < 0.5 ? 0 : u < 0.8 ? 1 : 2;
    const [a, b, , d] = TRUTH.covariances[c]!;
    const l11 = Math.sqrt(a!);
    const l21 = b! / l11;
    const l22 = Math.sqrt(d! - l21 * l21);
    const e1 = rng.normal();
    const e2 = rng.normal();
    out.push(Float64Array.of(TRUTH.means[c]![0]! + l11 * e1, TRUTH.means[c]![1]! + l21 * e1 + l22 * e2));
  }
  return out;
}

/** The fitted component whose mean is nearest `mean`. */
function matching(mixture: GaussianMixture, mean: number[]): number {
  let best = 0;
  let bestD = Infinity;
  mixture.means.forEach((m, c) => {
    const d = (m[0]! - mean[0]!) ** 2 + (m[1]! - mean[1]!) ** 2;
    if (d < bestD) [best, bestD] = [c, d];
  });
  return best;
}

describe('fitGaussianMixture', () => {
  const points = drawTruth(6000, 7);

  it('recovers the weights, means and full covariances of a known 2-D mixture', () => {
    const fit = fitGaussianMixture(points, { components: 3, covariance: 'full', seed: 1 });
    expect(fit.converged).toBe(true);
    const seen = new Set<number>();
    TRUTH.means.forEach((mean, c) => {
      const f = matching(fit.mixture, mean);
      seen.add(f);
      expect(fit.mixture.weights[f]).toBeCloseTo(TRUTH.weights[c]!, 1);
      fit.mixture.means[f]!.forEach((v, j) => expect(Math.abs(v - mean[j]!)).toBeLessThan(0.08));
      fit.mixture.covariances[f]!.forEach((v, j) =>
        expect(Math.abs(v - TRUTH.covariances[c]![j]!)).toBeLessThan(0.12),
      );
    });
    expect(seen.size).toBe(3);
    // The fit's mean log-likelihood is at least the true mixture's on the same points (EM maximises it).
    const truthLl = mixtureLogDensity(TRUTH, points).reduce((s, v) => s + v, 0) / points.length;
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(truthLl - 1e-9);
    expect(fit.logLikelihood - truthLl).toBeLessThan(0.01);
  });

  it('fits a diagonal mixture that scores below the full one where the truth is correlated', () => {
    const full = fitGaussianMixture(points, { components: 3, covariance: 'full', seed: 1 });
    const diagonal = fitGaussianMixture(points, { components: 3, covariance: 'diagonal', seed: 1 });
    expect(diagonal.mixture.covariances.every((c) => c.length === 2)).toBe(true);
    expect(diagonal.logLikelihood).toBeLessThan(full.logLikelihood);
    // The means still land on the truth's.
    TRUTH.means.forEach((mean) => {
      const f = matching(diagonal.mixture, mean);
      diagonal.mixture.means[f]!.forEach((v, j) => expect(Math.abs(v - mean[j]!)).toBeLessThan(0.15));
    });
  });

  it('is identical for the same seed and differs for another', () => {
    const latents = drawTruth(800, 3);
    // Five components on three clusters: where EM ends depends on the start.
    const a = fitGaussianMixture(latents, { components: 5, covariance: 'full', seed: 11 });
    const b = fitGaussianMixture(latents, { components: 5, covariance: 'full', seed: 11 });
    const c = fitGaussianMixture(latents, { components: 5, covariance: 'full', seed: 12 });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(JSON.stringify(c.mixture)).not.toBe(JSON.stringify(a.mixture));
  });

  it('keeps every covariance proper on duplicated and constant latents (the floor)', () => {
    const latents = Array.from({ length: 50 }, (_, i) => Float64Array.of(i % 2, 0));
    const fit = fitGaussianMixture(latents, { components: 4, covariance: 'full', seed: 0 });
    expect(Number.isFinite(fit.logLikelihood)).toBe(true);
    for (const c of fit.mixture.covariances) {
      expect(c[0]).toBeGreaterThan(0);
      expect(c[3]).toBeGreaterThan(0);
    }
    expect(fit.mixture.weights.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 12);
  });

  it('gives one component per latent when there are fewer latents than components', () => {
    const fit = fitGaussianMixture([Float64Array.of(0, 0), Float64Array.of(1, 1)], {
      components: 10,
      covariance: 'diagonal',
      seed: 0,
    });
    expect(fit.mixture.weights).toHaveLength(2);
  });
});

describe('mixtureLogDensity', () => {
  it('matches the density written out for one full-covariance component', () => {
    const one: GaussianMixture = {
      dim: 2,
      covariance: 'full',
      weights: [1],
      means: [[1, -1]],
      covariances: [[2, 0.5, 0.5, 1]],
    };
    const [x, y] = [0.3, 0.2];
    const det = 2 - 0.25;
    // Σ⁻¹ = [1, −0.5; −0.5, 2] / det
    const dx = x - 1;
    const dy = y + 1;
    const maha = (dx * dx * 1 - 2 * 0.5 * dx * dy + dy * dy * 2) / det;
    const expected = -Math.log(2 * Math.PI) - 0.5 * Math.log(det) - 0.5 * maha;
    expect(mixtureLogDensity(one, [[x, y]])[0]).toBeCloseTo(expected, 12);
  });
});

describe('mixtureSampler', () => {
  const sampler = mixtureSampler(TRUTH);

  it('draws image i from (seed, i) alone: one call or many, any start, the same vectors', () => {
    const all = sampler.sample(50, 9, 1);
    const pieces = [...sampler.sample(20, 9, 1, 0), ...sampler.sample(30, 9, 1, 20)];
    expect(pieces.map((z) => Array.from(z))).toEqual(all.map((z) => Array.from(z)));
    expect(Array.from(sampler.sample(1, 9, 1, 37)[0]!)).toEqual(Array.from(all[37]!));
    expect(Array.from(sampler.sample(1, 10, 1, 37)[0]!)).not.toEqual(Array.from(all[37]!));
  });

  it('reproduces the mixture: weights, means and covariances of 20,000 draws', () => {
    const draws = sampler.sample(20_000, 1, 1);
    const fit = fitGaussianMixture(draws, { components: 3, covariance: 'full', seed: 0 });
    TRUTH.means.forEach((mean, c) => {
      const f = matching(fit.mixture, mean);
      expect(fit.mixture.weights[f]).toBeCloseTo(TRUTH.weights[c]!, 1);
      fit.mixture.covariances[f]!.forEach((v, j) =>
        expect(Math.abs(v - TRUTH.covariances[c]![j]!)).toBeLessThan(0.1),
      );
    });
  });

  it('scales each component’s spread by the temperature around the same component and mean', () => {
    const warm = sampler.sample(200, 4, 1);
    const cool = sampler.sample(200, 4, 0.5);
    // z = μ_c + T·L_c·ε with the same c and ε, so 2·z(0.5) − z(1) is the drawn component's mean.
    const used = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const centre = [0, 1].map((j) => 2 * cool[i]![j]! - warm[i]![j]!);
      const c = matching(TRUTH, centre);
      used.add(c);
      centre.forEach((v, j) => expect(v).toBeCloseTo(TRUTH.means[c]![j]!, 5));
    }
    expect(used.size).toBe(3);
  });

  it('uses the prior’s normals as its noise: one centred unit component is the prior', () => {
    const unit = mixtureSampler({
      dim: 3,
      covariance: 'diagonal',
      weights: [1],
      means: [[0, 0, 0]],
      covariances: [[1, 1, 1]],
    });
    expect(unit.sample(5, 3, 0.7, 11).map((z) => Array.from(z))).toEqual(
      sampleLatents(5, 3, 3, 0.7, 11).map((z) => Array.from(z)),
    );
  });
});
