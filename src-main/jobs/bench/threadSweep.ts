/**
 * A fair training comparison: both sides at each thread count, in alternating repeated pairs, each side judged by
 * its best setting's median. PyTorch's OpenMP on a small VM is often slower on all cores than on one, and outside
 * load hurts it more than it hurts us, so one run of each at a fixed count flatters whichever side that count
 * suits; a user would run each at its best.
 */
import { throwIfCancelled } from '../../util/errors.js';
import type { PeerOutcome } from './peer.js';

/** One side's figures at one setting. Throughputs are images per second. */
export interface SettingFigures {
  /** Thread count; null for a backend that has none to set (webgpu, tensorflow, cpu). */
  threads: number | null;
  /** One figure per repeat, in run order. */
  runs: number[];
  median: number;
  min: number;
  max: number;
}

/** The middle value (the mean of the two middle ones for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median and range of one setting's runs. */
export function summarizeSetting(threads: number | null, runs: readonly number[]): SettingFigures {
  return {
    threads,
    runs: [...runs],
    median: median(runs),
    min: Math.min(...runs),
    max: Math.max(...runs),
  };
}

/** The setting with the highest median; a tie goes to the fewer threads (listed first). Null for none. */
export function bestSetting(settings: readonly SettingFigures[]): SettingFigures | null {
  let best: SettingFigures | null = null;
  for (const s of settings) if (best === null || s.median > best.median) best = s;
  return best;
}

/** (max − min) / median: 0.08 means the runs spread over 8 % of the median. */
export function relativeSpread(s: SettingFigures): number {
  return s.median > 0 ? (s.max - s.min) / s.median : Number.NaN;
}

/** What to run. */
export interface SweepPlan {
  /** Thread counts, ascending and distinct, e.g. [1, 2]. */
  threadCounts: readonly number[];
  /** Times each pair runs; the first of a pair alternates between repeats. */
  repeats: number;
  /** Whether our backend takes a thread count (wasm); if not, ours runs once per repeat. */
  oursThreaded: boolean;
}

/** How to measure one figure of each side; `repeat` counts from 1, for progress lines. */
export interface SweepRunners {
  ours(threads: number | null, repeat: number): Promise<number>;
  /** Null: no peer. A failure stops the peer for the rest of the sweep. */
  peer: ((threads: number, repeat: number) => Promise<PeerOutcome<number>>) | null;
  signal?: AbortSignal | undefined;
}

/** Every figure of a sweep, per setting in ascending thread order. */
export interface SweepResult {
  ours: SettingFigures[];
  /** Null when the peer did not run or failed before its first figure. */
  peer: SettingFigures[] | null;
  /** Why the peer stopped, if it did. */
  peerFailure: string | null;
}

/**
 * Runs the plan: for each repeat and each thread count t, ours(t) and peer(t) back to back, ours first in odd
 * repeats and the peer first in even ones, so neither side always runs on a machine the other just warmed or
 * loaded. Ours without a thread count runs in the first pair of each repeat only.
 */
export async function runThreadSweep(plan: SweepPlan, runners: SweepRunners): Promise<SweepResult> {
  const ours = new Map<number | null, number[]>();
  const peer = new Map<number, number[]>();
  let peerFailure: string | null = null;
  const record = <K>(map: Map<K, number[]>, key: K, value: number): void => {
    map.set(key, [...(map.get(key) ?? []), value]);
  };
  for (let repeat = 1; repeat <= plan.repeats; repeat++) {
    for (const [i, threads] of plan.threadCounts.entries()) {
      const runOurs =
        plan.oursThreaded || i === 0
          ? async (): Promise<void> => {
              const key = plan.oursThreaded ? threads : null;
              record(ours, key, await runners.ours(key, repeat));
            }
          : null;
      const peerRun = runners.peer;
      const runPeer =
        peerRun && peerFailure === null
          ? async (): Promise<void> => {
              const outcome = await peerRun(threads, repeat);
              if (outcome.ok) record(peer, threads, outcome.value);
              else peerFailure = outcome.reason;
            }
          : null;
      const pair = repeat % 2 === 1 ? [runOurs, runPeer] : [runPeer, runOurs];
      for (const run of pair) {
        throwIfCancelled(runners.signal);
        if (run) await run();
      }
    }
  }
  const summarize = <K extends number | null>(map: Map<K, number[]>): SettingFigures[] =>
    [...map.entries()]
      .map(([threads, runs]) => summarizeSetting(threads, runs))
      .sort((a, b) => (a.threads ?? 0) - (b.threads ?? 0));
  return { ours: summarize(ours), peer: peer.size > 0 ? summarize(peer) : null, peerFailure };
}

/**
 * The thread counts to try on `cores` cores: every count up to 4, then doublings, then the cores themselves
 * ([1, 2] on 2 cores, [1, 2, 3, 4, 8, 12] on 12), so a large machine does not run dozens of settings.
 */
export function defaultThreadCounts(cores: number): number[] {
  const counts = new Set<number>();
  for (let t = 1; t <= Math.min(4, cores); t++) counts.add(t);
  for (let t = 8; t < cores; t *= 2) counts.add(t);
  counts.add(Math.max(1, cores));
  return [...counts].sort((a, b) => a - b);
}

/** "1 thread", "2 threads", "1, 2 and 4 threads". */
export function threadWords(counts: readonly number[]): string {
  const list = counts.length > 1 ? `${counts.slice(0, -1).join(', ')} and ${counts.at(-1)}` : `${counts[0]}`;
  return `${list} thread${counts.length === 1 && counts[0] === 1 ? '' : 's'}`;
}
