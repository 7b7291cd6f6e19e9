import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile, open } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
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
import { faultPoint } from '../util/faultPoint.js';
import type { ProjectLayout } from './layout.js';
import { makeFolder } from '../util/folders.js';

/** What a model trained as before each of these settings was added to the checkpoint config. */
const SETTINGS_BEFORE_THEY_EXISTED = {
  likelihood: 'bernoulli',
  gaussianSigma: 0.1,
  conditional: false,
} as const;

/** Likewise for the training options: a run saved before the learning-rate warm-up resumes without one. */
const OPTIONS_BEFORE_THEY_EXISTED = { lrWarmupSteps: 0 } as const;

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
  /** sha256 of weights.bin: names the exact model an output came from; checked on every load. */
  weightsSha256: string;
  /** sha256 of optimizer.bin, checked on every load (absent in checkpoints saved before it was recorded). */
  optimizerSha256?: string;
  /**
   * The images the model was trained on; for a conditional model also how many of them each class has
   * (`classCounts`, parallel to `config.classes`: the proportions `generate` splits a count by).
   */
  dataset: {
    count: number;
    size: number;
    channels: 1 | 3;
    classCounts?: number[];
    /** Images of the dataset left out of training (project/exclusions.ts); absent when none were. */
    excluded?: number;
  };
}

export interface Checkpoint {
  /** Folder holding model.json, weights.bin, optimizer.bin. */
  dir: string;
  meta: CheckpointMeta;
  weights: NamedArray[];
  state: TrainerState;
  /** Set when this is not the checkpoint `latest.json` names (it was missing or damaged): why, in words. */
  note?: string;
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

/** A checkpoint folder's name: `epoch-NNNN`. */
export const EPOCH_FOLDER = /^epoch-\d+$/;

/** How {@link saveCheckpoint} may commit. */
export interface SaveCheckpointOptions {
  /**
   * Runs once the new checkpoint's files are whole and synced, before it is renamed into place and `latest.json`
   * repointed: a new run moves the previous model aside here, so a run that fails before its first whole
   * checkpoint leaves the previous model current.
   */
  beforeCommit?: () => Promise<void>;
}

/**
 * Saves a checkpoint so that a kill at any moment leaves the previous one loadable: the files go to a fresh
 * temporary folder, which is renamed to `epoch-NNNN`, and only then is `latest.json` atomically repointed.
 */
export async function saveCheckpoint(
  layout: ProjectLayout,
  input: SaveCheckpointInput,
  options: SaveCheckpointOptions = {},
): Promise<Checkpoint> {
  await makeFolder(layout.checkpointsDir);
  const name = `epoch-${String(input.state.epoch).padStart(4, '0')}`;
  const tmp = join(layout.checkpointsDir, `.tmp-${name}-${randomBytes(4).toString('hex')}`);
  await mkdir(tmp);
  try {
    faultPoint('checkpoint-tmp');
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
      weightsSha256: sha256(weights.bytes),
      optimizerSha256: sha256(optimizer.bytes),
      dataset: input.dataset,
    };
    await writeSynced(join(tmp, 'weights.bin'), weights.bytes);
    faultPoint('checkpoint-weights');
    await writeSynced(join(tmp, 'optimizer.bin'), optimizer.bytes);
    faultPoint('checkpoint-optimizer');
    await writeSynced(join(tmp, 'model.json'), JSON.stringify(meta, null, 2) + '\n');
    faultPoint('checkpoint-meta');
    await options.beforeCommit?.();
    const dir = join(layout.checkpointsDir, name);
    // A folder of the same name can only be a leftover of a run that died after renaming but before
    // repointing latest.json, or an epoch being redone after --resume; latest.json never points at it then.
    await rm(dir, { recursive: true, force: true });
    faultPoint('checkpoint-clear');
    await rename(tmp, dir);
    faultPoint('checkpoint-rename');
    await writePointer(layout, dir, input.state.epoch);
    faultPoint('checkpoint-pointer');
    await pruneOldCheckpoints(layout, name);
    return { dir, meta, weights: input.weights, state: input.state };
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** What `latest.json` says: no pointer, a pointer that names nothing usable (why), or a checkpoint folder. */
type Pointer =
  { kind: 'none' } | { kind: 'bad'; reason: string } | { kind: 'ok'; dir: string; epoch: number };

/**
 * Reads `latest.json`. Its `checkpoint` is a folder name in `checkpoints/` (`epoch-0012`), or, for a moment while
 * a new run or an import moves the previous model aside, a relative path into an archive (still inside the
 * project), so that a kill then leaves the previous model current.
 */
export async function readPointer(layout: ProjectLayout, file = layout.latestPointer): Promise<Pointer> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'none' };
    return { kind: 'bad', reason: `cannot be read (${code ?? String(err)})` };
  }
  let pointer: { checkpoint?: unknown; epoch?: unknown };
  try {
    pointer = JSON.parse(text) as { checkpoint?: unknown; epoch?: unknown };
  } catch {
    return { kind: 'bad', reason: 'is not valid JSON (truncated or damaged)' };
  }
  const name = pointer?.checkpoint;
  if (typeof name !== 'string' || !EPOCH_FOLDER.test(name.split('/').pop() ?? '')) {
    return { kind: 'bad', reason: 'does not name a checkpoint folder' };
  }
  const dir = resolve(dirname(file), ...name.split('/'));
  if (relative(layout.root, dir).startsWith('..') || isAbsolute(relative(layout.root, dir))) {
    return { kind: 'bad', reason: 'names a folder outside the project' };
  }
  return { kind: 'ok', dir, epoch: typeof pointer.epoch === 'number' ? pointer.epoch : 0 };
}

