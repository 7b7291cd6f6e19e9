import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSampleDataset } from '../../dataset/index.js';
import {
  DEFAULT_TRAIN_OPTIONS,
  referenceConfig,
  hashSeed,
  Rng,
  SeedTag,
  VaeModel,
} from '../../engine/index.js';
import {
  loadFeatureNetwork,
  onnxInPlaceOfTfjs,
  resolveBackend,
  type BackendPreference,
} from '../../engine/node/index.js';
import { openProject, saveCheckpoint } from '../../project/index.js';
import { throwIfCancelled } from '../../util/errors.js';
import type { BenchArch } from '../benchJob.js';
import { ignoreEvents, logEvent, type JobContext } from '../events.js';
import { runGeneration } from '../generateJob.js';
import { runImport } from '../importJob.js';
import { watchCpuUse, type CpuUse } from './cpuUse.js';
import { describeMachine, type MachineFacts } from './machine.js';
import { defaultOursSettings, type OursSettings } from './oursChild.js';
import { defaultPeerSettings, peerCommand, type PeerSettings } from './peer.js';
import { defaultThreadCounts } from './threadSweep.js';
import { measureTraining, type TrainingSweep } from './trainingRow.js';

/** Timed training steps per architecture when none are given: about 5 s (std28) and 15 s (std64) on wasm. */
export const SUITE_DEFAULT_STEPS: Readonly<Record<BenchArch, number>> = { std28: 50, std64: 15 };
/** Alternating pairs per thread count when none are given. */
export const SUITE_DEFAULT_REPEATS = 3;
/** Side and channels of the import and generation rows: std64's images. */
const SUITE_IMAGE = { size: 64, channels: 3 } as const;

export interface BenchSuiteInput {
  backend?: BackendPreference;
  /** Training batch, ours and the peer's. Default 64. */
  batchSize?: number;
  /** Timed training steps per architecture, ours and the peer's. Default {@link SUITE_DEFAULT_STEPS}. */
  steps?: Partial<Record<BenchArch, number>>;
  /** Untimed steps first (ours; the peer always warms up 3). Default 3. */
  warmup?: number;
  /** Thread counts both sides train at, ascending. Default {@link defaultThreadCounts} of the cores. */
  threads?: number[];
  /** Alternating ours/peer pairs per thread count. Default {@link SUITE_DEFAULT_REPEATS}. */
  repeats?: number;
  /** How to start our CLI for the training figures. Default {@link defaultOursSettings}. */
  ours?: OursSettings;
  /** PNGs written and then imported. Default 2000. */
  importImages?: number;
  /** Images the generate job writes. Default 256. */
  generateImages?: number;
  /** Images whose quality-report features are extracted (std64's 64×64×3). Default 1000. */
  featureImages?: number;
  /** How to run the PyTorch peer (its `threads` is ignored: the sweep sets it); null: do not run it. Default {@link defaultPeerSettings}. */
  peer?: PeerSettings | null;
  /** The command line that started the run, recorded in the report. */
  invocation?: string;
}

/** One line of the table. Throughputs are images per second. */
export interface SuiteRow {
  id:
    `train-${BenchArch}` | `train-${BenchArch}-tfjs` | 'import' | 'generate' | 'features' | 'features-native';
  what: string;
  ours: number;
  /** The peer's figure; null where it has none (import, generation) or could not run. */
  peer: number | null;
  /** ours / peer, or null. */
  ratio: number | null;
  notes: string;
  /** Commands that reproduce the row, ours first (training: at each side's best thread count). */
  commands: string[];
  /** Training rows: every figure of the thread sweep. */
  sweep?: TrainingSweep;
}

/** The peer of a run: which one (and the thread counts it ran at), or why there was none. */
export type SuitePeer =
  | { available: true; version: string; device: string; threads: number[]; command: string }
  | { available: false; reason: string };

export interface BenchSuiteResult {
  mode: 'suite';
  invocation: string | null;
  machine: MachineFacts;
  peer: SuitePeer;
  /** The training sweep's plan: thread counts and alternating pairs per count. */
  sweep: { threads: number[]; repeats: number };
  rows: SuiteRow[];
  /** The machine's other work during the run, and a warning when it may have lowered the figures. */
  cpu: CpuUse;
  /** Wall time of the whole run. */
  seconds: number;
}

