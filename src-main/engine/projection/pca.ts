/**
 * Principal component analysis of a set of vectors (the latent means μ(x) of a dataset, L ≤ 64 numbers each):
 * the covariance's eigen-decomposition in float64 (symmetricEigen, Householder + QL), so it costs one pass over
 * the points plus an L×L solve. No randomness: the same points give the same axes, each signed so that its
 * largest-magnitude entry is positive (an eigenvector is only defined up to its sign).
 */
import { symmetricEigen } from '../quality/symmetricEigen.js';
import { checkFeatureSet, type FeatureSet } from '../quality/featureSet.js';

/** The leading principal axes of a set. */
export interface PrincipalComponents {
  dim: number;
  /** The set's mean, `dim` values. */
  mean: Float64Array;
  /** `count × dim`, row-major: row k is the unit axis of the k-th largest variance. */
  axes: Float64Array;
  count: number;
  /** The variance along each axis, descending. */
  variances: Float64Array;
  /** The fraction of the total variance each axis holds. */
  explained: Float64Array;
}

/**
 * The `components` leading principal axes of `set` (at most its dimension).
 * @throws RangeError on an empty set or a non-finite value.
 */
export function principalComponents(set: FeatureSet, components: number): PrincipalComponents {
  checkFeatureSet(set, 'principalComponents');
  const { count, dim, values } = set;
  const k = Math.max(1, Math.min(dim, Math.floor(components)));
  const mean = new Float64Array(dim);
  for (let i = 0; i < count; i++) for (let c = 0; c < dim; c++) mean[c] = mean[c]! + values[i * dim + c]!;
  for (let c = 0; c < dim; c++) mean[c] = mean[c]! / count;
  // The lower triangle of the covariance is all symmetricEigen reads.
  const cov = new Float64Array(dim * dim);
  const row = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    for (let c = 0; c < dim; c++) row[c] = values[i * dim + c]! - mean[c]!;
    for (let r = 0; r < dim; r++) {
      const x = row[r]!;
      for (let c = 0; c <= r; c++) cov[r * dim + c] = cov[r * dim + c]! + x * row[c]!;
    }
  }
  const scale = 1 / Math.max(1, count - 1);
  for (let r = 0; r < dim; r++) for (let c = 0; c <= r; c++) cov[r * dim + c] = cov[r * dim + c]! * scale;
  const eigen = symmetricEigen(cov, dim);
  const total = eigen.values.reduce((s, v) => s + Math.max(0, v), 0);
  const axes = new Float64Array(k * dim);
  const variances = new Float64Array(k);
  const explained = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    // Ascending eigenvalues: the largest is last.
    const from = dim - 1 - j;
    const axis = eigen.vectors!.subarray(from * dim, (from + 1) * dim);
    let largest = 0;
    for (let c = 0; c < dim; c++) if (Math.abs(axis[c]!) > Math.abs(axis[largest]!)) largest = c;
    const sign = axis[largest]! < 0 ? -1 : 1;
    for (let c = 0; c < dim; c++) axes[j * dim + c] = sign * axis[c]!;
    variances[j] = Math.max(0, eigen.values[from]!);
    explained[j] = total > 0 ? variances[j]! / total : 0;
  }
  return { dim, mean, axes, count: k, variances, explained };
}

/** Each point of `set` in the coordinates of `pca`'s axes: `set.count × pca.count`, float32. */
export function projectOnto(set: FeatureSet, pca: PrincipalComponents): FeatureSet {
  const { count, dim, values } = set;
  if (dim !== pca.dim) throw new RangeError(`projectOnto: points of ${dim} values, axes of ${pca.dim}`);
  const k = pca.count;
  const out = new Float32Array(count * k);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let c = 0; c < dim; c++) s += (values[i * dim + c]! - pca.mean[c]!) * pca.axes[j * dim + c]!;
      out[i * k + j] = s;
    }
  }
  return { count, dim: k, values: out };
}
