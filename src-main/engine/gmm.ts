/**
 * A Gaussian mixture on the latent space: ex-post density estimation (Ghosh et al. 2019, "From Variational to
 * Deterministic Autoencoders", §4): after training, fit a mixture to the posterior means μ(x) of the training
 * images — the aggregate posterior, which is rarely the N(0, I) the prior assumes — and sample new latents from it
 * instead of from the prior. Plain float64 JavaScript, no tensors: a fit on ~10⁴ latents of ≤ 64 dimensions takes
 * seconds, and the same input gives the same mixture on every backend and in a browser page.
 *
 * The fit is EM (Bishop, PRML §9.2.2) from a k-means++ start (Arthur & Vassilvitskii 2007) seeded by the engine's
 * Rng, with log-sum-exp responsibilities and a floor added to every covariance's diagonal, so no component can
 * shrink onto a single latent (the likelihood's singularity, PRML §9.2.1).
 */
import { hashSeed, normals, Rng, SeedTag } from './rng.js';
import { latentSeed, type LatentSampler } from './sampler.js';

/** Full covariance matrices (Ghosh et al.) or diagonal ones (d parameters per component instead of d(d+1)/2). */
export type CovarianceKind = 'full' | 'diagonal';

/** A fitted mixture: plain arrays, so it is its own JSON. */
export interface GaussianMixture {
  dim: number;
  covariance: CovarianceKind;
  /** Mixing weights, K values summing to 1. */
  weights: number[];
  /** K means of `dim` values. */
  means: number[][];
  /** K covariances: `dim × dim` row-major (full) or the `dim` variances (diagonal), the floor included. */
  covariances: number[][];
}

export interface MixtureFitOptions {
  /** K; a set of fewer latents than K gets one component per latent. */
  components: number;
  covariance: CovarianceKind;
  /** Seeds the k-means++ start; the same latents and seed give the same mixture. */
  seed: number;
  /** Added to every variance, as a fraction of the latents' mean variance (sklearn's reg_covar, made relative). */
  covarianceFloor?: number;
  maxIterations?: number;
  /** EM stops when the mean log-likelihood per latent rises by less than this (nats). */
  tolerance?: number;
}

export interface MixtureFit {
  mixture: GaussianMixture;
  /** Mean log-density of the fitted latents under the mixture, nats per latent. */
  logLikelihood: number;
  /** Bayesian information criterion, −2·N·logLikelihood + parameters·ln N (lower is better). */
  bic: number;
  iterations: number;
  converged: boolean;
}

export const DEFAULT_COVARIANCE_FLOOR = 1e-6;
const DEFAULT_MAX_ITERATIONS = 300;
const DEFAULT_TOLERANCE = 1e-5;
const LLOYD_ITERATIONS = 20;
const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Fits a K-component Gaussian mixture to `points` (N vectors of one length) by EM from a seeded k-means++ start.
 * Deterministic: the same points, options and seed give the same mixture, bit for bit.
 */
export function fitGaussianMixture(points: ArrayLike<number>[], options: MixtureFitOptions): MixtureFit {
  const n = points.length;
  if (n === 0) throw new Error('a mixture needs at least one latent to fit');
  const d = points[0]!.length;
  if (d === 0) throw new Error('latents of 0 dimensions');
  if (!Number.isInteger(options.components) || options.components < 1) {
    throw new Error(`components must be a whole number ≥ 1, got ${options.components}`);
  }
  const x = new Float64Array(n * d);
  points.forEach((p, i) => {
    if (p.length !== d) throw new Error(`latent ${i} has ${p.length} dimensions, the first has ${d}`);
    for (let j = 0; j < d; j++) x[i * d + j] = p[j]!;
  });
  if (!x.every(Number.isFinite)) throw new Error('the latents hold values that are not finite');
  const k = Math.min(options.components, n);
  const full = options.covariance === 'full';
  const globalVar = columnVariances(x, n, d);
  const meanVar = globalVar.reduce((s, v) => s + v, 0) / d;
  // A latent set with no spread at all still gets a proper (tiny) density.
  const floor = (options.covarianceFloor ?? DEFAULT_COVARIANCE_FLOOR) * (meanVar > 0 ? meanVar : 1);

  let params = initialParameters(x, n, d, k, full, floor, globalVar, options.seed);
  const resp = new Float64Array(n * k);
  const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  let logLikelihood = eStep(x, n, d, params, resp);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    params = mStep(x, n, d, k, full, floor, resp);
    const next = eStep(x, n, d, params, resp);
    iterations++;
    const gain = next - logLikelihood;
    logLikelihood = next;
    if (Math.abs(gain) < tolerance) {
      converged = true;
      break;
    }
  }
  const mixture: GaussianMixture = {
    dim: d,
    covariance: options.covariance,
    weights: Array.from(params.weights),
    means: params.means.map((m) => Array.from(m)),
    covariances: params.covariances.map((c) => Array.from(c)),
  };
  const freeParameters = k - 1 + k * d + k * (full ? (d * (d + 1)) / 2 : d);
  return {
    mixture,
    logLikelihood,
    bic: -2 * n * logLikelihood + freeParameters * Math.log(n),
    iterations,
    converged,
  };
}

