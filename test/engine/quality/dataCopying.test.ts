import { describe, expect, it } from 'vitest';
import {
  copyThreshold,
  dataCopyingZ,
  nearestNeighbours,
  pixelFeatures,
} from '../../../src-main/engine/index.js';

/** The Mann–Whitney z by counting pairs directly (no ties). */
function directZ(scored: number[], real: number[]): number {
  let u = 0;
  for (const s of scored) for (const r of real) u += s > r ? 1 : s === r ? 0.5 : 0;
  const m = scored.length;
  const n = real.length;
  return (u - (m * n) / 2) / Math.sqrt((m * n * (m + n + 1)) / 12);
}

describe('data-copying test (Meehan et al. 2020, one cell)', () => {
  it('equals the pair-counting Mann–Whitney z-score', () => {
    const scored = [0.3, 1.2, 0.7, 2.5, 0.05, 1.9];
    const real = [0.9, 1.1, 3.0, 0.4, 2.2];
    expect(dataCopyingZ(scored, real)).toBeCloseTo(directZ(scored, real), 12);
  });

  it('is near 0 for distances from one distribution, far below −3 for copies, above 0 for far samples', () => {
    const draw = (n: number, offset: number) =>
      Array.from({ length: n }, (_, i) => offset + ((i * 7919) % 1000) / 1000);
    expect(Math.abs(dataCopyingZ(draw(500, 0), draw(400, 0.0005)))).toBeLessThan(1);
    expect(
      dataCopyingZ(
        draw(200, 0).map((d) => d / 10),
        draw(200, 0),
      ),
    ).toBeLessThan(-10);
    expect(dataCopyingZ(draw(200, 1), draw(200, 0))).toBeGreaterThan(10);
  });

  it('counts ties as halves: identical sets give 0', () => {
    expect(dataCopyingZ([1, 1, 2, 2], [1, 1, 2, 2])).toBe(0);
  });

  it('puts the near-copy threshold at the closest held-out image', () => {
    expect(copyThreshold([0.8, 0.31, 2])).toBe(0.31);
  });
});

describe('pixelFeatures', () => {
  it('makes the Euclidean distance the root-mean-square pixel difference', () => {
    const size = 8;
    const a = new Uint8Array(size * size).fill(0);
    const b = new Uint8Array(size * size).fill(0);
    b.fill(255, 0, 16); // a quarter of the pixels differ by 1
    const f = pixelFeatures({ pixels: new Uint8Array([...a, ...b]), count: 2, size, channels: 1 });
    const nn = nearestNeighbours(
      { ...f, count: 1, values: f.values.slice(0, f.dim) },
      { ...f, count: 1, values: f.values.slice(f.dim) },
      1,
    );
    expect(nn.distances[0]).toBeCloseTo(Math.sqrt(16 / 64), 6);
  });

  it('averages 64×64×3 images down to 16×16×3 for the search', () => {
    const pixels = new Uint8Array(64 * 64 * 3).fill(51);
    const f = pixelFeatures({ pixels, count: 1, size: 64, channels: 3 });
    expect([f.side, f.dim]).toEqual([16, 768]);
    expect(f.values[0]).toBeCloseTo(0.2 / Math.sqrt(768), 6);
  });
});
