/**
 * The exact k nearest other points of every point of a low-dimensional set: the 16-D principal components UMAP
 * builds its graph from, and a 2-D map whose class agreement is measured. Two searches, both exact and with the
 * same tie rule as the quality room's blocked search (equal distances: the lower index first):
 *
 * - up to {@link PAIR_SCAN_DIMS} dimensions, a scan of every pair once (i < j), its distance offered to both rows'
 *   lists; the query row sits in locals and the 16 differences are written out, which runs ~2.5× faster in V8
 *   than the blocked A·Bᵀ product of neighbours.ts (10⁴ points × 16 dims: ≈0.9 s against ≈2.3 s on one core);
 * - in 2-D, a uniform grid searched in rings of cells around each point until the next ring lies beyond its k-th
 *   neighbour, so a 10⁴-point map costs milliseconds instead of a 10⁸-entry distance pass.
 *
 * Distances are differences squared and summed in float64, so the distance of a pair is the same number from
 * either end.
 */
import { checkFeatureSet, type FeatureSet } from '../quality/featureSet.js';
import type { NearestNeighbours } from '../quality/neighbours.js';

/** Sets of at most this many dimensions are zero-padded to it and scanned pair by pair with the unrolled kernel. */
export const PAIR_SCAN_DIMS = 16;

/** Points per grid cell, on average, in the 2-D search. */
const POINTS_PER_CELL = 2;

/**
 * The k nearest other points of each point of `set` (row i is never its own neighbour), nearest first, ties to the
 * lower index. Needs 1 ≤ k ≤ count − 1.
 * @throws RangeError on a bad k or a non-finite value.
 */
export function exactNeighbours(set: FeatureSet, k: number): NearestNeighbours {
  checkFeatureSet(set, 'exactNeighbours');
  if (!Number.isInteger(k) || k < 1 || k > set.count - 1) {
    throw new RangeError(`exactNeighbours: k must be an integer in 1…${set.count - 1}, got ${k}`);
  }
  const lists = new NeighbourLists(set.count, k);
  if (set.dim === 2) gridSearch(set, lists);
  else if (set.dim <= PAIR_SCAN_DIMS) pairScan16(padded(set, PAIR_SCAN_DIMS), set.count, lists);
  else pairScan(Float64Array.from(set.values), set.count, set.dim, lists);
  const distances = new Float64Array(lists.squared.length);
  for (let i = 0; i < distances.length; i++) distances[i] = Math.sqrt(lists.squared[i]!);
  return { k, indices: lists.indices, distances };
}

/** Each row's k best candidates so far, sorted by (squared distance, index); `worst` is the k-th (∞ until full). */
class NeighbourLists {
  readonly indices: Int32Array;
  readonly squared: Float64Array;
  readonly worst: Float64Array;

  constructor(
    count: number,
    readonly k: number,
  ) {
    this.indices = new Int32Array(count * k).fill(-1);
    this.squared = new Float64Array(count * k).fill(Infinity);
    this.worst = new Float64Array(count).fill(Infinity);
  }

  /** Offers point j at squared distance `dist` to row i's list; returns the row's new k-th distance. */
  offer(i: number, j: number, dist: number): number {
    const { indices, squared, k } = this;
    const base = i * k;
    let at = base + k - 1;
    if (dist > squared[at]! || (dist === squared[at]! && j > indices[at]!)) return this.worst[i]!;
    while (at > base && (squared[at - 1]! > dist || (squared[at - 1]! === dist && indices[at - 1]! > j))) {
      squared[at] = squared[at - 1]!;
      indices[at] = indices[at - 1]!;
      at--;
    }
    squared[at] = dist;
    indices[at] = j;
    return (this.worst[i] = squared[base + k - 1]!);
  }
}

/** The set's rows in float64, each zero-padded to `dim` numbers (zeros add nothing to a distance). */
function padded(set: FeatureSet, dim: number): Float64Array {
  const out = new Float64Array(set.count * dim);
  for (let i = 0; i < set.count; i++) {
    for (let c = 0; c < set.dim; c++) out[i * dim + c] = set.values[i * set.dim + c]!;
  }
  return out;
}

/**
 * Every pair once, rows of exactly 16 numbers. Row j > i reaches row i's list in increasing j, and row i reached
 * row j's list before (as the outer row), also in increasing order, so a tie never needs the index test of
 * {@link NeighbourLists.offer}; `< worst` skips the call for the
 * great majority of pairs, which are neither row's neighbour.
 */
