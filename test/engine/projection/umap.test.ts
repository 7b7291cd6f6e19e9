import { describe, expect, it } from 'vitest';
import {
  neighbourClassAgreement,
  projectTo2d,
  umapLayout,
  UMAP_INPUT_DIMS,
} from '../../../src-main/engine/projection/index.js';
import { CancelledError } from '../../../src-main/util/errors.js';
import { clusteredPoints } from './fixtures.js';

describe('UMAP layout', () => {
  it('is reproducible by its seed: the same seed gives the same map, another seed another', async () => {
    const { set } = clusteredPoints(4, 60, 8, 1);
    const a = await projectTo2d(set, 'umap', { seed: 7, epochs: 60 });
    const again = await projectTo2d(set, 'umap', { seed: 7, epochs: 60 });
    const other = await projectTo2d(set, 'umap', { seed: 8, epochs: 60 });
    expect(a.length).toBe(480);
    expect(a.every(Number.isFinite)).toBe(true);
    expect(again).toEqual(a);
    const moved = a.reduce((s, v, i) => s + Math.abs(v - other[i]!), 0) / a.length;
    expect(moved).toBeGreaterThan(1e-3);
  });

  it('keeps separate clusters apart in 2-D (k-NN accuracy near 1, chance 1/5)', async () => {
    // 40 dimensions: reduced to the principal components first.
    const { set, labels } = clusteredPoints(5, 80, 40, 2);
    expect(set.dim).toBeGreaterThan(UMAP_INPUT_DIMS);
    const xy = await umapLayout(set, { seed: 0, epochs: 100 });
    const agreement = neighbourClassAgreement({ count: set.count, dim: 2, values: xy }, labels);
    expect(agreement).not.toBeNull();
    expect(agreement!.chance).toBeCloseTo(0.2, 6);
    expect(agreement!.accuracy).toBeGreaterThan(0.95);
  });

  it('reports the neighbour search and every few epochs, and stops when cancelled', async () => {
    const { set } = clusteredPoints(3, 40, 4, 3);
    const seen: string[] = [];
    await umapLayout(set, {
      seed: 0,
      epochs: 20,
      onProgress: (phase, done, total) => seen.push(`${phase} ${done}/${total}`),
    });
    expect(seen).toEqual([
      'neighbours 0/120',
      'neighbours 120/120',
      'layout 5/20',
      'layout 10/20',
      'layout 15/20',
      'layout 20/20',
    ]);
    const controller = new AbortController();
    const run = umapLayout(set, {
      seed: 0,
      epochs: 200,
      signal: controller.signal,
      onProgress: (phase, done) => phase === 'layout' && done === 10 && controller.abort(),
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
  });

  it('lays out sets too small for neighbours on a line, and takes fewer neighbours than asked for a small set', async () => {
    expect(
      Array.from(await umapLayout({ count: 2, dim: 3, values: new Float32Array(6) }, { seed: 0 })),
    ).toEqual([0, 0, 1, 0]);
    const { set } = clusteredPoints(2, 4, 3, 4);
    const xy = await umapLayout(set, { seed: 0, neighbours: 15, epochs: 30 });
    expect(xy.length).toBe(16);
    expect(xy.every(Number.isFinite)).toBe(true);
  });
});

describe('class agreement of a layout', () => {
  it('is the share of points whose nearest neighbours mostly share their class, beside chance', () => {
    // Two tight groups on a line, one point of class 1 sitting inside class 0's group.
    const xs = [0, 0.1, 0.2, 0.3, 0.4, 0.25, 10, 10.1, 10.2, 10.3, 10.4, 10.5];
    const labels = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1];
    const values = new Float32Array(xs.flatMap((x) => [x, 0]));
    const found = neighbourClassAgreement({ count: 12, dim: 2, values }, labels, 3);
    expect(found).toEqual({ accuracy: 11 / 12, chance: 7 / 12, k: 3 });
  });

  it('leaves out points without a class, and is null with one class', () => {
    // The unlabelled point sits next to point 3: were it counted, point 3's nearest neighbour would have no class.
    const values = new Float32Array([0, 0, 1, 0, 2, 0, 3, 0, 3.1, 0]);
    expect(neighbourClassAgreement({ count: 5, dim: 2, values }, [0, 0, 0, 0, -1], 2)).toBeNull();
    expect(neighbourClassAgreement({ count: 5, dim: 2, values }, [0, 0, 1, 1, -1], 1)).toEqual({
      // 0 → 1, 1 → 0 (a tie with 2: the lower index), 2 → 1 (wrong, the same tie), 3 → 2.
      accuracy: 0.75,
      chance: 0.5,
      k: 1,
    });
  });
});