/** log p(x) of each point under `mixture`, nats. */
export function mixtureLogDensity(mixture: GaussianMixture, points: ArrayLike<number>[]): Float64Array {
  const { dim: d } = mixture;
  const n = points.length;
  const x = new Float64Array(n * d);
  points.forEach((p, i) => {
    if (p.length !== d) throw new Error(`point ${i} has ${p.length} dimensions, the mixture ${d}`);
    for (let j = 0; j < d; j++) x[i * d + j] = p[j]!;
  });
  const params: Parameters = {
    full: mixture.covariance === 'full',
    weights: Float64Array.from(mixture.weights),
    means: mixture.means.map((m) => Float64Array.from(m)),
    covariances: mixture.covariances.map((c) => Float64Array.from(c)),
  };
  const resp = new Float64Array(n * mixture.weights.length);
  const out = new Float64Array(n);
  eStep(x, n, d, params, resp, out);
  return out;
}

/**
 * A sampler drawing from `mixture`: latent i of a generation seeded with `seed` takes its component from the
 * seed's stream `hashSeed(latentSeed(seed, i), SeedTag.component)` and its noise ε from `latentSeed(seed, i)`,
 * the very normals the prior sampler would scale, so it depends only on (seed, i, temperature) and the mixture.
 * z = μ_k + temperature · L_k ε, L_k the Cholesky factor of Σ_k: temperature scales the component's spread.
 */
export function mixtureSampler(mixture: GaussianMixture): LatentSampler {
  const d = mixture.dim;
  const k = mixture.weights.length;
  const full = mixture.covariance === 'full';
  const factors = mixture.covariances.map((c) =>
    full ? cholesky(Float64Array.from(c), d) : Float64Array.from(c, Math.sqrt),
  );
  const cumulative = new Float64Array(k);
  let total = 0;
  mixture.weights.forEach((w, j) => (cumulative[j] = total += w));
  return {
    kind: 'gmm',
    latentDim: d,
    sample(count, seed, temperature, startIndex = 0) {
      const out: Float32Array[] = [];
      for (let i = 0; i < count; i++) {
        const s = latentSeed(seed, startIndex + i);
        const u = new Rng(hashSeed(s, SeedTag.component)).next() * total;
        let c = 0;
        while (c < k - 1 && u >= cumulative[c]!) c++;
        const eps = normals(d, s);
        const mean = mixture.means[c]!;
        const factor = factors[c]!;
        const z = new Float32Array(d);
        for (let r = 0; r < d; r++) {
          let v = 0;
          if (full) for (let j = 0; j <= r; j++) v += factor[r * d + j]! * eps[j]!;
          else v = factor[r]! * eps[r]!;
          z[r] = mean[r]! + temperature * v;
        }
        out.push(z);
      }
      return out;
    },
  };
}

/** The working form of a mixture: typed arrays, covariances as `GaussianMixture` stores them. */
interface Parameters {
  full: boolean;
  weights: Float64Array;
  means: Float64Array[];
  covariances: Float64Array[];
}

