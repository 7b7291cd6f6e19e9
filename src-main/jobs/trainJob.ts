import { basename, dirname, join } from 'node:path';
import { datasetClasses, encodeImage, loadDataset, type DatasetManifest } from '../dataset/index.js';
import { labelsFor } from './datasetLabels.js';
import { datasetClassNames, MODEL_SETTINGS, type TrainSettings } from '../contract/index.js';
import {
  resolveTrainSettings,
  splitIndices,
  type EpochMetrics,
  type EpochPreview,
  type NamedArray,
  type PreviewImage,
  type TrainerState,
  type TrainOptions,
  type VaeConfig,
  type BackendInfo,
} from '../engine/index.js';
import {
  nativeTraining,
  nativeTrainingRuntime,
  resolveBackend,
  type BackendPreference,
} from '../engine/node/index.js';
import { localTrainingHost, type TrainingHost } from '../engine/host/index.js';
import {
  archiveStamp,
  loadLatestCheckpoint,
  modelSummary,
  moveModelAside,
  openProject,
  removeTemporaryFiles,
  saveCheckpoint,
  withProjectLock,
  type Checkpoint,
  type ProjectLayout,
} from '../project/index.js';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { toDataUrl } from '../util/dataUrl.js';
import { UserError } from '../util/errors.js';
import { fsFailure } from '../util/fsErrors.js';
import { trainingGuidance } from './trainingGuidance.js';
import { withoutExcluded } from './trainingImages.js';
import { ignoreEvents, jobEvent, logEvent, type JobContext } from './events.js';
import { makeFolder } from '../util/folders.js';

export interface TrainJobInput {
  project: string;
  /** The settings the user chose; the rest take their defaults for the dataset's images. */
  settings?: Partial<TrainSettings>;
  backend?: BackendPreference;
  /** Continue the latest checkpoint (its settings; `settings.epochs` may raise the total, the rest are ignored). */
  resume?: boolean;
}

/** {@link JobContext} plus where the engine trains. */
export interface TrainJobContext extends JobContext {
  /**
   * The training host: the engine in this process by default ({@link localTrainingHost} with `resolveBackend`);
   * the desktop app passes a remote host whose engine runs in a hidden renderer on WebGPU or WebGL.
   */
  host?: TrainingHost;
}

export interface TrainJobResult {
  project: string;
  /** The backend, where it ran (host, adapter) and why, as the host described it. */
  backend: BackendInfo;
  config: VaeConfig;
  options: TrainOptions;
  /** Epoch the run started from (0 for a new run). */
  startEpoch: number;
  epochs: number;
  history: EpochMetrics[];
  final: EpochMetrics | null;
  cancelled: boolean;
  checkpoint: string | null;
  /** Folder the previous model was moved to, when a new run replaced one (at its first whole checkpoint). */
  archivedPrevious: string | null;
  imagesPerSec: number;
  /** Images the run trained on (training and validation split), and the dataset's images it left out. */
  trainedImages: number;
  excluded: number;
  /** What the losses say about the next step, in sentences (keep training, overfitting, collapse). */
  guidance: string[];
}

/**
 * Trains (or resumes) the project's VAE on its imported dataset, holding the project's writer lock. Each finished
 * epoch is announced at once and its preview PNGs and atomic checkpoint are written behind it, so a kill at any
 * moment loses at most the epochs whose files were not yet whole (normally just the one in progress). A new run
 * moves the previous model into `checkpoints/archive/` only when its own first checkpoint is whole, so a run
 * that fails or diverges before then leaves the previous model current. The first failed write stops the run.
 *
 * @throws UserError PROJECT_BUSY when another process or job is writing the project.
 */
export async function runTraining(input: TrainJobInput, ctx: TrainJobContext = {}): Promise<TrainJobResult> {
  const project = await openProject(input.project);
  return withProjectLock(project.layout, 'training', () => trainLocked(project.layout, input, ctx));
}

