/**
 * One full-covariance Gaussian fitted to the aggregate posterior q(z) = (1/N) Σ q(z|xᵢ) of a set of images: by the
 * law of total variance its covariance is Cov(μ) + mean(σ²)·I per dimension, its mean the mean of μ. Training's
 * sample previews pass their fixed noise ε through it (z = m + L·ε), so each epoch's grid shows what latents like
 * the images' decode to: at β < 1 the latents no longer fill N(0, I), and prior draws decode to blurs that are not
 * what `generate` (the fitted mixture) will give. Fixed ε keeps the grid comparable from epoch to epoch.
 */
import { cholesky } from './gmm.js';

export interface LatentGaussian {
  mean: Float64Array;
  /** The lower Cholesky factor of the covariance, row-major `dim × dim`. */
  factor: Float64Array;
}

/** Smallest variance any dimension keeps, so the factor exists when the latents do not spread at all. */
const VARIANCE_FLOOR = 1e-8;

/** The Gaussian of `mu`/`sigma`, q(z|x)'s mean and standard deviation for each image (at least one). */
export function fitAggregateGaussian(mu: Float32Array[], sigma: Float32Array[]): LatentGaussian {
  const n = mu.length;
  if (n === 0 || sigma.length !== n)
    throw new Error('the aggregate posterior needs μ and σ of 1 or more images');
  const d = mu[0]!.length;
  const mean = new Float64Array(d);
  for (const m of mu) for (let j = 0; j < d; j++) mean[j]! += m[j]! / n;
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    const m = mu[i]!;
    const s = sigma[i]!;
    for (let r = 0; r < d; r++) {
      const er = m[r]! - mean[r]!;
      for (let c = 0; c <= r; c++) cov[r * d + c]! += (er * (m[c]! - mean[c]!)) / n;
      cov[r * d + r]! += (s[r]! * s[r]!) / n;
    }
  }
  for (let r = 0; r < d; r++) {
    for (let c = 0; c < r; c++) cov[c * d + r] = cov[r * d + c]!;
    cov[r * d + r] = Math.max(cov[r * d + r]!, VARIANCE_FLOOR);
  }
  return { mean, factor: cholesky(cov, d) };
}

/** z = m + L·ε for each noise vector ε (of the Gaussian's dimension). */
export function shapeLatents(g: LatentGaussian, eps: readonly Float32Array[]): Float32Array[] {
  const d = g.mean.length;
  return eps.map((e) => {
    if (e.length !== d) throw new Error(`noise of ${e.length} dimensions for a ${d}-dimensional Gaussian`);
    const z = new Float32Array(d);
    for (let r = 0; r < d; r++) {
      let v = g.mean[r]!;
      for (let j = 0; j <= r; j++) v += g.factor[r * d + j]! * e[j]!;
      z[r] = v;
    }
    return z;
  });
}
