import { describe, expect, it } from 'vitest';
import { exactNeighbours } from '../../../src-main/engine/projection/exactNeighbours.js';
import { fuzzyGraph, localMetrics } from '../../../src-main/engine/projection/fuzzyGraph.js';
import { fitLayoutCurve } from '../../../src-main/engine/projection/layoutCurve.js';
import { Rng } from '../../../src-main/engine/rng.js';
import type { FeatureSet } from '../../../src-main/engine/index.js';

/** `count` points of `dim` normal values; with `grid`, rounded to a coarse grid so that many distances tie. */
function points(count: number, dim: number, seed: number, grid = false): FeatureSet {
  const rng = new Rng(seed);
  const values = Float32Array.from({ length: count * dim }, () =>
    grid ? Math.round(rng.normal() * 2) : rng.normal(),
  );
  return { count, dim, values };
}

/** Every row's k nearest other points by sorting all distances: (squared distance, index) ascending. */
function bruteForce(set: FeatureSet, k: number): { indices: number[]; distances: number[] } {
  const indices: number[] = [];
  const distances: number[] = [];
  for (let i = 0; i < set.count; i++) {
    const row: [number, number][] = [];
    for (let j = 0; j < set.count; j++) {
      if (j === i) continue;
      let d = 0;
      for (let c = 0; c < set.dim; c++)
        d += (set.values[i * set.dim + c]! - set.values[j * set.dim + c]!) ** 2;
      row.push([d, j]);
    }
    row.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (const [d, j] of row.slice(0, k)) {
      indices.push(j);
      distances.push(Math.sqrt(d));
    }
  }
  return { indices, distances };
}

describe('UMAP parts', () => {
  it('finds the exact k nearest other points, ties to the lower index, in 2-D, up to 16-D and beyond', () => {
    for (const [dim, grid] of [
      [2, false],
      [2, true],
      [5, true],
      [16, false],
      [23, false],
    ] as const) {
      const set = points(300, dim, dim, grid);
      const found = exactNeighbours(set, 7);
      const expected = bruteForce(set, 7);
      expect(Array.from(found.indices), `${dim}-D${grid ? ' on a grid' : ''}`).toEqual(expected.indices);
      for (let i = 0; i < expected.distances.length; i++) {
        expect(found.distances[i]).toBeCloseTo(expected.distances[i]!, 5);
      }
    }
    expect(() => exactNeighbours(points(5, 2, 0), 5)).toThrow(RangeError);
  });

  it('gives each point the σ whose memberships sum to log₂ k, and a symmetric fuzzy union', () => {
    const set = points(200, 6, 1);
    const neighbours = exactNeighbours(set, 14);
    const { sigmas, rhos } = localMetrics(neighbours);
    for (let i = 0; i < set.count; i++) {
      // ρ is the nearest distance; the memberships over the 14 others sum to log₂ 15 (the point itself counted).
      expect(rhos[i]).toBeCloseTo(neighbours.distances[i * 14]!, 12);
      let sum = 0;
      for (let j = 0; j < 14; j++)
        sum += Math.exp(-Math.max(0, neighbours.distances[i * 14 + j]! - rhos[i]!) / sigmas[i]!);
      expect(sum).toBeCloseTo(Math.log2(15), 4);
    }
    const graph = fuzzyGraph(neighbours);
    const weight = new Map<string, number>();
    for (let e = 0; e < graph.head.length; e++)
      weight.set(`${graph.head[e]},${graph.tail[e]}`, graph.weight[e]!);
    for (const [edge, w] of weight) {
      const [i, j] = edge.split(',');
      expect(weight.get(`${j},${i}`), edge).toBe(w);
      expect(w).toBeGreaterThan(0);
      expect(w).toBeLessThanOrEqual(1);
    }
    // Each point's nearest neighbour is joined to it with weight 1 (its distance is ρ).
    for (let i = 0; i < set.count; i++)
      expect(weight.get(`${i},${neighbours.indices[i * 14]}`)).toBeCloseTo(1, 12);
  });

  it("fits the layout curve umap-learn's find_ab_params fits", () => {
    // umap-learn 0.5: find_ab_params(1.0, 0.1) and find_ab_params(1.0, 0.5).
    const tight = fitLayoutCurve(0.1);
    expect(tight.a).toBeCloseTo(1.5769, 3);
    expect(tight.b).toBeCloseTo(0.8951, 3);
    const loose = fitLayoutCurve(0.5);
    expect(loose.a).toBeCloseTo(0.5831, 3);
    expect(loose.b).toBeCloseTo(1.3342, 3);
    expect(() => fitLayoutCurve(3)).toThrow(RangeError);
  });
});
