/**
 * The sets of feature vectors the quality metrics compare: one row per image (real or generated), the features of a
 * pretrained network (768 or 2048 numbers each, say), row-major. The metrics compute in float64 throughout.
 */

/** `count` feature vectors of `dim` numbers each, row-major: row i is `values[i·dim … (i+1)·dim)`. */
export interface FeatureSet {
  count: number;
  dim: number;
  values: Float32Array;
}

/** Checks a set's shape and values (finite numbers, `values.length = count·dim`), naming `what` in the error. */
export function checkFeatureSet(set: FeatureSet, what: string, minCount = 1): void {
  if (!Number.isInteger(set.count) || !Number.isInteger(set.dim) || set.dim < 1) {
    throw new RangeError(`${what}: count and dim must be integers, dim ≥ 1 (got ${set.count}×${set.dim})`);
  }
  if (set.count < minCount) {
    throw new RangeError(`${what}: needs at least ${minCount} feature vectors, got ${set.count}`);
  }
  if (set.values.length !== set.count * set.dim) {
    throw new RangeError(`${what}: ${set.values.length} values for ${set.count}×${set.dim} features`);
  }
  for (let i = 0; i < set.values.length; i++) {
    if (!Number.isFinite(set.values[i]!)) {
      throw new RangeError(`${what}: feature ${i % set.dim} of row ${Math.floor(i / set.dim)} is not finite`);
    }
  }
}

/** Checks that two sets have the same dimension. */
export function checkSameDim(a: FeatureSet, b: FeatureSet): void {
  if (a.dim !== b.dim) throw new RangeError(`feature sets differ in dimension: ${a.dim} and ${b.dim}`);
}

/** A set's values as float64, row-major (a copy). */
export function toFloat64(set: FeatureSet): Float64Array {
  return Float64Array.from(set.values);
}

/** The mean row of an n×d row-major matrix. */
export function columnMeans(x: Float64Array, n: number, d: number): Float64Array {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let j = 0; j < d; j++) mean[j]! += x[row + j]!;
  }
  for (let j = 0; j < d; j++) mean[j]! /= n;
  return mean;
}

/** Subtracts `mean` from every row of the n×d row-major `x`, in place. */
export function subtractRows(x: Float64Array, n: number, d: number, mean: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let j = 0; j < d; j++) x[row + j]! -= mean[j]!;
  }
}

/** The rows `rows` of an n×d row-major float32 set, gathered into a new float64 matrix (rows.length × d). */
export function gatherRows(set: FeatureSet, rows: ArrayLike<number>): Float64Array {
  const d = set.dim;
  const out = new Float64Array(rows.length * d);
  for (let r = 0; r < rows.length; r++) {
    const from = rows[r]! * d;
    for (let j = 0; j < d; j++) out[r * d + j] = set.values[from + j]!;
  }
  return out;
}