function columnVariances(x: Float64Array, n: number, d: number): Float64Array {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += x[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= n;
  const v = new Float64Array(d);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) {
      const e = x[i * d + j]! - mean[j]!;
      v[j]! += e * e;
    }
  for (let j = 0; j < d; j++) v[j]! /= n;
  return v;
}

/**
 * The start: k-means++ centres (each next centre drawn with probability ∝ its squared distance to the nearest
 * chosen one), a few Lloyd iterations, then each cluster's share, mean and covariance (plus the floor; a cluster
 * of fewer than d + 1 latents, whose covariance would be singular, takes the whole set's variances).
 */
function initialParameters(
  x: Float64Array,
  n: number,
  d: number,
  k: number,
  full: boolean,
  floor: number,
  globalVar: Float64Array,
  seed: number,
): Parameters {
  const rng = new Rng(hashSeed(seed, SeedTag.mixture));
  const centres: Float64Array[] = [];
  const first = rng.int(n);
  centres.push(x.slice(first * d, (first + 1) * d));
  const nearest = new Float64Array(n).fill(Infinity);
  while (centres.length < k) {
    const last = centres[centres.length - 1]!;
    let total = 0;
    for (let i = 0; i < n; i++) {
      nearest[i] = Math.min(nearest[i]!, squaredDistance(x, i, d, last));
      total += nearest[i]!;
    }
    let pick = rng.int(n);
    if (total > 0) {
      let u = rng.next() * total;
      for (let i = 0; i < n; i++) {
        u -= nearest[i]!;
        if (u < 0 || i === n - 1) {
          pick = i;
          break;
        }
      }
    }
    centres.push(x.slice(pick * d, (pick + 1) * d));
  }
  const label = new Int32Array(n).fill(-1);
  for (let iteration = 0; iteration < LLOYD_ITERATIONS; iteration++) {
    let changed = false;
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestDistance = Infinity;
      for (let c = 0; c < k; c++) {
        const dist = squaredDistance(x, i, d, centres[c]!);
        if (dist < bestDistance) [best, bestDistance] = [c, dist];
      }
      if (label[i] !== best) [label[i], changed] = [best, true];
    }
    if (!changed) break;
    const sums = centres.map(() => new Float64Array(d));
    const counts = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      const c = label[i]!;
      counts[c]!++;
      for (let j = 0; j < d; j++) sums[c]![j]! += x[i * d + j]!;
    }
    // An emptied cluster keeps its centre.
    for (let c = 0; c < k; c++) if (counts[c]! > 0) centres[c] = sums[c]!.map((s) => s / counts[c]!);
  }
  const resp = new Float64Array(n * k);
  for (let i = 0; i < n; i++) resp[i * k + label[i]!] = 1;
  const params = mStep(x, n, d, k, full, floor, resp);
  for (let c = 0; c < k; c++) {
    let count = 0;
    for (let i = 0; i < n; i++) count += resp[i * k + c]!;
    if (count >= d + 1) continue;
    params.means[c] = centres[c]!;
    params.covariances[c] = full ? diagonalMatrix(globalVar, d, floor) : globalVar.map((v) => v + floor);
  }
  return params;
}

function diagonalMatrix(variances: Float64Array, d: number, floor: number): Float64Array {
  const m = new Float64Array(d * d);
  for (let j = 0; j < d; j++) m[j * d + j] = variances[j]! + floor;
  return m;
}

function squaredDistance(x: Float64Array, i: number, d: number, centre: Float64Array): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const e = x[i * d + j]! - centre[j]!;
    s += e * e;
  }
  return s;
}

/**
 * Responsibilities r[i·K + c] = p(c | x_i) by log-sum-exp, so a latent far from every component still divides
 * by a finite number; returns the mean log-likelihood and, into `logDensity`, each point's log p(x_i).
 */
