import { describe, expect, it } from 'vitest';
import { DrawPlan, EXTRA_DRAWS_PER_IMAGE, tooManyCopies } from '../../src-main/jobs/generationFilter.js';

/**
 * Runs a plan to its end the way runGeneration does, judging each drawn index with `isCopy`: the indices written,
 * the ones left out, and every index handed out for a decode.
 */
function walk(
  plan: DrawPlan,
  isCopy: (index: number) => boolean,
  batchSize: number,
): { written: number[]; left: number[]; decoded: number[][] } {
  const written: number[] = [];
  const left: number[] = [];
  const decoded: number[][] = [];
  for (let batch = plan.next(batchSize); batch.length; batch = plan.next(batchSize)) {
    decoded.push(batch);
    for (const index of batch) {
      if (isCopy(index)) {
        left.push(index);
        plan.reject();
      } else {
        written.push(index);
        plan.accept();
      }
    }
  }
  return { written, left, decoded };
}

const none = { listed: () => false, rejected: () => false };

describe('DrawPlan', () => {
  it('without filtering draws exactly start … start + count − 1, passing over the listed ones', () => {
    const listed = new Set([3, 4]);
    const plan = new DrawPlan(
      { start: 2, count: 5, filtering: false },
      // A rejected.jsonl row does not count without the option: the manifest alone says what is there.
      { listed: (i) => listed.has(i), rejected: () => true },
    );
    expect(plan.preview()).toEqual({ listed: 2, rejected: 0, todo: 3 });
    const { written, decoded } = walk(plan, () => false, 2);
    expect(decoded).toEqual([[2, 5], [6]]);
    expect(written).toEqual([2, 5, 6]);
    expect([plan.accepted, plan.alreadyThere, plan.rejected, plan.complete]).toEqual([5, 2, 0, true]);
  });

  it('with filtering walks on past each near-copy until it has count images, never decoding more than it needs', () => {
    const copies = new Set([1, 4, 5, 9]);
    const plan = new DrawPlan({ start: 0, count: 6, filtering: true }, none);
    const { written, left, decoded } = walk(plan, (i) => copies.has(i), 4);
    expect(written).toEqual([0, 2, 3, 6, 7, 8]);
    expect(left).toEqual([1, 4, 5]);
    // A batch of 4, then the 3 still wanted (two of them copies), then the 2 still wanted.
    expect(decoded).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6],
      [7, 8],
    ]);
    expect([plan.accepted, plan.rejected, plan.drawn, plan.complete]).toEqual([6, 3, 9, true]);
  });

  it('continuing a stopped run passes over listed and rejected indices unjudged and ends on the same images', () => {
    const copies = new Set([1, 4, 5]);
    // The first run was stopped after writing 0, 2, 3 and leaving out 1 and 4.
    const listed = new Set([0, 2, 3]);
    const rejected = new Set([1, 4]);
    const plan = new DrawPlan(
      { start: 0, count: 6, filtering: true },
      { listed: (i) => listed.has(i), rejected: (i) => rejected.has(i) },
    );
    expect(plan.preview()).toEqual({ listed: 3, rejected: 2, todo: 3 });
    const judged: number[] = [];
    const { written, left } = walk(
      plan,
      (i) => {
        judged.push(i);
        return copies.has(i);
      },
      64,
    );
    expect(judged).toEqual([5, 6, 7, 8]);
    expect(written).toEqual([6, 7, 8]);
    expect(left).toEqual([5]);
    expect([plan.accepted, plan.alreadyThere, plan.rejected]).toEqual([6, 3, 3]);
  });

  it('counts an index the manifest lists as written even when rejected.jsonl also lists it', () => {
    const plan = new DrawPlan(
      { start: 0, count: 2, filtering: true },
      { listed: (i) => i === 0, rejected: (i) => i === 0 },
    );
    const { written } = walk(plan, () => false, 8);
    expect(written).toEqual([1]);
    expect([plan.alreadyThere, plan.rejected]).toEqual([1, 0]);
  });

  it(`stops after ${EXTRA_DRAWS_PER_IMAGE + 1}× the count and says how many it has and why`, () => {
    const plan = new DrawPlan({ start: 10, count: 3, filtering: true }, none);
    const { written, left } = walk(plan, (i) => i !== 12, 5);
    expect(written).toEqual([12]);
    expect(left.length).toBe(3 * (EXTRA_DRAWS_PER_IMAGE + 1) - 1);
    expect(left.at(-1)).toBe(10 + 3 * (EXTRA_DRAWS_PER_IMAGE + 1) - 1);
    expect([plan.complete, plan.drawn, plan.limit]).toEqual([false, 33, 33]);
    expect(plan.next(5)).toEqual([]);
    const stop = tooManyCopies(plan, 3, 1, '/out');
    expect(stop.code).toBe('TOO_MANY_COPIES');
    expect(stop.message).toContain('/out holds 1 of the 3 images asked for: 32 of the 33 images drawn were');
    expect(stop.message).toContain('This run wrote 1; they are listed in manifest.jsonl');
  });
});
