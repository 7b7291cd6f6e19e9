import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DEFAULT_TRAIN_OPTIONS,
  defaultConfig,
  type EpochMetrics,
  type NamedArray,
  type TrainOptions,
  type TrainerState,
  type VaeConfig,
} from '../engine/index.js';
import { UserError } from '../util/errors.js';
import { writeJsonAtomic } from '../util/atomicWrite.js';
import type { ProjectLayout } from './layout.js';

export const CHECKPOINT_FORMAT = 'vae-studio-checkpoint';

/** One tensor's place in a `.bin` file: float32 values from `offset` (in floats). */
interface TensorEntry {
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

/** `model.json`: everything about a checkpoint except the float arrays. */
export interface CheckpointMeta {
  format: typeof CHECKPOINT_FORMAT;
  version: 1;
  savedAt: string;
  backend: string;
  config: VaeConfig;
  trainOptions: TrainOptions;
  epoch: number;
  globalStep: number;
  history: EpochMetrics[];
  weights: TensorEntry[];
  optimizer: TensorEntry[];
  /** sha256 of weights.bin: names the exact model an output came from. */
  weightsSha256: string;
  dataset: { count: number; size: number; channels: 1 | 3 };
}

export interface Checkpoint {
  /** Folder holding model.json, weights.bin, optimizer.bin. */
  dir: string;
  meta: CheckpointMeta;
  weights: NamedArray[];
  state: TrainerState;
}

export interface SaveCheckpointInput {
  config: VaeConfig;
  trainOptions: TrainOptions;
  state: TrainerState;
  weights: NamedArray[];
  backend: string;
  dataset: CheckpointMeta['dataset'];
}

/** How many epoch folders to keep besides the one `latest.json` points at. */
const KEEP_PREVIOUS = 1;

/**
 * Saves a checkpoint so that a kill at any moment leaves the previous one loadable: the files go to a fresh
 * temporary folder, which is renamed to `epoch-NNNN`, and only then is `latest.json` atomically repointed.
 */
export async function saveCheckpoint(layout: ProjectLayout, input: SaveCheckpointInput): Promise<Checkpoint> {
  await mkdir(layout.checkpointsDir, { recursive: true });
  const name = `epoch-${String(input.state.epoch).padStart(4, '0')}`;
  const tmp = join(layout.checkpointsDir, `.tmp-${name}-${randomBytes(4).toString('hex')}`);
  await mkdir(tmp);
  try {
    const weights = packArrays(input.weights);
    const optimizer = packArrays(input.state.optimizer);
    const meta: CheckpointMeta = {
      format: CHECKPOINT_FORMAT,
      version: 1,
      savedAt: new Date().toISOString(),
      backend: input.backend,
      config: input.config,
      trainOptions: input.trainOptions,
      epoch: input.state.epoch,
      globalStep: input.state.globalStep,
      history: input.state.history,
      weights: weights.entries,
      optimizer: optimizer.entries,
      weightsSha256: createHash('sha256').update(weights.bytes).digest('hex'),
      dataset: input.dataset,
    };
    await writeSynced(join(tmp, 'weights.bin'), weights.bytes);
    await writeSynced(join(tmp, 'optimizer.bin'), optimizer.bytes);
    await writeSynced(join(tmp, 'model.json'), JSON.stringify(meta, null, 2) + '\n');
    const dir = join(layout.checkpointsDir, name);
    // A folder of the same name can only be a leftover of a run that died after renaming but before
    // repointing latest.json, or an epoch being redone after --resume; latest.json never points at it then.
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
    await writeJsonAtomic(layout.latestPointer, { checkpoint: name, epoch: input.state.epoch });
    await pruneOldCheckpoints(layout, name);
    return { dir, meta, weights: input.weights, state: input.state };
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** The folder `latest.json` points at, or null when the project has no checkpoint yet. */
async function latestCheckpointDir(layout: ProjectLayout): Promise<string | null> {
  let pointer: { checkpoint?: unknown };
  try {
    pointer = JSON.parse(await readFile(layout.latestPointer, 'utf8')) as { checkpoint?: unknown };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new UserError('BAD_CHECKPOINT', `${layout.latestPointer}: unreadable (${(err as Error).message})`);
  }
  if (typeof pointer.checkpoint !== 'string' || !/^epoch-\d+$/.test(pointer.checkpoint)) {
    throw new UserError('BAD_CHECKPOINT', `${layout.latestPointer}: does not name a checkpoint folder`);
  }
  return join(layout.checkpointsDir, pointer.checkpoint);
}

/** Loads the checkpoint `latest.json` points at, or null when the project has none yet. */
export async function loadLatestCheckpoint(layout: ProjectLayout): Promise<Checkpoint | null> {
  const dir = await latestCheckpointDir(layout);
  return dir ? loadCheckpoint(dir) : null;
}

/** The latest checkpoint's folder and `model.json` only (no arrays are read), or null when there is none. */
export async function readLatestCheckpointMeta(
  layout: ProjectLayout,
): Promise<{ dir: string; meta: CheckpointMeta } | null> {
  const dir = await latestCheckpointDir(layout);
  return dir ? { dir, meta: await readCheckpointMeta(dir) } : null;
}

/** Loads the project's latest checkpoint or fails with `NO_MODEL`, telling the user how to train one. */
export async function requireLatestCheckpoint(layout: ProjectLayout): Promise<Checkpoint> {
  const checkpoint = await loadLatestCheckpoint(layout);
  if (!checkpoint) {
    throw new UserError(
      'NO_MODEL',
      `${layout.root} has no trained model yet; train one with: vae-studio train --project ${layout.root}`,
    );
  }
  return checkpoint;
}

/** Reads and checks a checkpoint folder's `model.json`. */
async function readCheckpointMeta(dir: string): Promise<CheckpointMeta> {
  const metaPath = join(dir, 'model.json');
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(await readFile(metaPath, 'utf8')) as CheckpointMeta;
  } catch (err) {
    throw new UserError('BAD_CHECKPOINT', `${metaPath}: unreadable (${(err as Error).message})`);
  }
  if (meta.format !== CHECKPOINT_FORMAT) {
    throw new UserError('BAD_CHECKPOINT', `${metaPath}: not a VAE Studio checkpoint`);
  }
  // A checkpoint saved before a setting existed trained as its default does (a new setting's default keeps
  // the old behaviour), so it reads as a model with that default rather than one missing a field.
  if (typeof meta.config?.imageSize === 'number') {
    meta.config = { ...defaultConfig(meta.config.imageSize, meta.config.channels), ...meta.config };
    meta.trainOptions = { ...DEFAULT_TRAIN_OPTIONS, ...meta.trainOptions };
  }
  return meta;
}

/** Loads one checkpoint folder, checking that every array has the size model.json says. */
export async function loadCheckpoint(dir: string): Promise<Checkpoint> {
  const meta = await readCheckpointMeta(dir);
  const weights = unpackArrays(
    await readFile(join(dir, 'weights.bin')),
    meta.weights,
    join(dir, 'weights.bin'),
  );
  const optimizer = unpackArrays(
    await readFile(join(dir, 'optimizer.bin')),
    meta.optimizer,
    join(dir, 'optimizer.bin'),
  );
  return {
    dir,
    meta,
    weights,
    state: { epoch: meta.epoch, globalStep: meta.globalStep, history: meta.history, optimizer },
  };
}

/**
 * Moves every existing checkpoint into `checkpoints/archive/<time>/` so a fresh training run never destroys
 * a model the user trained before. Returns the archive folder, or null when there was nothing to move.
 */
export async function archiveCheckpoints(layout: ProjectLayout): Promise<string | null> {
  let names: string[];
  try {
    names = await readdir(layout.checkpointsDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const movable = names.filter((n) => n === 'latest.json' || /^epoch-\d+$/.test(n));
  if (movable.length === 0) return null;
  const target = join(layout.archiveDir, new Date().toISOString().replace(/[:.]/g, '-'));
  await mkdir(target, { recursive: true });
  // latest.json first: from then on the project has no current model, never a pointer to a moved folder.
  movable.sort((a, b) => (a === 'latest.json' ? -1 : b === 'latest.json' ? 1 : a.localeCompare(b)));
  for (const name of movable) await rename(join(layout.checkpointsDir, name), join(target, name));
  return target;
}

async function pruneOldCheckpoints(layout: ProjectLayout, current: string): Promise<void> {
  const epochs = (await readdir(layout.checkpointsDir))
    .filter((n) => /^epoch-\d+$/.test(n) && n !== current)
    .sort();
  const stale = epochs.slice(0, Math.max(0, epochs.length - KEEP_PREVIOUS));
  for (const name of stale) await rm(join(layout.checkpointsDir, name), { recursive: true, force: true });
}

async function writeSynced(path: string, data: Uint8Array | string): Promise<void> {
  await writeFile(path, data);
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function packArrays(arrays: NamedArray[]): { entries: TensorEntry[]; bytes: Uint8Array } {
  const total = arrays.reduce((n, a) => n + a.values.length, 0);
  const floats = new Float32Array(total);
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const a of arrays) {
    floats.set(a.values, offset);
    entries.push({ name: a.name, shape: a.shape, offset, length: a.values.length });
    offset += a.values.length;
  }
  return { entries, bytes: new Uint8Array(floats.buffer) };
}

function unpackArrays(bytes: Buffer, entries: TensorEntry[], path: string): NamedArray[] {
  const expected = entries.reduce((n, e) => Math.max(n, e.offset + e.length), 0) * 4;
  if (bytes.byteLength !== expected) {
    throw new UserError(
      'BAD_CHECKPOINT',
      `${path}: ${bytes.byteLength} bytes, model.json expects ${expected} (the file is truncated or from another model)`,
    );
  }
  // Copy into an aligned buffer: a Buffer's byteOffset inside Node's pool need not be a multiple of 4.
  const floats = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(floats.buffer).set(bytes);
  return entries.map((e) => ({
    name: e.name,
    shape: e.shape,
    values: floats.slice(e.offset, e.offset + e.length),
  }));
}
