import { describe, expect, it } from 'vitest';
import { nearestNeighbours, pairwiseSquaredDistances } from '../../../src-main/engine/quality/neighbours.js';
import { gaussianSet } from './helpers.js';

describe('pairwise distances and nearest neighbours', () => {
  it('squared distances match the direct Σ (xⱼ − yⱼ)² across several row blocks', () => {
    const x = gaussianSet(600, 37, 1, 3); // 600 > one block of 256 rows; offset means for cancellation
    const y = gaussianSet(45, 37, 2, 3);
    const dist = pairwiseSquaredDistances(x, y);
    expect(dist.length).toBe(600 * 45);
    let worst = 0;
    for (const i of [0, 255, 256, 599]) {
      for (let j = 0; j < 45; j++) {
        let direct = 0;
        for (let c = 0; c < 37; c++) direct += (x.values[i * 37 + c]! - y.values[j * 37 + c]!) ** 2;
        worst = Math.max(worst, Math.abs(dist[i * 45 + j]! - direct) / direct);
      }
    }
    expect(worst).toBeLessThan(1e-12);
  });

  it('finds the k nearest by brute force, nearest first, and a planted copy at distance ≈ 0', () => {
    const reference = gaussianSet(300, 16, 3);
    const query = gaussianSet(20, 16, 4);
    query.values.set(reference.values.subarray(17 * 16, 18 * 16), 5 * 16); // query row 5 copies reference row 17
    const { indices, distances } = nearestNeighbours(query, reference, 4);
    const all = pairwiseSquaredDistances(query, reference);
    for (let i = 0; i < 20; i++) {
      const order = Array.from({ length: 300 }, (_, j) => j).sort(
        (a, b) => all[i * 300 + a]! - all[i * 300 + b]!,
      );
      expect(Array.from(indices.subarray(i * 4, i * 4 + 4))).toEqual(order.slice(0, 4));
      for (let t = 0; t < 4; t++)
        expect(distances[i * 4 + t]).toBeCloseTo(Math.sqrt(all[i * 300 + order[t]!]!), 12);
    }
    expect(indices[5 * 4]).toBe(17);
    expect(distances[5 * 4]).toBeLessThan(1e-6);
  });

  it('with excludeSelf never names a row as its own neighbour', () => {
    const x = gaussianSet(50, 4, 5);
    const { indices } = nearestNeighbours(x, x, 3, { excludeSelf: true });
    for (let i = 0; i < 50; i++) for (let t = 0; t < 3; t++) expect(indices[i * 3 + t]).not.toBe(i);
    expect(nearestNeighbours(x, x, 1).indices[7]).toBe(7);
    expect(() => nearestNeighbours(x, x, 50, { excludeSelf: true })).toThrow(/k must be/);
  });
});