async function trainLocked(
  layout: ProjectLayout,
  input: TrainJobInput,
  ctx: TrainJobContext,
): Promise<TrainJobResult> {
  const emit = ctx.emit ?? ignoreEvents;
  const host = ctx.host ?? nodeTrainingHost();
  const leftovers = await removeTemporaryFiles(layout);
  if (leftovers > 0) emit(logEvent(`removed ${leftovers} temporary file(s) left by an interrupted run`));
  const dataset = await loadDataset(layout.datasetDir);
  // The images the user excluded (project/exclusions.ts) are left out of new runs and resumed ones alike.
  const { manifest, images, excluded } = await withoutExcluded(layout, dataset.manifest, dataset.images);
  if (excluded > 0) {
    emit(
      logEvent(
        `training on ${manifest.count} of the dataset's ${dataset.manifest.count} images: ${excluded} ` +
          `excluded (${layout.exclusionsFile})`,
      ),
    );
  }
  const preference = input.backend ?? 'auto';
  const backend = await host.describe(preference);
  // The backend is said once, by `training.run` below: the app shows it in its own line, the CLI prints it.

  const previous = await previousCheckpoint(layout, !input.resume, emit);
  let config: VaeConfig;
  let options: TrainOptions;
  let archivedPrevious: string | null = null;
  let start: { weights: NamedArray[]; state: TrainerState } | null = null;
  if (input.resume) {
    if (!previous) {
      throw new UserError('NO_MODEL', `${layout.root} has no model to resume; start a new training instead`);
    }
    config = previous.meta.config;
    const epochs = input.settings?.epochs;
    options = { ...previous.meta.trainOptions, ...(epochs ? { epochs } : {}) };
    if (config.imageSize !== manifest.size || config.channels !== manifest.channels) {
      throw new UserError(
        'DATASET_CHANGED',
        `the checkpoint was trained on ${config.imageSize}×${config.imageSize}×${config.channels} images but the dataset is now ${manifest.size}×${manifest.size}×${manifest.channels}; train a new model instead of resuming this one`,
      );
    }
    if (previous.state.epoch >= options.epochs) {
      throw new UserError(
        'ALREADY_DONE',
        `the model has already trained ${previous.state.epoch} of ${options.epochs} epochs; ask for more epochs to continue it`,
      );
    }
    start = { weights: previous.weights, state: previous.state };
    emit(logEvent(`resuming from epoch ${previous.state.epoch} of ${options.epochs}`));
  } else {
    const { unlabelled } = datasetClasses(manifest);
    if (input.settings?.conditional === true && unlabelled > 0) throw topLevelImages(manifest, unlabelled);
    // Images at the top level have no class, so such a dataset trains unconditional unless they are moved.
    ({ config, options } = resolveTrainSettings(
      {
        imageSize: manifest.size,
        channels: manifest.channels,
        count: manifest.count,
        classes: datasetClassNames(manifest.labels),
      },
      input.settings ?? {},
    ));
    const warmup = warmupForRun(options, images.count);
    if (warmup.steps < options.lrWarmupSteps) {
      emit(
        logEvent(
          `learning-rate warm-up: ${warmup.steps} steps, a tenth of this run's ${warmup.runSteps} ` +
            `(${options.lrWarmupSteps} asked for)`,
        ),
      );
      options = { ...options, lrWarmupSteps: warmup.steps };
    }
  }
  if (config.conditional) {
    images.labels = labelsFor(
      manifest,
      config.classes ?? [],
      'the dataset was imported again since; train a new model instead of --resume',
    );
    emit(logEvent(`conditional on ${config.classes!.length} classes: ${config.classes!.join(', ')}`));
  }
  const classCounts = images.labels ? countClasses(images.labels, config.classes!.length) : undefined;
  // A new run moves whatever model the project has aside at the moment its own first checkpoint is whole.
  let replacePrevious = !input.resume;

  const startEpoch = start?.state.epoch ?? 0;
  emit(jobEvent('training.run', { config, options, startEpoch, backend }));
  let checkpointDir: string | null = previous && input.resume ? previous.dir : null;
  await makeFolder(layout.previewsDir);
  // A finished epoch is announced the moment its numbers exist: `training.epoch` carries the metrics and the
  // preview PNGs encoded in memory. Its files (previews, then the atomic checkpoint) are written behind it while
  // the next epoch trains, in epoch order (one chain), each epoch reported by `training.checkpoint` once whole;
  // the run does not return before the last write has finished.
  let writes: Promise<void> = Promise.resolve();
  const failed: { error: Error | null } = { error: null };
  // The first failed write stops the run at once: the host sees this signal abort at its next step.
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  if (ctx.signal?.aborted) stop.abort();
  ctx.signal?.addEventListener('abort', onAbort);
  let lastSaved: { dir: string; epoch: number } | null =
    previous && input.resume ? { dir: previous.dir, epoch: previous.meta.epoch } : null;
  try {
    const outcome = await host.train(
      {
        config,
        options,
        images: { ...images, classes: classesOf(manifest) },
        backend: preference,
        ...(start ?? {}),
      },
      {
        signal: stop.signal,
        onProgress: (p) => emit(jobEvent('training.progress', p)),
        // `weights` are this epoch's, copies the host made for us: the next steps do not change them.
        onEpoch: async (metrics, preview, state, weights) => {
          if (failed.error) throw failed.error;
          const pngs = await encodePreviews(preview);
          emit(
            jobEvent('training.epoch', {
              metrics,
              previews: {
                samples: toDataUrl(pngs.samples),
                reconstructions: toDataUrl(pngs.reconstructions),
              },
            }),
          );
          const emitCheckpoint = (
            previews: { samples: string; reconstructions: string },
            saved: Checkpoint,
          ): void => {
            emit(
              jobEvent('training.checkpoint', {
                project: layout.root,
                epoch: metrics.epoch,
                checkpoint: saved.dir,
                previews,
                model: modelSummary(saved.dir, saved.meta),
              }),
            );
          };
          writes = writes
            .then(async () => {
              // Nothing more is written after a failed write: the last whole checkpoint stays the current one.
              if (failed.error) return;
              let target = { what: `the previews of epoch ${metrics.epoch}`, where: layout.previewsDir };
              try {
                const previews = await writePreviews(layout, metrics.epoch, pngs);
                target = { what: `the checkpoint of epoch ${metrics.epoch}`, where: layout.checkpointsDir };
                const saved = await saveCheckpoint(
                  layout,
                  {
                    config,
                    trainOptions: options,
                    state,
                    weights,
                    // What trained it, as `info` shows it: "wasm, steps on ONNX Runtime 1.30.0, 2 threads".
                    backend: backend.native
                      ? `${backend.backend}, steps on ${backend.native}`
                      : backend.backend,
                    dataset: {
                      count: manifest.count,
                      size: manifest.size,
                      channels: manifest.channels,
                      ...(classCounts ? { classCounts } : {}),
                      ...(excluded > 0 ? { excluded } : {}),
                    },
                  },
                  replacePrevious
                    ? {
                        beforeCommit: async () => {
                          archivedPrevious = await moveModelAside(
                            layout,
                            join(layout.archiveDir, archiveStamp()),
                          );
                          replacePrevious = false;
                        },
                      }
                    : {},
                );
                replacePrevious = false;
                if (archivedPrevious && metrics.epoch === startEpoch + 1) {
                  emit(logEvent(`the previous model was moved to ${archivedPrevious}`));
                }
                checkpointDir = saved.dir;
                lastSaved = { dir: saved.dir, epoch: metrics.epoch };
                emitCheckpoint(previews, saved);
              } catch (err) {
                throw writeFailed(err, target, keptModel(layout, lastSaved, previous));
              }
            })
            .catch((err: unknown) => {
              failed.error ??= err instanceof Error ? err : new Error(String(err));
              stop.abort();
            });
        },
      },
    );
    await writes;
    if (failed.error) throw failed.error;
    const ran = outcome.history.slice(startEpoch);
    const seconds = ran.reduce((s, m) => s + m.seconds, 0);
    const imagesSeen = ran.reduce((s, m) => s + m.imagesPerSec * m.seconds, 0);
    return {
      project: layout.root,
      backend,
      config,
      options,
      startEpoch,
      epochs: outcome.state.epoch,
      history: outcome.history,
      final: outcome.history.at(-1) ?? null,
      cancelled: outcome.cancelled,
      checkpoint: checkpointDir,
      archivedPrevious,
      imagesPerSec: seconds > 0 ? imagesSeen / seconds : 0,
      trainedImages: manifest.count,
      excluded,
      guidance: trainingGuidance(outcome.history, { cancelled: outcome.cancelled }),
    };
  } catch (err) {
    await writes;
    if (failed.error) throw failed.error;
    if (err instanceof UserError && err.code === 'DIVERGED') {
      const kept = keptModel(layout, lastSaved, previous);
      throw new UserError('DIVERGED', `${err.message} ${kept.charAt(0).toUpperCase()}${kept.slice(1)}.`);
    }
    throw err;
  } finally {
    // Also on cancel or failure: the epochs that finished keep whole files.
    await writes;
    ctx.signal?.removeEventListener('abort', onAbort);
  }
}

