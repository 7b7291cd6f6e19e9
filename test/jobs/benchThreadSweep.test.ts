import { describe, expect, it } from 'vitest';
import {
  bestSetting,
  defaultThreadCounts,
  median,
  relativeSpread,
  runThreadSweep,
  summarizeSetting,
  threadWords,
} from '../../src-main/jobs/bench/index.js';

describe('a thread setting’s figures', () => {
  it('median is the middle run, or the mean of the two middle ones', () => {
    expect(median([74.1, 70.1, 76.0])).toBe(74.1);
    expect(median([10, 12, 11, 40])).toBe(11.5);
    expect(median([5])).toBe(5);
    expect(median([])).toBeNaN();
  });

  it('summary keeps the runs in order with median, min and max; spread is the range over the median', () => {
    const s = summarizeSetting(2, [76.0, 70.1, 74.1]);
    expect(s).toEqual({ threads: 2, runs: [76.0, 70.1, 74.1], median: 74.1, min: 70.1, max: 76.0 });
    expect(relativeSpread(s)).toBeCloseTo(5.9 / 74.1, 12);
    expect(relativeSpread(summarizeSetting(1, [0, 0]))).toBeNaN();
  });

  it('the best setting has the highest median, not the highest single run; a tie goes to fewer threads', () => {
    const one = summarizeSetting(1, [180, 188.6, 190]);
    const two = summarizeSetting(2, [59, 90.9, 250]);
    expect(bestSetting([one, two])).toBe(one);
    const tie = summarizeSetting(2, [188.6]);
    expect(bestSetting([one, tie])?.threads).toBe(1);
    expect(bestSetting([])).toBeNull();
  });

  it('thread counts: every one up to 4, then doublings, then the cores', () => {
    expect(defaultThreadCounts(1)).toEqual([1]);
    expect(defaultThreadCounts(2)).toEqual([1, 2]);
    expect(defaultThreadCounts(4)).toEqual([1, 2, 3, 4]);
    expect(defaultThreadCounts(12)).toEqual([1, 2, 3, 4, 8, 12]);
    expect(defaultThreadCounts(16)).toEqual([1, 2, 3, 4, 8, 16]);
    expect(threadWords([1])).toBe('1 thread');
    expect(threadWords([2])).toBe('2 threads');
    expect(threadWords([1, 2, 4])).toBe('1, 2 and 4 threads');
  });
});

describe('the thread sweep', () => {
  /** Runners whose figures come from tables by thread count, and a log of what ran in which order. */
  function fakes(ours: Record<string, number[]>, peer: Record<number, number[]> | null, failPeerAt?: number) {
    const order: string[] = [];
    const calls = new Map<string, number>();
    const next = (key: string, table: number[]): number => {
      const i = calls.get(key) ?? 0;
      calls.set(key, i + 1);
      return table[i % table.length]!;
    };
    return {
      order,
      runners: {
        ours: (threads: number | null, repeat: number) => {
          order.push(`ours@${threads ?? '-'}#${repeat}`);
          return Promise.resolve(next(`ours${threads}`, ours[String(threads)]!));
        },
        peer: peer
          ? (threads: number, repeat: number) => {
              order.push(`peer@${threads}#${repeat}`);
              if (order.length === failPeerAt)
                return Promise.resolve({ ok: false as const, reason: 'torch crashed' });
              return Promise.resolve({ ok: true as const, value: next(`peer${threads}`, peer[threads]!) });
            }
          : null,
      },
    };
  }

  it('runs each pair back to back, alternating which side goes first, and keeps every figure', async () => {
    const { order, runners } = fakes(
      { 1: [46.7, 45, 48], 2: [74.1, 70.1, 76] },
      { 1: [188.6, 185, 190], 2: [90.9, 59, 103] },
    );
    const r = await runThreadSweep({ threadCounts: [1, 2], repeats: 3, oursThreaded: true }, runners);
    // prettier-ignore
    expect(order).toEqual([
      'ours@1#1', 'peer@1#1', 'ours@2#1', 'peer@2#1',
      'peer@1#2', 'ours@1#2', 'peer@2#2', 'ours@2#2',
      'ours@1#3', 'peer@1#3', 'ours@2#3', 'peer@2#3',
    ]);
    expect(r.ours).toEqual([
      { threads: 1, runs: [46.7, 45, 48], median: 46.7, min: 45, max: 48 },
      { threads: 2, runs: [74.1, 70.1, 76], median: 74.1, min: 70.1, max: 76 },
    ]);
    expect(r.peer?.map((s) => [s.threads, s.median])).toEqual([
      [1, 188.6],
      [2, 90.9],
    ]);
    expect(bestSetting(r.ours)?.threads).toBe(2);
    expect(bestSetting(r.peer!)?.threads).toBe(1);
    expect(r.peerFailure).toBeNull();
  });

  it('runs ours once per repeat on a backend without threads, the peer at every count', async () => {
    const { order, runners } = fakes({ null: [300, 310] }, { 1: [188.6], 2: [90.9] });
    const r = await runThreadSweep({ threadCounts: [1, 2], repeats: 2, oursThreaded: false }, runners);
    expect(order).toEqual(['ours@-#1', 'peer@1#1', 'peer@2#1', 'peer@1#2', 'ours@-#2', 'peer@2#2']);
    expect(r.ours).toEqual([{ threads: null, runs: [300, 310], median: 305, min: 300, max: 310 }]);
    expect(r.peer).toHaveLength(2);
  });

  it('stops the peer at its first failure and says why; before any figure there is no peer', async () => {
    const late = fakes({ 1: [10] }, { 1: [40] }, 3);
    const r = await runThreadSweep({ threadCounts: [1], repeats: 3, oursThreaded: true }, late.runners);
    expect(late.order).toEqual(['ours@1#1', 'peer@1#1', 'peer@1#2', 'ours@1#2', 'ours@1#3']);
    expect(r.peer).toEqual([{ threads: 1, runs: [40], median: 40, min: 40, max: 40 }]);
    expect(r.peerFailure).toBe('torch crashed');
    const early = fakes({ 1: [10] }, { 1: [40] }, 2);
    const none = await runThreadSweep({ threadCounts: [1], repeats: 2, oursThreaded: true }, early.runners);
    expect(none.peer).toBeNull();
    expect(none.peerFailure).toBe('torch crashed');
    expect(none.ours[0]!.runs).toHaveLength(2);
  });
});
