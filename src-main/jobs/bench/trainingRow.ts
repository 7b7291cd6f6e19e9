/**
 * A training row of the suite: ours and the PyTorch peer on one architecture, swept over thread counts
 * ({@link runThreadSweep}), each side's best setting's median in the table.
 */
import { referenceConfig, trainingFlopsPerImage } from '../../engine/index.js';
import { throwIfCancelled } from '../../util/errors.js';
import type { BenchArch } from '../benchJob.js';
import { ignoreEvents, logEvent, type JobContext } from '../events.js';
import { oursBenchArgs, oursCommand, runOursChild, type OursSettings, type OursSteps } from './oursChild.js';
import { parsePeerBench, peerBenchArgs, peerCommand, runPeer, type PeerSettings } from './peer.js';
import { formatRate, ratioOf } from './report.js';
import type { SuiteRow } from './suite.js';
import { bestSetting, runThreadSweep, threadWords, type SettingFigures } from './threadSweep.js';

export interface TrainingRowInput {
  arch: BenchArch;
  /** The latent size of the architecture (ARCHITECTURES.md), passed to the peer. */
  latent: number;
  batchSize: number;
  steps: number;
  warmup: number;
  /** The resolved backend's name (wasm, webgpu, tensorflow, cpu); only wasm takes a thread count. */
  backend: string;
  threadCounts: readonly number[];
  repeats: number;
  ours: OursSettings;
  /**
   * `native`: the steps training takes (ONNX Runtime where it pays), the row `train-<arch>`; `tfjs`: the
   * backend's own, the row `train-<arch>-tfjs`, beside it where the two differ.
   */
  runtime: OursSteps;
  /** Null: no peer (disabled, or unavailable since an earlier row). */
  peer: PeerSettings | null;
}

/** Every figure behind a training row, for the per-thread table and `--json`. */
export interface TrainingSweep {
  repeats: number;
  ours: SettingFigures[];
  peer: SettingFigures[] | null;
  oursBest: SettingFigures;
  peerBest: SettingFigures | null;
}

/** A training row and what it learnt about the peer. */
export interface TrainingRowResult {
  row: SuiteRow & { sweep: TrainingSweep };
  /** The peer's version and device from its first figure; null without one. */
  peerFound: { version: string; device: string } | null;
  /** Why the peer stopped, if it did. */
  peerFailure: string | null;
}

/**
 * Measures one architecture's training on both sides. Ours always runs in a child process
 * (`vae-studio bench --arch … --json`): wasm needs one per thread count, and a child for the other backends too
 * keeps both sides alike (a fresh process per figure, start-up outside the timed steps, nothing left over from
 * the suite's own rows).
 * @throws UserError BENCH_CHILD when our child fails; a failing peer is recorded instead.
 */
