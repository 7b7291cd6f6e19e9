/**
 * KID, the kernel inception distance (Bińkowski et al. 2018, "Demystifying MMD GANs", §3 and appendix D): the
 * unbiased estimate of the squared MMD between the two feature distributions with the cubic polynomial kernel
 * k(x, y) = (xᵀy/d + 1)³,
 *
 *   MMD²ᵤ = Σ_{a≠b} k(xₐ, x_b)/(s(s−1)) + Σ_{a≠b} k(yₐ, y_b)/(s(s−1)) − 2 Σ_{a,b} k(xₐ, y_b)/s²,
 *
 * averaged over random subsets of s rows of each set (drawn without replacement, the engine's Rng; 100 subsets as
 * in the paper's code). The estimate is unbiased at any subset size, so the size only sets the noise. The default
 * size is min(1000, ⌊min(n, m)/2⌋): the paper's min(1000, n) makes every subset the whole set once n ≤ 1000, which
 * leaves no spread to report; half the smaller set keeps one.
 *
 * The spread: `std` is the standard deviation of the subset estimates (what the paper's code reports as the KID
 * std), the uncertainty of one size-s estimate. Subsets of the same rows overlap, so they are not S independent
 * draws: `standardError` = std·√max(1/S, s/min(n, m)) counts them as min(S, min(n, m)/s) independent ones. That is
 * about right when the distributions differ and cautious when they match (MMD²ᵤ is a degenerate U-statistic then,
 * its variance falls as 1/s², faster than the count assumes).
 *
 * When the kernel matrices of both sets fit in {@link MAX_KERNEL_ENTRIES} (n = m ≈ 2300), they are computed once and
 * each subset only sums entries; otherwise each subset computes its own.
 */
import { checkFeatureSet, checkSameDim, gatherRows, toFloat64, type FeatureSet } from './featureSet.js';
import { multiplyABt } from './matmul.js';
import { hashSeed, Rng, SeedTag } from '../rng.js';

/** 16M float64 entries: 128 MiB for the three kernel matrices. */
export const MAX_KERNEL_ENTRIES = 16 * 1024 * 1024;

/** The KID estimate of {@link kid}: the mean over subsets and its spread. */
export interface KidResult {
  /** The mean of the subsets' unbiased MMD² (the KID; can be slightly negative when the sets match). */
  mean: number;
  /** The standard deviation of the subset estimates. */
  std: number;
  /** The standard error of `mean`, counting overlapping subsets as fewer independent ones (see the file). */
  standardError: number;
  subsets: number;
  subsetSize: number;
}

/** Options of {@link kid}. */
export interface KidOptions {
  /** How many subsets (default 100). */
  subsets?: number;
  /** Rows per subset (default min(1000, ⌊min(n, m)/2⌋), at least 2). */
  subsetSize?: number;
  /** Seed of the subsets (default 0). */
  seed?: number;
  /** Kernel matrices larger than this many entries in all are not precomputed (for tests; default 16M). */
  maxKernelEntries?: number;
}

/** KID of `generated` against `real` (see the file's comment for the estimator and its spread). */
export function kid(real: FeatureSet, generated: FeatureSet, options: KidOptions = {}): KidResult {
  checkFeatureSet(real, 'kid: real', 2);
  checkFeatureSet(generated, 'kid: generated', 2);
  checkSameDim(real, generated);
  const n = real.count;
  const m = generated.count;
  const d = real.dim;
  const smaller = Math.min(n, m);
  const subsets = options.subsets ?? 100;
  const s = options.subsetSize ?? Math.max(2, Math.min(1000, Math.floor(smaller / 2)));
  if (!Number.isInteger(subsets) || subsets < 1)
    throw new RangeError(`kid: subsets must be ≥ 1, got ${subsets}`);
  if (!Number.isInteger(s) || s < 2 || s > smaller) {
    throw new RangeError(`kid: subsetSize must be an integer in 2…${smaller}, got ${s}`);
  }
  const rng = new Rng(hashSeed(options.seed ?? 0, SeedTag.kid));
  const estimates = new Float64Array(subsets);
  if (n * n + m * m + n * m <= (options.maxKernelEntries ?? MAX_KERNEL_ENTRIES)) {
    const x = toFloat64(real);
    const y = toFloat64(generated);
    const kxx = polynomialKernel(x, n, x, n, d, true);
    const kyy = polynomialKernel(y, m, y, m, d, true);
    const kxy = polynomialKernel(x, n, y, m, d, false);
    for (let t = 0; t < subsets; t++) {
      const a = sample(rng, n, s);
      const b = sample(rng, m, s);
      estimates[t] = mmd2Unbiased(
        offDiagonalSum(kxx, n, a) / (s * (s - 1)),
        offDiagonalSum(kyy, m, b) / (s * (s - 1)),
        crossSum(kxy, m, a, b) / (s * s),
      );
    }
  } else {
    for (let t = 0; t < subsets; t++) {
      const x = gatherRows(real, sample(rng, n, s));
      const y = gatherRows(generated, sample(rng, m, s));
      estimates[t] = polynomialMmd2OfRows(x, y, s, s, d);
    }
  }
  let mean = 0;
  for (const e of estimates) mean += e;
  mean /= subsets;
  let squares = 0;
  for (const e of estimates) squares += (e - mean) ** 2;
  const std = subsets > 1 ? Math.sqrt(squares / (subsets - 1)) : 0;
  const standardError = std * Math.sqrt(Math.max(1 / subsets, s / smaller));
  return { mean, std, standardError, subsets, subsetSize: s };
}

