/**
 * The Fréchet distance between two Gaussians fitted to feature sets (FID, Heusel et al. 2017, eq. 6):
 *
 *   d² = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁Σ₂)^{1/2}),
 *
 * with unbiased covariances (n − 1). Tr (Σ₁Σ₂)^{1/2} is the sum of the square roots of the eigenvalues of Σ₁Σ₂,
 * which are those of the symmetric PSD matrix Σ₁^{1/2} Σ₂ Σ₁^{1/2}; no non-symmetric square root is ever taken.
 * Two ways to that trace, same value to rounding:
 *
 * - `covariance`: Σ₁ = Fᵀ F (pivoted Cholesky, F r×d), then the eigenvalues of F Σ₂ Fᵀ, which Σ₁Σ₂ = FᵀF Σ₂ shares
 *   (as does Σ₁^{1/2} Σ₂ Σ₁^{1/2}). About (n+m)·d²/2 + 3·d³ multiply–adds; works from stored statistics too. (An
 *   eigendecomposition of Σ₁ for Σ₁^{1/2} gives the same numbers at 2½ times the cost: 30 s with vectors at d = 2048.)
 * - `gram`: with centred data X (n×d), Y (m×d), Σ₁^{1/2} Σ₂ Σ₁^{1/2} has the non-zero eigenvalues of C Cᵀ/((n−1)(m−1))
 *   where C = Y Xᵀ, so the trace is the nuclear norm of C over √((n−1)(m−1)). About n·m·d + s²·l/2 + (2/3)·s³
 *   multiply–adds (s, l the smaller and larger count): cheaper when the sets are small beside d.
 *
 * Eigenvalues within rounding of zero (below r·ε·max λ, see rankTolerance), negative ones included, count as 0.
 */
import {
  checkFeatureSet,
  checkSameDim,
  columnMeans,
  subtractRows,
  toFloat64,
  type FeatureSet,
} from './featureSet.js';
import { multiplyABt, transpose } from './matmul.js';
import { pivotedCholesky } from './cholesky.js';
import { symmetricEigen } from './symmetricEigen.js';

/** The Gaussian fitted to a feature set: its count, mean (d) and unbiased covariance (d×d, row-major). */
export interface FeatureStatistics {
  count: number;
  dim: number;
  mean: Float64Array;
  covariance: Float64Array;
}

/** How {@link fid} reaches Tr (Σ₁Σ₂)^{1/2}; `auto` takes the one with fewer multiply–adds. */
export type FidMethod = 'auto' | 'covariance' | 'gram';

/**
 * The mean and unbiased covariance of a feature set (at least 2 rows), as XᵀX/(n − 1) of the centred data, computed
 * from its transpose so the blocked kernel multiplies contiguous rows (only the upper triangle, then mirrored).
 */
export function featureStatistics(set: FeatureSet): FeatureStatistics {
  checkFeatureSet(set, 'featureStatistics', 2);
  const { count: n, dim: d } = set;
  const x = toFloat64(set);
  const mean = columnMeans(x, n, d);
  subtractRows(x, n, d, mean);
  const xt = transpose(x, n, d);
  const covariance = multiplyABt(xt, d, xt, d, n, { symmetric: true });
  for (let i = 0; i < d * d; i++) covariance[i]! /= n - 1;
  return { count: n, dim: d, mean, covariance };
}

/** The Fréchet distance between the Gaussians N(μ₁, Σ₁) and N(μ₂, Σ₂) (the `covariance` way). */
export function frechetDistance(a: FeatureStatistics, b: FeatureStatistics): number {
  if (a.dim !== b.dim) throw new RangeError(`frechetDistance: dimensions differ (${a.dim} and ${b.dim})`);
  const d = a.dim;
  const traceSqrt = traceSqrtProduct(a.covariance, b.covariance, d);
  return combine(squaredDistance(a.mean, b.mean), trace(a.covariance, d) + trace(b.covariance, d), traceSqrt);
}

/**
 * Tr (Σ₁Σ₂)^{1/2} for symmetric PSD d×d matrices: Σ₁ = Fᵀ F (pivoted Cholesky, F r×d), so Σ₁Σ₂ = FᵀF Σ₂ has the
 * non-zero eigenvalues of the symmetric PSD F Σ₂ Fᵀ (r×r); the trace is the sum of their square roots.
 */
