/**
 * UMAP's fuzzy graph of a set (McInnes, Healy & Melville 2018, §3.1; umap-learn's `smooth_knn_dist`,
 * `compute_membership_strengths` and `fuzzy_simplicial_set`) in typed arrays:
 *
 * - each point's local metric: ρᵢ, the distance to its nearest other point, and σᵢ, found by bisection so that its
 *   memberships exp(−(dᵢⱼ − ρᵢ)/σᵢ) over its k − 1 neighbours sum to log₂ k (k counts the point itself, as in
 *   umap-learn, whose neighbour lists start with the point at distance 0);
 * - the directed memberships A, combined by the fuzzy union A + Aᵀ − A∘Aᵀ into a symmetric graph whose edges are
 *   listed by row, columns ascending (a CSR matrix's order).
 */
import type { NearestNeighbours } from '../quality/neighbours.js';

/** The bisection stops when the memberships' sum is this close to log₂ k (umap-learn's SMOOTH_K_TOLERANCE). */
export const SMOOTH_K_TOLERANCE = 1e-5;
/** σᵢ is at least this share of the mean neighbour distance (umap-learn's MIN_K_DIST_SCALE). */
const MIN_K_DIST_SCALE = 1e-3;
const BISECTION_STEPS = 64;

/** Each point's local metric: the scale σ of its membership kernel and ρ, the distance it takes as 0. */
export interface LocalMetrics {
  sigmas: Float64Array;
  rhos: Float64Array;
}

/**
 * σᵢ and ρᵢ of every point from its k − 1 nearest other points (`neighbours.k` per row, nearest first), with
 * local connectivity 1: ρᵢ is the first distance above 0 (0 when all are 0).
 */
export function localMetrics(neighbours: NearestNeighbours): LocalMetrics {
  const { k: others, distances } = neighbours;
  const count = distances.length / others;
  const target = Math.log2(others + 1);
  const sigmas = new Float64Array(count);
  const rhos = new Float64Array(count);
  let total = 0;
  for (const d of distances) total += d;
  // umap-learn's means include each point's own distance, 0.
  const meanOfAll = total / (count * (others + 1));
  for (let i = 0; i < count; i++) {
    const base = i * others;
    let rho = 0;
    let sum = 0;
    for (let j = 0; j < others; j++) {
      const d = distances[base + j]!;
      if (rho === 0 && d > 0) rho = d;
      sum += d;
    }
    let lo = 0;
    let hi = Infinity;
    let sigma = 1;
    for (let step = 0; step < BISECTION_STEPS; step++) {
      let memberships = 0;
      for (let j = 0; j < others; j++) {
        const over = distances[base + j]! - rho;
        memberships += over > 0 ? Math.exp(-over / sigma) : 1;
      }
      if (Math.abs(memberships - target) < SMOOTH_K_TOLERANCE) break;
      if (memberships > target) {
        hi = sigma;
        sigma = (lo + hi) / 2;
      } else {
        lo = sigma;
        sigma = hi === Infinity ? sigma * 2 : (lo + hi) / 2;
      }
    }
    const floor = MIN_K_DIST_SCALE * (rho > 0 ? sum / (others + 1) : meanOfAll);
    sigmas[i] = Math.max(sigma, floor);
    rhos[i] = rho;
  }
  return { sigmas, rhos };
}

/** A symmetric weighted graph on `count` points: edge e joins head[e] and tail[e]; both directions are listed. */
export interface FuzzyGraph {
  count: number;
  head: Int32Array;
  tail: Int32Array;
  /** Membership strengths in (0, 1]. */
  weight: Float64Array;
}

/**
 * The fuzzy union of the points' local fuzzy sets: edge (i, j) has weight a + b − a·b, where a is j's
 * membership in i's neighbourhood and b is i's in j's (0 when not a neighbour). Edges of weight 0 are left out.
 */
export function fuzzyGraph(neighbours: NearestNeighbours): FuzzyGraph {
  const { k: others, indices, distances } = neighbours;
  const count = indices.length / others;
  const { sigmas, rhos } = localMetrics(neighbours);
  const membership = new Float64Array(indices.length);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < others; j++) {
      const at = i * others + j;
      const over = distances[at]! - rhos[i]!;
      membership[at] = over <= 0 || sigmas[i] === 0 ? 1 : Math.exp(-over / sigmas[i]!);
    }
  }

  // A + Aᵀ as lists by row: row i holds its own k − 1 neighbours and every point that has i as a neighbour.
  const start = new Int32Array(count + 1);
  for (let at = 0; at < indices.length; at++) {
    start[Math.floor(at / others) + 1]!++;
    start[indices[at]! + 1]!++;
  }
  for (let i = 0; i < count; i++) start[i + 1]! += start[i]!;
  const columns = new Int32Array(start[count]!);
  const values = new Float64Array(start[count]!);
  const filled = start.slice(0, count);
  for (let at = 0; at < indices.length; at++) {
    const i = Math.floor(at / others);
    const j = indices[at]!;
    columns[filled[i]!] = j;
    values[filled[i]!++] = membership[at]!;
    columns[filled[j]!] = i;
    values[filled[j]!++] = membership[at]!;
  }

  // Each row sorted by column; a column met twice (i and j each other's neighbour) is the union of its two values.
  const head = new Int32Array(columns.length);
  const tail = new Int32Array(columns.length);
  const weight = new Float64Array(columns.length);
  let edges = 0;
  for (let i = 0; i < count; i++) {
    const from = start[i]!;
    const to = start[i + 1]!;
    sortRow(columns, values, from, to);
    for (let at = from; at < to; at++) {
      let w = values[at]!;
      if (at + 1 < to && columns[at + 1] === columns[at]) {
        const other = values[++at]!;
        w = w + other - w * other;
      }
      if (w > 0 && columns[at] !== i) {
        head[edges] = i;
        tail[edges] = columns[at]!;
        weight[edges++] = w;
      }
    }
  }
  return {
    count,
    head: head.slice(0, edges),
    tail: tail.slice(0, edges),
    weight: weight.slice(0, edges),
  };
}

/** Insertion sort of columns[from, to) with their values; a row holds a few dozen entries. */
function sortRow(columns: Int32Array, values: Float64Array, from: number, to: number): void {
  for (let at = from + 1; at < to; at++) {
    const c = columns[at]!;
    const v = values[at]!;
    let slot = at;
    while (slot > from && columns[slot - 1]! > c) {
      columns[slot] = columns[slot - 1]!;
      values[slot] = values[slot - 1]!;
      slot--;
    }
    columns[slot] = c;
    values[slot] = v;
  }
}