function eStep(
  x: Float64Array,
  n: number,
  d: number,
  params: Parameters,
  resp: Float64Array,
  logDensity?: Float64Array,
): number {
  const k = params.weights.length;
  const diff = new Float64Array(d);
  for (let c = 0; c < k; c++) {
    const cov = params.covariances[c]!;
    const mean = params.means[c]!;
    const factor = params.full ? cholesky(cov, d) : cov;
    let logDet = 0;
    for (let j = 0; j < d; j++) logDet += params.full ? 2 * Math.log(factor[j * d + j]!) : Math.log(cov[j]!);
    const constant = Math.log(params.weights[c]!) - 0.5 * (d * LOG_2PI + logDet);
    for (let i = 0; i < n; i++) {
      let maha = 0;
      if (params.full) {
        // Forward substitution L y = x − μ; |y|² is the Mahalanobis distance.
        for (let r = 0; r < d; r++) {
          let v = x[i * d + r]! - mean[r]!;
          for (let j = 0; j < r; j++) v -= factor[r * d + j]! * diff[j]!;
          diff[r] = v / factor[r * d + r]!;
          maha += diff[r]! * diff[r]!;
        }
      } else {
        for (let j = 0; j < d; j++) {
          const e = x[i * d + j]! - mean[j]!;
          maha += (e * e) / cov[j]!;
        }
      }
      resp[i * k + c] = constant - 0.5 * maha;
    }
  }
  let total = 0;
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, resp[i * k + c]!);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(resp[i * k + c]! - max);
    const logP = max + Math.log(sum);
    for (let c = 0; c < k; c++) resp[i * k + c] = Math.exp(resp[i * k + c]! - logP);
    if (logDensity) logDensity[i] = logP;
    total += logP;
  }
  return total / n;
}

/** Weights, means and covariances (plus the floor) from responsibilities (PRML eqs. 9.24–9.26). */
function mStep(
  x: Float64Array,
  n: number,
  d: number,
  k: number,
  full: boolean,
  floor: number,
  resp: Float64Array,
): Parameters {
  const weights = new Float64Array(k);
  const means: Float64Array[] = [];
  const covariances: Float64Array[] = [];
  for (let c = 0; c < k; c++) {
    // sklearn's 10·ε keeps an emptied component's division finite; the floor keeps its covariance proper.
    let nk = 10 * Number.EPSILON;
    const mean = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      const r = resp[i * k + c]!;
      nk += r;
      for (let j = 0; j < d; j++) mean[j]! += r * x[i * d + j]!;
    }
    for (let j = 0; j < d; j++) mean[j]! /= nk;
    const cov = new Float64Array(full ? d * d : d);
    const e = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      const r = resp[i * k + c]!;
      if (r === 0) continue;
      for (let j = 0; j < d; j++) e[j] = x[i * d + j]! - mean[j]!;
      if (full) {
        for (let a = 0; a < d; a++) {
          const ra = r * e[a]!;
          for (let b = 0; b <= a; b++) cov[a * d + b]! += ra * e[b]!;
        }
      } else {
        for (let j = 0; j < d; j++) cov[j]! += r * e[j]! * e[j]!;
      }
    }
    if (full) {
      for (let a = 0; a < d; a++) {
        for (let b = 0; b <= a; b++) {
          const v = cov[a * d + b]! / nk + (a === b ? floor : 0);
          cov[a * d + b] = v;
          cov[b * d + a] = v;
        }
      }
    } else {
      for (let j = 0; j < d; j++) cov[j] = cov[j]! / nk + floor;
    }
    weights[c] = nk / n;
    means.push(mean);
    covariances.push(cov);
  }
  const sum = weights.reduce((s, w) => s + w, 0);
  for (let c = 0; c < k; c++) weights[c]! /= sum;
  return { full, weights, means, covariances };
}

/**
 * The lower Cholesky factor of a symmetric positive-definite `d × d` row-major matrix. The floor keeps every
 * covariance positive definite; a pivot that rounding still drives to ≤ 0 is clamped to a tiny positive value.
 */
export function cholesky(a: Float64Array, d: number): Float64Array {
  const l = new Float64Array(d * d);
  for (let r = 0; r < d; r++) {
    for (let c = 0; c <= r; c++) {
      let s = a[r * d + c]!;
      for (let j = 0; j < c; j++) s -= l[r * d + j]! * l[c * d + j]!;
      if (r === c) l[r * d + r] = Math.sqrt(Math.max(s, 1e-300));
      else l[r * d + c] = s / l[c * d + c]!;
    }
  }
  return l;
}
