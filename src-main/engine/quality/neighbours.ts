/**
 * Squared Euclidean distances between two feature sets, ‖x‖² + ‖y‖² − 2·xᵀy from the blocked A·Bᵀ kernel, a block
 * of query rows at a time so memory stays at {@link BLOCK_ROWS} × (reference rows) whatever the sizes. The k-NN
 * metrics (precision, recall, density, coverage) and nearest-neighbour copy detection are built on it.
 *
 * The expansion loses about ε·(‖x‖² + ‖y‖²) to cancellation, so a distance near 0 reads as a few 1e-16 of the
 * squared norms (clamped at 0). Every entry is computed the same way wherever it falls, so the distance of one
 * pair of rows is the same number in every pass.
 */
import { checkFeatureSet, checkSameDim, toFloat64, type FeatureSet } from './featureSet.js';
import { multiplyABt } from './matmul.js';

const BLOCK_ROWS = 256;

/** A feature set in float64 with its rows' squared norms: what the distance passes read. */
export interface DistanceOperand {
  count: number;
  dim: number;
  values: Float64Array;
  norms: Float64Array;
}

/** Converts a set to float64 and computes its squared row norms. */
export function distanceOperand(set: FeatureSet): DistanceOperand {
  const values = toFloat64(set);
  const { count, dim } = set;
  const norms = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += values[i * dim + j]! ** 2;
    norms[i] = s;
  }
  return { count, dim, values, norms };
}

/**
 * Calls `visit(first, rows, block)` for consecutive blocks of query rows: `block` holds, row-major, the squared
 * distances of query rows first … first+rows−1 to every reference row (rows × reference.count). The block is
 * reused between calls.
 */
export function forEachDistanceBlock(
  query: DistanceOperand,
  reference: DistanceOperand,
  visit: (first: number, rows: number, block: Float64Array) => void,
): void {
  const d = query.dim;
  const q = reference.count;
  const block = new Float64Array(Math.min(BLOCK_ROWS, query.count) * q);
  for (let first = 0; first < query.count; first += BLOCK_ROWS) {
    const rows = Math.min(BLOCK_ROWS, query.count - first);
    const view = block.subarray(0, rows * q);
    multiplyABt(query.values.subarray(first * d, (first + rows) * d), rows, reference.values, q, d, {
      out: view,
    });
    for (let r = 0; r < rows; r++) {
      const nx = query.norms[first + r]!;
      for (let j = 0; j < q; j++) {
        const at = r * q + j;
        view[at] = Math.max(0, nx + reference.norms[j]! - 2 * view[at]!);
      }
    }
    visit(first, rows, view);
  }
}

/** All squared distances, query.count × reference.count, row-major (query row i, reference row j at i·m + j). */
export function pairwiseSquaredDistances(query: FeatureSet, reference: FeatureSet): Float64Array {
  checkFeatureSet(query, 'pairwiseSquaredDistances: query');
  checkFeatureSet(reference, 'pairwiseSquaredDistances: reference');
  checkSameDim(query, reference);
  const m = reference.count;
  const out = new Float64Array(query.count * m);
  forEachDistanceBlock(distanceOperand(query), distanceOperand(reference), (first, rows, block) => {
    out.set(block.subarray(0, rows * m), first * m);
  });
  return out;
}

/** The k nearest reference rows of every query row. */
export interface NearestNeighbours {
  k: number;
  /** count×k, row-major: the reference rows, nearest first. */
  indices: Int32Array;
  /** count×k, row-major: their Euclidean distances (not squared), ascending. */
  distances: Float64Array;
}

/**
 * The k nearest rows of `reference` to each row of `query` (ties: the lower index first). With `excludeSelf`
 * (query and reference the same set), row i is not its own neighbour. Needs k ≤ reference.count (− 1 with
 * `excludeSelf`).
 */
export function nearestNeighbours(
  query: FeatureSet,
  reference: FeatureSet,
  k: number,
  options: { excludeSelf?: boolean } = {},
): NearestNeighbours {
  checkFeatureSet(query, 'nearestNeighbours: query');
  checkFeatureSet(reference, 'nearestNeighbours: reference');
  checkSameDim(query, reference);
  const excludeSelf = options.excludeSelf === true;
  if (excludeSelf && query.count !== reference.count) {
    throw new RangeError('nearestNeighbours: excludeSelf needs the query and reference to be one set');
  }
  const available = reference.count - (excludeSelf ? 1 : 0);
  if (!Number.isInteger(k) || k < 1 || k > available) {
    throw new RangeError(`nearestNeighbours: k must be an integer in 1…${available}, got ${k}`);
  }
  const q = distanceOperand(query);
  const r = excludeSelf && query === reference ? q : distanceOperand(reference);
  const { indices, squared } = kNearest(q, r, k, excludeSelf);
  const distances = squared.map(Math.sqrt);
  return { k, indices, distances };
}

/**
 * The k smallest squared distances (and their reference rows) of every query row, by insertion into a sorted
 * list of k per row; `excludeSelf` skips reference row i for query row i.
 */
export function kNearest(
  query: DistanceOperand,
  reference: DistanceOperand,
  k: number,
  excludeSelf: boolean,
): { indices: Int32Array; squared: Float64Array } {
  const m = reference.count;
  const indices = new Int32Array(query.count * k).fill(-1);
  const squared = new Float64Array(query.count * k).fill(Infinity);
  forEachDistanceBlock(query, reference, (first, rows, block) => {
    for (let r = 0; r < rows; r++) {
      const i = first + r;
      const base = i * k;
      const last = base + k - 1;
      for (let j = 0; j < m; j++) {
        if (excludeSelf && j === i) continue;
        const dist = block[r * m + j]!;
        if (dist >= squared[last]!) continue;
        let at = last;
        while (at > base && squared[at - 1]! > dist) {
          squared[at] = squared[at - 1]!;
          indices[at] = indices[at - 1]!;
          at--;
        }
        squared[at] = dist;
        indices[at] = j;
      }
    }
  });
  return { indices, squared };
}

/** The squared distance of each row of a set to its k-th nearest other row (the radius of its k-NN ball). */
export function kthNeighbourRadii(set: DistanceOperand, k: number): Float64Array {
  const { squared } = kNearest(set, set, k, true);
  const radii = new Float64Array(set.count);
  for (let i = 0; i < set.count; i++) radii[i] = squared[i * k + k - 1]!;
  return radii;
}