/** Images of each class, from their class indices. */
function countClasses(labels: Uint16Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const label of labels) counts[label]!++;
  return counts;
}

/** Why a conditional model cannot train on a dataset with images outside every class folder. */
function topLevelImages(manifest: DatasetManifest, unlabelled: number): UserError {
  const { flag, label } = MODEL_SETTINGS.conditional;
  const which =
    unlabelled === manifest.count ? `all ${unlabelled}` : `${unlabelled} of the ${manifest.count}`;
  return new UserError(
    'INVALID_CONFIG',
    `conditional: ${which} images are at the top level of ${manifest.sourceRoot}, in no class folder, and a ` +
      `conditional model needs each image's class; move them into class folders and import again, or train ` +
      `without it (--no-${flag}, "${label}" off in the app)`,
  );
}

/**
 * The project's current checkpoint before the run. A resume needs it whole; a new run only moves it aside, so one
 * that cannot be read is no reason to refuse (it is archived as it is).
 */
async function previousCheckpoint(
  layout: ProjectLayout,
  newRun: boolean,
  emit: (event: ReturnType<typeof logEvent>) => void,
): Promise<Checkpoint | null> {
  try {
    const previous = await loadLatestCheckpoint(layout);
    if (previous?.note) emit(logEvent(previous.note));
    return previous;
  } catch (err) {
    if (!(newRun && err instanceof UserError && err.code === 'BAD_CHECKPOINT')) throw err;
    emit(logEvent(`the previous model cannot be read (${err.message}); it will be archived as it is`));
    return null;
  }
}