function pairScan16(x: Float64Array, count: number, lists: NeighbourLists): void {
  const worst = lists.worst;
  for (let i = 0; i < count; i++) {
    const a = i * 16;
    const q0 = x[a]!,
      q1 = x[a + 1]!,
      q2 = x[a + 2]!,
      q3 = x[a + 3]!;
    const q4 = x[a + 4]!,
      q5 = x[a + 5]!,
      q6 = x[a + 6]!,
      q7 = x[a + 7]!;
    const q8 = x[a + 8]!,
      q9 = x[a + 9]!,
      q10 = x[a + 10]!,
      q11 = x[a + 11]!;
    const q12 = x[a + 12]!,
      q13 = x[a + 13]!,
      q14 = x[a + 14]!,
      q15 = x[a + 15]!;
    let worstI = worst[i]!;
    for (let j = i + 1; j < count; j++) {
      const b = j * 16;
      // Two running sums, so the adds of neighbouring dimensions need not wait on each other.
      let t = q0 - x[b]!;
      let even = t * t;
      t = q1 - x[b + 1]!;
      let odd = t * t;
      t = q2 - x[b + 2]!;
      even += t * t;
      t = q3 - x[b + 3]!;
      odd += t * t;
      t = q4 - x[b + 4]!;
      even += t * t;
      t = q5 - x[b + 5]!;
      odd += t * t;
      t = q6 - x[b + 6]!;
      even += t * t;
      t = q7 - x[b + 7]!;
      odd += t * t;
      t = q8 - x[b + 8]!;
      even += t * t;
      t = q9 - x[b + 9]!;
      odd += t * t;
      t = q10 - x[b + 10]!;
      even += t * t;
      t = q11 - x[b + 11]!;
      odd += t * t;
      t = q12 - x[b + 12]!;
      even += t * t;
      t = q13 - x[b + 13]!;
      odd += t * t;
      t = q14 - x[b + 14]!;
      even += t * t;
      t = q15 - x[b + 15]!;
      odd += t * t;
      const dist = even + odd;
      if (dist < worstI) worstI = lists.offer(i, j, dist);
      if (dist < worst[j]!) lists.offer(j, i, dist);
    }
  }
}

/** Every pair once, rows of any length (the slow path; UMAP's input never takes it). */
function pairScan(x: Float64Array, count: number, dim: number, lists: NeighbourLists): void {
  const worst = lists.worst;
  for (let i = 0; i < count; i++) {
    for (let j = i + 1; j < count; j++) {
      let dist = 0;
      for (let c = 0; c < dim; c++) {
        const t = x[i * dim + c]! - x[j * dim + c]!;
        dist += t * t;
      }
      if (dist < worst[i]!) lists.offer(i, j, dist);
      if (dist < worst[j]!) lists.offer(j, i, dist);
    }
  }
}

/**
 * 2-D: points binned into square cells (about {@link POINTS_PER_CELL} each), then for each point the rings of cells
 * at Chebyshev cell distance 0, 1, 2, … until the list is full and every point of the next ring is farther than the
 * k-th (a point in ring r is at least (r − 1) cell sides away).
 */
function gridSearch(set: FeatureSet, lists: NeighbourLists): void {
  const { count, values } = set;
  let minX = Infinity,
    minY = Infinity,
    maxX = -Infinity,
    maxY = -Infinity;
  for (let i = 0; i < count; i++) {
    const x = values[i * 2]!,
      y = values[i * 2 + 1]!;
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  const extent = Math.max(maxX - minX, maxY - minY);
  const side = Math.max(1, Math.floor(Math.sqrt(count / POINTS_PER_CELL)));
  const cell = extent > 0 ? extent / side : 1;
  const columns = Math.min(side, Math.floor((maxX - minX) / cell)) + 1;
  const rows = Math.min(side, Math.floor((maxY - minY) / cell)) + 1;
  const cellOf = new Int32Array(count);
  const start = new Int32Array(columns * rows + 1);
  for (let i = 0; i < count; i++) {
    const cx = Math.min(columns - 1, Math.floor((values[i * 2]! - minX) / cell));
    const cy = Math.min(rows - 1, Math.floor((values[i * 2 + 1]! - minY) / cell));
    cellOf[i] = cy * columns + cx;
    start[cellOf[i]! + 1]!++;
  }
  for (let c = 0; c < columns * rows; c++) start[c + 1]! += start[c]!;
  const members = new Int32Array(count);
  const filled = start.slice(0, columns * rows);
  for (let i = 0; i < count; i++) members[filled[cellOf[i]!]!++] = i;

  const visit = (i: number, x: number, y: number, c: number): void => {
    for (let m = start[c]!; m < start[c + 1]!; m++) {
      const j = members[m]!;
      if (j === i) continue;
      const dx = x - values[j * 2]!,
        dy = y - values[j * 2 + 1]!;
      lists.offer(i, j, dx * dx + dy * dy);
    }
  };
  const k = lists.k;
  for (let i = 0; i < count; i++) {
    const x = values[i * 2]!,
      y = values[i * 2 + 1]!;
    const cx = cellOf[i]! % columns,
      cy = Math.floor(cellOf[i]! / columns);
    const widest = Math.max(cx, columns - 1 - cx, cy, rows - 1 - cy);
    for (let r = 0; r <= widest; r++) {
      const near = Math.max(0, r - 1) * cell;
      if (lists.squared[i * k + k - 1]! < near * near) break;
      for (let gy = cy - r; gy <= cy + r; gy++) {
        if (gy < 0 || gy >= rows) continue;
        // The ring's top and bottom rows whole, its middle rows at their two ends only.
        const step = gy === cy - r || gy === cy + r ? 1 : 2 * r;
        for (let gx = cx - r; gx <= cx + r; gx += Math.max(1, step)) {
          if (gx >= 0 && gx < columns) visit(i, x, y, gy * columns + gx);
        }
      }
    }
  }
}