/**
 * The unbiased MMD² of two whole sets (at least 2 rows each) with the KID kernel: one "subset" of everything.
 */
export function polynomialMmd2(x: FeatureSet, y: FeatureSet): number {
  checkFeatureSet(x, 'polynomialMmd2: x', 2);
  checkFeatureSet(y, 'polynomialMmd2: y', 2);
  checkSameDim(x, y);
  return polynomialMmd2OfRows(toFloat64(x), toFloat64(y), x.count, y.count, x.dim);
}

function polynomialMmd2OfRows(x: Float64Array, y: Float64Array, n: number, m: number, d: number): number {
  const all = (count: number): Int32Array => Int32Array.from({ length: count }, (_, i) => i);
  const kxx = polynomialKernel(x, n, x, n, d, true);
  const kyy = polynomialKernel(y, m, y, m, d, true);
  const kxy = polynomialKernel(x, n, y, m, d, false);
  return mmd2Unbiased(
    offDiagonalSum(kxx, n, all(n)) / (n * (n - 1)),
    offDiagonalSum(kyy, m, all(m)) / (m * (m - 1)),
    crossSum(kxy, m, all(n), all(m)) / (n * m),
  );
}

function mmd2Unbiased(meanXx: number, meanYy: number, meanXy: number): number {
  return meanXx + meanYy - 2 * meanXy;
}

/** k(a_i, b_j) = (a_iᵀb_j/d + 1)³ for all pairs: p×q, row-major. */
function polynomialKernel(
  a: Float64Array,
  p: number,
  b: Float64Array,
  q: number,
  d: number,
  symmetric: boolean,
): Float64Array {
  const k = multiplyABt(a, p, b, q, d, { symmetric });
  for (let i = 0; i < k.length; i++) {
    const base = k[i]! / d + 1;
    k[i] = base * base * base;
  }
  return k;
}

/** Σ_{a≠b} K[rows[a]][rows[b]] of a symmetric n×n K (twice the sum over a < b). */
function offDiagonalSum(k: Float64Array, n: number, rows: Int32Array): number {
  let sum = 0;
  for (let a = 0; a < rows.length; a++) {
    const base = rows[a]! * n;
    for (let b = a + 1; b < rows.length; b++) sum += k[base + rows[b]!]!;
  }
  return 2 * sum;
}

/** Σ_{a,b} K[rowsA[a]][rowsB[b]] of an n×m K. */
function crossSum(k: Float64Array, m: number, rowsA: Int32Array, rowsB: Int32Array): number {
  let sum = 0;
  for (let a = 0; a < rowsA.length; a++) {
    const base = rowsA[a]! * m;
    for (let b = 0; b < rowsB.length; b++) sum += k[base + rowsB[b]!]!;
  }
  return sum;
}

/** `s` distinct indices of 0…n−1, uniformly (partial Fisher–Yates), sorted so kernel rows are read in order. */
function sample(rng: Rng, n: number, s: number): Int32Array {
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < s; i++) {
    const j = i + rng.int(n - i);
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  return perm.subarray(0, s).sort();
}
