import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { nearestNeighbours, nearestOnBackend } from '../../../src-main/engine/quality/index.js';
import { Rng } from '../../../src-main/engine/rng.js';

const set = (rng: Rng, count: number, dim: number) => ({
  count,
  dim,
  values: Float32Array.from({ length: count * dim }, () => rng.normal()),
});

beforeAll(async () => {
  await tf.setBackend('wasm');
});

describe('nearestOnBackend', () => {
  it('finds the same nearest rows as the float64 search, at the exact float64 distances', async () => {
    const rng = new Rng(3);
    const query = set(rng, 700, 24); // more than one block of 512 rows
    const reference = set(rng, 300, 24);
    const exact = nearestNeighbours(query, reference, 1);
    const found = await nearestOnBackend(query, reference);
    expect(Array.from(found.indices)).toEqual(Array.from(exact.indices));
    for (let i = 0; i < query.count; i++) expect(found.distances[i]).toBeCloseTo(exact.distances[i]!, 9);
  });

  it('finds a planted copy at distance exactly 0', async () => {
    const rng = new Rng(4);
    const reference = set(rng, 200, 64);
    const query = { count: 1, dim: 64, values: reference.values.slice(77 * 64, 78 * 64) };
    const found = await nearestOnBackend(query, reference);
    expect([found.indices[0], found.distances[0]]).toEqual([77, 0]);
  });
});