/**
 * A failed preview or checkpoint write, in words (util/fsErrors.ts): what was being written, where (its final
 * name, not its temporary one), why, and which model the project keeps.
 */
function writeFailed(err: unknown, target: { what: string; where: string }, kept: string): unknown {
  const { what, where } = target;
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.path === 'string') e.path = finalPath(e.path);
  const classified = fsFailure(err, {
    doing: `writing ${what}`,
    path: where,
    kept: `training stopped; ${kept}`,
  });
  if (classified instanceof UserError) return classified;
  return new UserError(
    'IO_ERROR',
    `could not write ${what} to ${e.path ?? where} (${e.message}); training stopped; ${kept}`,
  );
}

/**
 * The file a write was making, not its temporary name: `.name.<hex>.tmp` (util/atomicWrite.ts) is `name`, and a
 * file in `.tmp-epoch-NNNN-<hex>/` goes to `epoch-NNNN/`.
 */
function finalPath(path: string): string {
  const file = basename(path).replace(/^\.(.+)\.[0-9a-f]+\.tmp$/, '$1');
  const dir = dirname(path);
  const folder = basename(dir).replace(/^\.tmp-(epoch-\d+)-[0-9a-f]+$/, '$1');
  return join(dirname(dir), folder, file);
}

/** Which model the project has after a run that stopped on a failure: the truth, for its message. */
function keptModel(
  layout: ProjectLayout,
  lastSaved: { dir: string; epoch: number } | null,
  previous: Checkpoint | null,
): string {
  if (lastSaved) {
    return `the checkpoint of epoch ${lastSaved.epoch} (${lastSaved.dir}) is kept as the project's model`;
  }
  if (previous) {
    return `no checkpoint of this run was saved, so the previous model (epoch ${previous.meta.epoch}) is still the project's model`;
  }
  return `no checkpoint was saved; ${layout.root} has no model yet`;
}