/**
 * The benchmark table of the active backend: training images/s of std28 and std64 next to the PyTorch peer's
 * on the same machine in the same run, both swept over thread counts in alternating repeated pairs and each
 * judged by its best setting's median ({@link measureTraining}), then import, generation and feature images/s.
 * Runs one thing at a time so nothing competes for the cores, and says how busy other processes kept them.
 * A peer that cannot run (no Python, no torch) is recorded, not thrown.
 * @throws UserError BENCH_CHILD when our own training child fails.
 */
export async function runBenchSuite(
  input: BenchSuiteInput = {},
  ctx: JobContext = {},
): Promise<BenchSuiteResult> {
  const emit = ctx.emit ?? ignoreEvents;
  const t0 = performance.now();
  const cpuWatch = watchCpuUse();
  const batchSize = input.batchSize ?? 64;
  const warmup = input.warmup ?? 3;
  const importImages = input.importImages ?? 2000;
  const generateImages = input.generateImages ?? 256;
  const featureImages = input.featureImages ?? 1000;
  const peerSettings = input.peer === undefined ? defaultPeerSettings() : input.peer;
  const backend = await resolveBackend(input.backend ?? 'auto');
  const machine = describeMachine(backend);
  const flag = `--backend ${backend.backend}`;
  emit(logEvent(`backend: ${backend.backend} (${backend.device}) — ${backend.reason}`));

  const threadCounts = input.threads?.length
    ? [...new Set(input.threads)].sort((a, b) => a - b)
    : defaultThreadCounts(machine.cores);
  const repeats = input.repeats ?? SUITE_DEFAULT_REPEATS;
  // null until the first peer run says whether there is one.
  let peer: SuitePeer | null = peerSettings ? null : { available: false, reason: 'not run (disabled)' };
  const rows: SuiteRow[] = [];
  // Training takes ONNX Runtime's steps where they pay (wasm, cpu): then a row of the backend's own steps too.
  const runtimes = (await onnxInPlaceOfTfjs('training'))
    ? (['native', 'tfjs'] as const)
    : (['native'] as const);
  for (const [arch, runtime] of (['std28', 'std64'] as const).flatMap((a) =>
    runtimes.map((r) => [a, r] as const),
  )) {
    throwIfCancelled(ctx.signal);
    const measured = await measureTraining(
      {
        arch,
        latent: referenceConfig(arch).latentDim,
        batchSize,
        steps: input.steps?.[arch] ?? SUITE_DEFAULT_STEPS[arch],
        warmup,
        backend: backend.backend,
        threadCounts,
        repeats,
        ours: input.ours ?? defaultOursSettings(),
        runtime,
        // After a first failure (no Python, no torch) the peer is not tried again.
        peer: peerSettings && (peer === null || peer.available) ? peerSettings : null,
      },
      ctx,
    );
    rows.push(measured.row);
    if (peer === null && peerSettings) {
      peer = measured.peerFound
        ? {
            available: true,
            ...measured.peerFound,
            threads: [...threadCounts],
            command: peerCommand(peerSettings, []),
          }
        : { available: false, reason: measured.peerFailure ?? 'not run' };
    }
  }

  throwIfCancelled(ctx.signal);
  const scratch = await mkdtemp(join(tmpdir(), 'vae-studio-bench-'));
  try {
    const images = join(scratch, 'images');
    const project = join(scratch, 'project');
    const { size, channels } = SUITE_IMAGE;
    emit(logEvent(`import: drawing ${importImages} ${size}×${size} PNGs, then importing them`));
    await writeSampleDataset(images, { count: importImages, size, seed: 0 });
    const imported = await runImport({ folder: images, project, size, channels, fit: 'cover' }, ctx);
    rows.push({
      id: 'import',
      what: `import, ${importImages.toLocaleString('en-US')} ${size}×${size} RGB PNGs → ${size}×${size}×${channels}`,
      ours: imported.imagesPerSec,
      peer: null,
      ratio: null,
      notes:
        `${imported.imported} imported in ${imported.seconds.toFixed(2)} s` +
        (imported.duplicates.length || imported.skipped.length
          ? ` (${imported.duplicates.length} duplicates, ${imported.skipped.length} skipped)`
          : ''),
      commands: [
        `vae-studio import <images> --project <project> --size ${size} --channels ${channels} --fit cover`,
      ],
    });

    throwIfCancelled(ctx.signal);
    // A freshly initialised std64 model is enough: generation speed does not depend on what it learned.
    await saveFreshModel(project, backend.backend, imported.imported);
    emit(logEvent(`generation: ${generateImages} PNGs from a freshly initialised std64 model`));
    const generated = await runGeneration(
      { project, count: generateImages, out: join(scratch, 'generated'), backend: input.backend ?? 'auto' },
      ctx,
    );
    rows.push({
      id: 'generate',
      what: `generation std64, ${generateImages.toLocaleString('en-US')} PNGs`,
      ours: generated.imagesPerSec,
      peer: null,
      ratio: null,
      notes: `${generated.count} written in ${generated.seconds.toFixed(2)} s (decode + PNG encode + manifest)`,
      commands: [`vae-studio generate --project <project> --count ${generateImages} --out <folder> ${flag}`],
    });

    throwIfCancelled(ctx.signal);
    emit(logEvent(`features: ${featureImages} 64×64×3 images through the quality report's feature network`));
    rows.push(await featureRow(featureImages, flag, 'tfjs'));
    if (await onnxInPlaceOfTfjs('quality features')) rows.push(await featureRow(featureImages, flag, 'auto'));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  const cpu = cpuWatch.stop();
  if (cpu.warning) emit(logEvent(`warning: ${cpu.warning}`));
  return {
    mode: 'suite',
    invocation: input.invocation ?? null,
    machine,
    peer: peer ?? { available: false, reason: 'not run' },
    sweep: { threads: [...threadCounts], repeats },
    rows,
    cpu,
    seconds: (performance.now() - t0) / 1000,
  };
}

/**
 * Feature extraction speed of the quality report: seeded 64×64×3 images through the shipped network, on the tfjs
 * backend or (`auto`) on ONNX Runtime, which the report uses where it loads.
 */
async function featureRow(count: number, flag: string, runtime: 'tfjs' | 'auto'): Promise<SuiteRow> {
  const network = await loadFeatureNetwork({ runtime });
  try {
    const { size, channels } = SUITE_IMAGE;
    const rng = new Rng(hashSeed(0, SeedTag.bench));
    const pixels = Uint8Array.from({ length: count * size * size * channels }, () => rng.int(256));
    const images = { pixels, count, size, channels };
    const warmup = Math.min(32, count);
    await network.extract({
      ...images,
      count: warmup,
      pixels: pixels.subarray(0, warmup * size * size * channels),
    });
    const started = performance.now();
    const features = await network.extract(images);
    const seconds = (performance.now() - started) / 1000;
    return {
      id: runtime === 'tfjs' ? 'features' : 'features-native',
      what: `quality features, ${count.toLocaleString('en-US')} 64×64×3 images, ${network.runtime}`,
      ours: features.count / seconds,
      peer: null,
      ratio: null,
      notes: `${network.dim}-d, ${network.inputSize}×${network.inputSize} input, ${seconds.toFixed(2)} s`,
      commands: [`vae-studio bench --suite ${flag}`.trim()],
    };
  } finally {
    network.dispose();
  }
}

/** Gives the project an epoch-0 checkpoint of a seeded, untrained std64 model. */
async function saveFreshModel(projectDir: string, backend: string, count: number): Promise<void> {
  const { layout } = await openProject(projectDir);
  const config = referenceConfig('std64');
  const model = VaeModel.create(config, 0);
  try {
    await saveCheckpoint(layout, {
      config,
      trainOptions: { ...DEFAULT_TRAIN_OPTIONS },
      state: { epoch: 0, globalStep: 0, history: [], optimizer: [] },
      weights: await model.readWeights(),
      backend,
      dataset: { count, ...SUITE_IMAGE },
    });
  } finally {
    model.dispose();
  }
}
