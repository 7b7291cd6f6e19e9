import { describe, expect, it } from 'vitest';
import { pivotedCholesky } from '../../../src-main/engine/quality/cholesky.js';
import { Rng } from '../../../src-main/engine/rng.js';

/** G Gᵀ for a random d×r G: PSD of rank r. */
function randomPsd(d: number, r: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const g = Array.from({ length: d * r }, () => rng.normal());
  const a = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = 0; k < r; k++) s += g[i * r + k]! * g[j * r + k]!;
      a[i * d + j] = s;
    }
  }
  return a;
}

function maxReconstructionError(a: Float64Array, factor: Float64Array, rank: number, d: number): number {
  let worst = 0;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = 0; k < rank; k++) s += factor[k * d + i]! * factor[k * d + j]!;
      worst = Math.max(worst, Math.abs(s - a[i * d + j]!));
    }
  }
  return worst;
}

describe('pivotedCholesky', () => {
  it.each([
    [30, 30],
    [30, 7],
    [50, 1],
  ])('factors a %i×%i PSD matrix of rank %i as Fᵀ F and finds its rank', (d, r) => {
    const a = randomPsd(d, r, d + r);
    const { rank, factor } = pivotedCholesky(a, d);
    expect(rank).toBe(r);
    expect(maxReconstructionError(a, factor, rank, d)).toBeLessThan(1e-10);
  });

  it('gives rank 0 for the zero matrix', () => {
    expect(pivotedCholesky(new Float64Array(9), 3).rank).toBe(0);
  });
});