export function traceSqrtProduct(sigma1: Float64Array, sigma2: Float64Array, d: number): number {
  const { rank: r, factor: pt } = pivotedCholesky(sigma1, d);
  if (r === 0) return 0;
  const t = multiplyABt(pt, r, sigma2, d, d); // F Σ₂ (Σ₂ symmetric, so Σ₂ = Σ₂ᵀ)
  const m = multiplyABt(t, r, pt, r, d); // F Σ₂ Fᵀ
  return sumSqrtEigenvalues(m, r);
}

/**
 * FID between two feature sets (each at least 2 rows). `method` picks the way to the trace term (see the file's
 * comment); the value does not depend on it beyond rounding.
 */
export function fid(real: FeatureSet, generated: FeatureSet, options: { method?: FidMethod } = {}): number {
  checkFeatureSet(real, 'fid: real', 2);
  checkFeatureSet(generated, 'fid: generated', 2);
  checkSameDim(real, generated);
  const method =
    options.method === undefined || options.method === 'auto'
      ? fidMethodFor(real.count, generated.count, real.dim)
      : options.method;
  if (method === 'covariance') return frechetDistance(featureStatistics(real), featureStatistics(generated));
  return fidByGram(real, generated);
}

/** The cheaper way for n and m rows of d features, by the multiply–add counts in the file's comment. */
export function fidMethodFor(n: number, m: number, d: number): 'covariance' | 'gram' {
  const s = Math.min(n, m);
  const l = Math.max(n, m);
  const covarianceCost = ((n + m) * d * d) / 2 + 3 * d ** 3;
  const gramCost = n * m * d + (s * s * l) / 2 + (2 / 3) * s ** 3;
  return gramCost < covarianceCost ? 'gram' : 'covariance';
}

function fidByGram(real: FeatureSet, generated: FeatureSet): number {
  const d = real.dim;
  const n = real.count;
  const m = generated.count;
  const x = toFloat64(real);
  const y = toFloat64(generated);
  const muX = columnMeans(x, n, d);
  const muY = columnMeans(y, m, d);
  subtractRows(x, n, d, muX);
  subtractRows(y, m, d, muY);
  const traces = sumSquares(x) / (n - 1) + sumSquares(y) / (m - 1);
  // C = S Lᵀ with S the smaller set, so C Cᵀ is s×s.
  const [small, sCount, large, lCount] = n <= m ? [x, n, y, m] : [y, m, x, n];
  const c = multiplyABt(small, sCount, large, lCount, d);
  const g = multiplyABt(c, sCount, c, sCount, lCount, { symmetric: true });
  const traceSqrt = sumSqrtEigenvalues(g, sCount) / Math.sqrt((n - 1) * (m - 1));
  return combine(squaredDistance(muX, muY), traces, traceSqrt);
}

/** Σ √max(λ, 0) over the eigenvalues of a symmetric PSD r×r matrix (symmetrised first: rounding breaks it). */
function sumSqrtEigenvalues(matrix: Float64Array, r: number): number {
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < i; j++) {
      const mean = 0.5 * (matrix[i * r + j]! + matrix[j * r + i]!);
      matrix[i * r + j] = mean;
      matrix[j * r + i] = mean;
    }
  }
  const { values } = symmetricEigen(matrix, r, { vectors: false });
  const cut = rankTolerance(values, r);
  let sum = 0;
  for (let k = 0; k < r; k++) if (values[k]! > cut) sum += Math.sqrt(values[k]!);
  return sum;
}

/**
 * Eigenvalues up to r·ε·max|λ| are rounding, not signal (numpy's matrix_rank uses the same bound): a rank-deficient
 * matrix (fewer rows than features, or more rows than features in the Gram way) has hundreds of them, of either
 * sign, and the square roots of the positive ones would add about √(r·ε·max λ) each to the trace.
 */
function rankTolerance(ascending: Float64Array, r: number): number {
  if (r === 0) return 0;
  return r * 2 ** -52 * Math.max(Math.abs(ascending[0]!), Math.abs(ascending[r - 1]!));
}

/** ‖μ₁ − μ₂‖² + Tr Σ₁ + Tr Σ₂ − 2 Tr (Σ₁Σ₂)^{1/2}, never below 0 (rounding can take an equal pair to −1e-13). */
function combine(meanTerm: number, traces: number, traceSqrt: number): number {
  return Math.max(0, meanTerm + traces - 2 * traceSqrt);
}

function squaredDistance(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return s;
}

function trace(m: Float64Array, d: number): number {
  let s = 0;
  for (let i = 0; i < d; i++) s += m[i * d + i]!;
  return s;
}

function sumSquares(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return s;
}