/**
 * The engine in this process, on the backend engine/node/backend.ts resolves, with training's steps on ONNX Runtime
 * where that pays: what `train` trains on and `backend-info` describes when no other host was sent.
 */
export function nodeTrainingHost(): TrainingHost {
  // The preference is the job's own `backend` input, a BackendPreference; resolveBackend rejects any other.
  return localTrainingHost(
    (preference) => resolveBackend(preference as BackendPreference | undefined),
    'node',
    { runtime: nativeTrainingRuntime, create: nativeTraining },
  );
}

/** "wasm (cpu) — why", "webgpu (gpu, NVIDIA …) in the hidden renderer — why": the log line's words. */
/** Each image's class folder as an index into the manifest's sorted labels, for previews across the classes. */
function classesOf(manifest: DatasetManifest): Uint32Array {
  const index = new Map(manifest.labels.map((label, i) => [label, i]));
  return Uint32Array.from(manifest.items, (item) => index.get(item.label) ?? 0);
}

/** The preview PNGs training writes after `epoch` (1-based): fixed-z samples and reconstructions. */
export function previewFiles(
  layout: ProjectLayout,
  epoch: number,
): { samples: string; reconstructions: string } {
  const tag = `epoch-${String(epoch).padStart(4, '0')}`;
  return {
    samples: join(layout.previewsDir, `${tag}-samples.png`),
    reconstructions: join(layout.previewsDir, `${tag}-reconstructions.png`),
  };
}

/** An epoch's two preview grids as PNG bytes. */
interface PreviewPngs {
  samples: Uint8Array;
  reconstructions: Uint8Array;
}

async function encodePreviews(preview: EpochPreview): Promise<PreviewPngs> {
  const png = (image: PreviewImage) =>
    encodeImage(image.pixels, image.width, image.height, image.channels, 'png');
  const [samples, reconstructions] = await Promise.all([png(preview.samples), png(preview.reconstructions)]);
  return { samples, reconstructions };
}

async function writePreviews(
  layout: ProjectLayout,
  epoch: number,
  pngs: PreviewPngs,
): Promise<{ samples: string; reconstructions: string }> {
  const paths = previewFiles(layout, epoch);
  await writeFileAtomic(paths.samples, pngs.samples);
  await writeFileAtomic(paths.reconstructions, pngs.reconstructions);
  return paths;
}

/**
 * A new run's learning-rate warm-up: the setting's steps, but at most a tenth of the run's, so a short run of a few
 * dozen steps is not spent almost all below its learning rate. Resolved once, when the run starts, and saved with
 * its options, so a resumed run goes on with the same warm-up.
 *
 * @param images the images the run trains and validates on (the validation split is taken off here).
 */
export function warmupForRun(
  options: Pick<TrainOptions, 'epochs' | 'batchSize' | 'valFraction' | 'lrWarmupSteps'>,
  images: number,
): { steps: number; runSteps: number } {
  // The split's sizes do not depend on its seed.
  const training = Math.max(1, splitIndices(images, options.valFraction, 0).train.length);
  const runSteps = options.epochs * Math.ceil(training / options.batchSize);
  return { steps: Math.min(options.lrWarmupSteps, Math.floor(runSteps / 10)), runSteps };
}