export async function measureTraining(
  input: TrainingRowInput,
  ctx: JobContext = {},
): Promise<TrainingRowResult> {
  const emit = ctx.emit ?? ignoreEvents;
  const { arch, batchSize: batch, steps, warmup, backend, repeats, runtime } = input;
  // Set by the children (a closure: TypeScript would narrow a plain `let` to its initial null).
  const ran: { on: string | null } = { on: null };
  const threaded = backend === 'wasm';
  const oursArgs = oursBenchArgs({ arch, batch, steps, warmup, backend });
  const peerArgs = (threads?: number): string[] =>
    peerBenchArgs({ arch, batch, steps, latent: input.latent, threads });
  const notes = new Set<string>();
  let parameters = 0;
  let peerFound: TrainingRowResult['peerFound'] = null;
  const of = (repeat: number): string => `repeat ${repeat}/${repeats}`;
  const peerSettings = input.peer;

  emit(
    logEvent(
      `training ${arch}: ${repeats} repeat${repeats === 1 ? '' : 's'} at ${threadWords(input.threadCounts)}, ` +
        `${warmup} warm-up (the peer 3) + ${steps} timed steps, batch ${batch}`,
    ),
  );
  const sweep = await runThreadSweep(
    { threadCounts: input.threadCounts, repeats, oursThreaded: threaded },
    {
      signal: ctx.signal,
      ours: async (threads, repeat) => {
        const r = await runOursChild(input.ours, oursArgs, threads, ctx.signal, runtime);
        parameters = r.parameters;
        // The runtime without its thread count, which the sweep varies: "ONNX Runtime 1.30.0", "tfjs wasm".
        ran.on = r.native?.replace(/, \d+ threads?$/, '') ?? `tfjs ${r.backend}`;
        if (threads !== null && r.threads !== threads) {
          notes.add(`wasm, asked for ${threadWords([threads])}, ran on ${r.threads ?? '?'}`);
        }
        emit(
          logEvent(
            `ours ${arch} on ${ran.on}${threads === null ? '' : `, ${threadWords([threads])}`}, ${of(repeat)}: ${formatRate(r.imagesPerSec)} images/s`,
          ),
        );
        return r.imagesPerSec;
      },
      peer: peerSettings
        ? async (threads, repeat) => {
            const outcome = await runPeer(peerSettings, peerArgs(threads), parsePeerBench, ctx.signal);
            throwIfCancelled(ctx.signal);
            if (!outcome.ok) return outcome;
            peerFound ??= { version: outcome.value.peer, device: outcome.value.device };
            emit(
              logEvent(
                `PyTorch ${arch}, ${threadWords([threads])}, ${of(repeat)}: ${formatRate(outcome.value.imagesPerSec)} images/s`,
              ),
            );
            return { ok: true, value: outcome.value.imagesPerSec };
          }
        : null,
    },
  );
  const oursBest = bestSetting(sweep.ours);
  if (!oursBest) throw new Error('the sweep ran none of our settings');
  const peerBest = sweep.peer ? bestSetting(sweep.peer) : null;

  const commands = [oursCommand(oursArgs, oursBest.threads, runtime)];
  if (peerSettings) commands.push(peerCommand(peerSettings, peerArgs(peerBest?.threads ?? undefined)));
  const rowNotes = [
    `ours ${bestWords(oursBest)}`,
    ...(peerBest ? [`PyTorch ${bestWords(peerBest)}`] : []),
    `${fmtMs((batch * 1000) / oursBest.median)}/step, ${parameters.toLocaleString('en-US')} parameters, ` +
      `${((trainingFlopsPerImage(referenceConfig(arch)) * oursBest.median) / 1e9).toFixed(1)} GFLOP/s`,
    ...notes,
    ...(sweep.peerFailure && peerFound ? [`PyTorch failed: ${sweep.peerFailure}`] : []),
  ];
  const peerFigure = peerBest?.median ?? null;
  return {
    row: {
      id: runtime === 'native' ? `train-${arch}` : `train-${arch}-tfjs`,
      what: `training ${arch}, batch ${batch}${ran.on ? `, ${ran.on}` : ''}`,
      ours: oursBest.median,
      peer: peerFigure,
      ratio: ratioOf(oursBest.median, peerFigure),
      notes: rowNotes.join('; '),
      commands,
      sweep: { repeats, ours: sweep.ours, peer: sweep.peer, oursBest, peerBest },
    },
    peerFound,
    peerFailure: sweep.peerFailure,
  };
}

/** "best at 2 threads (median of 3, 70.1–76.0)", or "median of 3 (…)" for a setting without threads. */
function bestWords(s: SettingFigures): string {
  const range = s.runs.length > 1 ? `, ${formatRate(s.min)}–${formatRate(s.max)}` : '';
  const of = `median of ${s.runs.length}`;
  return s.threads === null
    ? `${of}${range ? ` (${range.slice(2)})` : ''}`
    : `best at ${threadWords([s.threads])} (${of}${range})`;
}

function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}