/** Atomically points `file` (`latest.json` by default) at the checkpoint folder `dir`. */
export async function writePointer(
  layout: ProjectLayout,
  dir: string,
  epoch: number,
  file = layout.latestPointer,
): Promise<void> {
  const checkpoint = relative(dirname(file), dir).split(sep).join('/');
  await writeJsonAtomic(file, { checkpoint, epoch });
}

/** The `epoch-*` folders in `checkpoints/`, newest first. */
export async function epochFolders(checkpointsDir: string): Promise<string[]> {
  try {
    return (await readdir(checkpointsDir))
      .filter((n) => EPOCH_FOLDER.test(n))
      .sort()
      .reverse();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/**
 * Finds the project's current checkpoint with `load` (which throws BAD_CHECKPOINT for a damaged one): the one
 * `latest.json` names, or — when the pointer is missing or damaged, or its checkpoint is — the newest intact
 * `epoch-*` folder, with a note saying so. Null when the project has no checkpoint at all.
 */
async function findCurrent<T>(
  layout: ProjectLayout,
  load: (dir: string) => Promise<T>,
): Promise<{ found: T; dir: string; note?: string } | null> {
  const pointer = await readPointer(layout);
  let problem: string | null = null;
  if (pointer.kind === 'ok') {
    try {
      return { found: await load(pointer.dir), dir: pointer.dir };
    } catch (err) {
      if (!(err instanceof UserError && err.code === 'BAD_CHECKPOINT')) throw err;
      problem = err.message;
    }
  } else if (pointer.kind === 'bad') {
    problem = `${layout.latestPointer} ${pointer.reason}`;
  }
  const pointed = pointer.kind === 'ok' ? pointer.dir : null;
  const candidates = (await epochFolders(layout.checkpointsDir))
    .map((n) => join(layout.checkpointsDir, n))
    .filter((d) => d !== pointed);
  for (const dir of candidates) {
    try {
      const found = await load(dir);
      const why = problem ?? `${layout.latestPointer} is missing`;
      const which =
        problem && pointer.kind === 'ok'
          ? 'the newest intact earlier checkpoint'
          : 'the newest intact checkpoint';
      return { found, dir, note: `${why}; using ${which}, ${dir}` };
    } catch (err) {
      if (!(err instanceof UserError && err.code === 'BAD_CHECKPOINT')) throw err;
      problem ??= err.message;
    }
  }
  if (problem === null) return null;
  throw new UserError(
    'BAD_CHECKPOINT',
    `${problem}; there is no intact earlier checkpoint in ${layout.checkpointsDir} — train a new model (the damaged one is archived, not deleted)`,
  );
}

/**
 * Loads the project's current checkpoint, verified (sizes, checksums, finite values), or null when it has none
 * yet. A missing or damaged `latest.json`, or a damaged checkpoint, falls back to the newest intact `epoch-*`
 * folder, and `note` says so.
 *
 * @throws UserError BAD_CHECKPOINT when checkpoints exist but none is intact.
 */
export async function loadLatestCheckpoint(layout: ProjectLayout): Promise<Checkpoint | null> {
  const current = await findCurrent(layout, loadCheckpoint);
  if (!current) return null;
  return current.note ? { ...current.found, note: current.note } : current.found;
}

/**
 * The current checkpoint's folder and `model.json` (checked, with the files' sizes; no arrays are read), or null
 * when there is none. Falls back like {@link loadLatestCheckpoint}.
 */
export async function readLatestCheckpointMeta(
  layout: ProjectLayout,
): Promise<{ dir: string; meta: CheckpointMeta; note?: string } | null> {
  const current = await findCurrent(layout, async (dir) => {
    const meta = await readCheckpointMeta(dir);
    await checkFileSizes(dir, meta);
    return meta;
  });
  if (!current) return null;
  return { dir: current.dir, meta: current.found, ...(current.note ? { note: current.note } : {}) };
}

/** Loads the project's latest checkpoint or fails with `NO_MODEL`, saying a model must be trained first. */
export async function requireLatestCheckpoint(layout: ProjectLayout): Promise<Checkpoint> {
  const checkpoint = await loadLatestCheckpoint(layout);
  if (!checkpoint) {
    throw new UserError('NO_MODEL', `${layout.root} has no trained model yet; train one first`);
  }
  return checkpoint;
}

/** Reads and checks a checkpoint folder's `model.json`; every problem is one line naming the file. */
async function readCheckpointMeta(dir: string): Promise<CheckpointMeta> {
  const metaPath = join(dir, 'model.json');
  const text = await readCheckpointFile(metaPath, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UserError('BAD_CHECKPOINT', `${metaPath} is not valid JSON (truncated or damaged)`);
  }
  const meta = value as CheckpointMeta;
  if (meta === null || typeof meta !== 'object' || meta.format !== CHECKPOINT_FORMAT) {
    throw new UserError('BAD_CHECKPOINT', `${metaPath} is not a VAE Studio checkpoint`);
  }
  const problem = metaProblem(meta);
  if (problem) throw new UserError('BAD_CHECKPOINT', `${metaPath} is damaged: ${problem}`);
  // A checkpoint saved before a setting existed trained as that setting did then (the Bernoulli decoder, no
  // classes), so it reads as such a model rather than one missing a field — never as today's default, which
  // for colour images is another likelihood.
  meta.config = {
    ...defaultConfig(meta.config.imageSize, meta.config.channels),
    ...SETTINGS_BEFORE_THEY_EXISTED,
    ...meta.config,
  };
  meta.trainOptions = { ...DEFAULT_TRAIN_OPTIONS, ...OPTIONS_BEFORE_THEY_EXISTED, ...meta.trainOptions };
  return meta;
}

/** What is wrong with a parsed model.json, in words, or null. */
function metaProblem(meta: CheckpointMeta): string | null {
  const isInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  if (!meta.config || typeof meta.config !== 'object' || !isInt(meta.config.imageSize)) {
    return 'the model settings are missing';
  }
  if (!isInt(meta.epoch) || !isInt(meta.globalStep)) return 'the epoch count is missing';
  if (!Array.isArray(meta.history)) return 'the training history is missing';
  for (const [key, label] of [
    ['weights', 'weights.bin'],
    ['optimizer', 'optimizer.bin'],
  ] as const) {
    const entries = meta[key] as unknown;
    if (!Array.isArray(entries)) return `the list of arrays in ${label} is missing`;
    for (const e of entries as Partial<TensorEntry>[]) {
      if (
        !e ||
        typeof e.name !== 'string' ||
        !Array.isArray(e.shape) ||
        !isInt(e.offset) ||
        !isInt(e.length)
      ) {
        return `the list of arrays in ${label} is damaged`;
      }
    }
  }
  if (typeof meta.weightsSha256 !== 'string') return 'the checksum of weights.bin is missing';
  return null;
}

/** Reads one file of a checkpoint; a missing or unreadable file is one line naming it. */
async function readCheckpointFile(path: string, encoding: 'utf8'): Promise<string>;
async function readCheckpointFile(path: string): Promise<Buffer>;
async function readCheckpointFile(path: string, encoding?: 'utf8'): Promise<string | Buffer> {
  try {
    return encoding ? await readFile(path, encoding) : await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new UserError(
        'BAD_CHECKPOINT',
        `${path} is missing (the checkpoint in ${dirname(path)} is incomplete)`,
      );
    }
    throw new UserError('BAD_CHECKPOINT', `${path} cannot be read (${code ?? String(err)})`);
  }
}

/** Checks that weights.bin and optimizer.bin have the sizes model.json says, without reading them. */
async function checkFileSizes(dir: string, meta: CheckpointMeta): Promise<void> {
  for (const [file, entries] of [
    ['weights.bin', meta.weights],
    ['optimizer.bin', meta.optimizer],
  ] as const) {
    const path = join(dir, file);
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch {
      await readCheckpointFile(path); // throws the one-line message
      continue;
    }
    checkSize(size, entries, path);
  }
}

function checkSize(size: number, entries: TensorEntry[], path: string): void {
  const expected = entries.reduce((n, e) => Math.max(n, e.offset + e.length), 0) * 4;
  if (size !== expected) {
    throw new UserError(
      'BAD_CHECKPOINT',
      `${path}: ${size} bytes, model.json expects ${expected} (the file is truncated or from another model)`,
    );
  }
}

/**
 * Loads one checkpoint folder and verifies it: every array has the size model.json says, each `.bin` file
 * matches its recorded sha256, and every value is finite.
 *
 * @throws UserError BAD_CHECKPOINT naming the file at fault.
 */
export async function loadCheckpoint(dir: string): Promise<Checkpoint> {
  const meta = await readCheckpointMeta(dir);
  const weights = await readArrays(join(dir, 'weights.bin'), meta.weights, meta.weightsSha256);
  const optimizer = await readArrays(join(dir, 'optimizer.bin'), meta.optimizer, meta.optimizerSha256);
  return {
    dir,
    meta,
    weights,
    state: { epoch: meta.epoch, globalStep: meta.globalStep, history: meta.history, optimizer },
  };
}

async function readArrays(
  path: string,
  entries: TensorEntry[],
  sha: string | undefined,
): Promise<NamedArray[]> {
  const bytes = await readCheckpointFile(path);
  checkSize(bytes.byteLength, entries, path);
  if (sha !== undefined && sha256(bytes) !== sha) {
    throw new UserError(
      'BAD_CHECKPOINT',
      `${path} does not match the checksum in model.json (the file was changed or damaged)`,
    );
  }
  const arrays = unpackArrays(bytes, entries);
  for (const a of arrays) {
    if (!a.values.every(Number.isFinite)) {
      throw new UserError(
        'BAD_CHECKPOINT',
        `${path} holds values that are not finite numbers (NaN or infinite) in ${a.name}`,
      );
    }
  }
  return arrays;
}

async function pruneOldCheckpoints(layout: ProjectLayout, current: string): Promise<void> {
  const epochs = (await readdir(layout.checkpointsDir))
    .filter((n) => EPOCH_FOLDER.test(n) && n !== current)
    .sort();
  const stale = epochs.slice(0, Math.max(0, epochs.length - KEEP_PREVIOUS));
  for (const name of stale) {
    await rm(join(layout.checkpointsDir, name), { recursive: true, force: true });
    faultPoint('checkpoint-prune');
  }
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

function unpackArrays(bytes: Buffer, entries: TensorEntry[]): NamedArray[] {
  // Copy into an aligned buffer: a Buffer's byteOffset inside Node's pool need not be a multiple of 4.
  const floats = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(floats.buffer).set(bytes);
  return entries.map((e) => ({
    name: e.name,
    shape: e.shape,
    values: floats.slice(e.offset, e.offset + e.length),
  }));
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
