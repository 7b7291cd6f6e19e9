import { describe, expect, it } from 'vitest';
import { gridIndices } from '../../src-main/jobs/quality/reportFiles.js';

describe("the quality report's sample grid", () => {
  it("shows every class of a conditional model's samples, which come class by class", () => {
    // 2,000 samples of 10 classes in their proportions, as the quality job draws them: 200 of each, in order.
    const classOf = (i: number) => Math.floor(i / 200);
    const picked = gridIndices(2000, 64);
    expect(picked).toHaveLength(64);
    expect(new Set(picked).size).toBe(64);
    expect(picked).toEqual([...picked].sort((a, b) => a - b));
    const perClass = Array.from({ length: 10 }, (_, c) => picked.filter((i) => classOf(i) === c).length);
    perClass.forEach((n) => expect(n).toBeGreaterThanOrEqual(6));
  });

  it('takes every image when there are fewer than the grid holds', () => {
    expect(gridIndices(5, 64)).toEqual([0, 1, 2, 3, 4]);
  });
});
