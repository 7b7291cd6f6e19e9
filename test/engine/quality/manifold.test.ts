import { describe, expect, it } from 'vitest';
import {
  densityCoverage,
  manifoldMetrics,
  precisionRecall,
} from '../../../src-main/engine/quality/manifold.js';
import { gaussianSet } from './helpers.js';

const d = 8;

describe('k-NN precision and recall', () => {
  it('of a set with itself are exactly 1', () => {
    const x = gaussianSet(300, d, 1);
    expect(precisionRecall(x, x)).toEqual({ precision: 1, recall: 1 });
  });

  it('of two samples of one Gaussian are high', () => {
    const { precision, recall } = precisionRecall(gaussianSet(1000, d, 1), gaussianSet(1000, d, 2));
    expect(precision).toBeGreaterThan(0.85);
    expect(recall).toBeGreaterThan(0.85);
  });

  it('of disjoint Gaussians are 0', () => {
    const { precision, recall } = precisionRecall(gaussianSet(500, d, 1), gaussianSet(500, d, 2, 20));
    expect(precision).toBe(0);
    expect(recall).toBe(0);
  });

  it('of a narrow generated set inside a wide real one: precision high, recall low (mode dropping)', () => {
    const real = gaussianSet(1000, d, 1, 0, 1);
    const narrow = gaussianSet(1000, d, 2, 0, 0.25);
    const dropped = precisionRecall(real, narrow);
    expect(dropped.precision).toBeGreaterThan(0.95);
    expect(dropped.recall).toBeLessThan(0.3);
    // and the other way round: a wide generated set around a narrow real one
    const spread = precisionRecall(narrow, real);
    expect(spread.precision).toBeLessThan(0.3);
    expect(spread.recall).toBeGreaterThan(0.95);
  });
});

describe('density and coverage', () => {
  it('of a set with itself: coverage 1 and density exactly 1 (each ball holds its centre and k − 1 neighbours)', () => {
    const x = gaussianSet(300, d, 3);
    expect(densityCoverage(x, x)).toEqual({ density: 1, coverage: 1 });
  });

  it('of two samples of one Gaussian: density ≈ 1, coverage ≈ 1', () => {
    const { density, coverage } = densityCoverage(gaussianSet(1000, d, 3), gaussianSet(1000, d, 4));
    expect(Math.abs(density - 1)).toBeLessThan(0.1);
    // the paper's expected coverage for matching distributions is 1 − 2^−k ≈ 0.97 at k = 5
    expect(coverage).toBeGreaterThan(0.93);
  });

  it('of disjoint sets are 0', () => {
    expect(densityCoverage(gaussianSet(500, d, 3), gaussianSet(500, d, 4, 20))).toEqual({
      density: 0,
      coverage: 0,
    });
  });

  it('of samples crowded at the real mode: density above 1, coverage low', () => {
    const { density, coverage } = densityCoverage(gaussianSet(1000, d, 3), gaussianSet(1000, d, 4, 0, 0.25));
    expect(density).toBeGreaterThan(1.3);
    expect(coverage).toBeLessThan(0.4);
  });

  it('manifoldMetrics gives all four with their k in one call, the same as the separate calls', () => {
    const x = gaussianSet(400, d, 5);
    const y = gaussianSet(350, d, 6, 0.3, 1.2);
    const all = manifoldMetrics(x, y);
    expect(all.precisionRecallK).toBe(3);
    expect(all.densityCoverageK).toBe(5);
    expect({ precision: all.precision, recall: all.recall }).toEqual(precisionRecall(x, y));
    expect({ density: all.density, coverage: all.coverage }).toEqual(densityCoverage(x, y));
  });
});
