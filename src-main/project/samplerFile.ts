import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GaussianMixture, MixtureFit } from '../engine/index.js';
import { writeJsonAtomic } from '../util/atomicWrite.js';

/**
 * The fitted latent mixture of a checkpoint (`sampler-gmm.json` in its `epoch-NNNN/` folder): fitted once, on
 * first use, to the posterior means of the checkpoint's training images and kept beside its weights, so every
 * later generation draws from the very same mixture. A conditional model's file holds one mixture per class
 * (version 2's `classes`), each fitted to the latents of that class's training images. Only a plain file in the
 * folder: the checkpoint's own checks ignore it, an archive's copy (hard links of the folder's files) carries it,
 * and a redone epoch's new folder has none (its weights changed).
 */

export const MIXTURE_SAMPLER_FILE = 'sampler-gmm.json';
const SAMPLER_FORMAT = 'vae-studio-sampler';
/** The version new files are written in: 2 added the per-class mixtures of a conditional model. */
export const MIXTURE_SAMPLER_VERSION = 2;

/** One fitted mixture and what its fit recorded. */
export interface FittedMixture {
  components: number;
  /** Training images whose posterior means were fitted. */
  trainingImages: number;
  /** Mean log-density of those latents under the mixture, nats per latent, and the fit's BIC. */
  logLikelihood: number;
  bic: number;
  iterations: number;
  converged: boolean;
  mixture: GaussianMixture;
}

/** A conditional model's mixture of one class. */
export interface ClassMixture extends FittedMixture {
  /** The class, as the model's `config.classes` names it (the list is in that order). */
  name: string;
}

/** What every `sampler-gmm.json` holds. */
interface MixtureSamplerHeader {
  format: typeof SAMPLER_FORMAT;
  /** 1: an unconditional model's one mixture (files written before conditional models); 2: either kind. */
  version: 1 | 2;
  kind: 'gmm';
  fittedAt: string;
  /** The checkpoint's weights the latents came from: a file beside other weights is stale. */
  weightsSha256: string;
  /** Seeds the fits' k-means++ starts (the checkpoint's training seed; class k's fit uses hashSeed(seed, k)). */
  seed: number;
  seconds: number;
}

/**
 * What `sampler-gmm.json` holds: an unconditional model's one mixture (the fit's fields at the top level, as in
 * version 1), or a conditional model's mixtures, one per class in `classes`.
 */
export type MixtureSamplerFile = SingleMixtureFile | ClassMixturesFile;
/** An unconditional model's file: its one mixture. */
export type SingleMixtureFile = MixtureSamplerHeader & FittedMixture & { classes?: undefined };
/** A conditional model's file (version 2): a mixture per class. */
export type ClassMixturesFile = MixtureSamplerHeader & { classes: ClassMixture[] };

/** One fit's record, from the engine's result. */
export function fittedMixture(trainingImages: number, fit: MixtureFit): FittedMixture {
  return {
    components: fit.mixture.weights.length,
    trainingImages,
    logLikelihood: fit.logLikelihood,
    bic: fit.bic,
    iterations: fit.iterations,
    converged: fit.converged,
    mixture: fit.mixture,
  };
}

/** What a fit records beside the mixture: the one of an unconditional model, or one per class. */
export interface MixtureFitRecord {
  weightsSha256: string;
  seed: number;
  seconds: number;
  fitted: FittedMixture | ClassMixture[];
}

/** The file's path in a checkpoint folder. */
export function mixtureSamplerPath(checkpointDir: string): string {
  return join(checkpointDir, MIXTURE_SAMPLER_FILE);
}

/** The file's content for a fit. */
export function mixtureSamplerFile(record: MixtureFitRecord): MixtureSamplerFile {
  const header: MixtureSamplerHeader = {
    format: SAMPLER_FORMAT,
    version: MIXTURE_SAMPLER_VERSION,
    kind: 'gmm',
    fittedAt: new Date().toISOString(),
    weightsSha256: record.weightsSha256,
    seed: record.seed,
    seconds: record.seconds,
  };
  const { fitted } = record;
  return Array.isArray(fitted) ? { ...header, classes: fitted } : { ...header, ...fitted };
}

/** Writes the file into the checkpoint folder atomically: a reader sees no file or the whole one. */
export async function writeMixtureSampler(checkpointDir: string, file: MixtureSamplerFile): Promise<string> {
  const path = mixtureSamplerPath(checkpointDir);
  await writeJsonAtomic(path, file);
  return path;
}

/**
 * Reads a checkpoint folder's mixture for the model whose weights hash to `weightsSha256`, whose latents have
 * `latentDim` dimensions and (a conditional model) whose classes are `classes`: the file, 'missing', or why it
 * cannot be used (damaged, fitted to other weights, or to another kind of model), in words — the caller fits a
 * new one then. Version 1 files (an unconditional model's, written before version 2) read as they are.
 */
export async function readMixtureSampler(
  checkpointDir: string,
  expected: { weightsSha256: string; latentDim: number; classes?: readonly string[] },
): Promise<MixtureSamplerFile | 'missing' | { problem: string }> {
  const path = mixtureSamplerPath(checkpointDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'missing';
    return { problem: `${path} cannot be read (${code ?? String(err)})` };
  }
  let value: MixtureSamplerFile;
  try {
    value = JSON.parse(text) as MixtureSamplerFile;
  } catch {
    return { problem: `${path} is not valid JSON (truncated or damaged)` };
  }
  if (value?.format !== SAMPLER_FORMAT || value.kind !== 'gmm') {
    return { problem: `${path} is not a VAE Studio mixture sampler` };
  }
  if (value.version !== 1 && value.version !== 2) {
    return { problem: `${path} is of version ${String(value.version)}, which this version cannot read` };
  }
  if (value.weightsSha256 !== expected.weightsSha256) {
    return { problem: `${path} was fitted to another model's weights` };
  }
  const classes = expected.classes;
  if (value.classes === undefined) {
    if (classes) return { problem: `${path} holds one mixture, and the model is conditional` };
    const problem = mixtureProblem(value.mixture, expected.latentDim);
    if (problem) return { problem: `${path} is damaged: ${problem}` };
    value.mixture = inKeyOrder(value.mixture);
    return value;
  }
  if (!classes) return { problem: `${path} holds mixtures per class, and the model is unconditional` };
  const fitted = value.classes as unknown;
  if (
    !Array.isArray(fitted) ||
    fitted.length !== classes.length ||
    fitted.some((c: Partial<ClassMixture> | null, i) => c?.name !== classes[i])
  ) {
    return { problem: `${path} holds mixtures of other classes than the model's ${classes.join(', ')}` };
  }
  for (const c of value.classes) {
    const problem = mixtureProblem(c.mixture, expected.latentDim);
    if (problem) return { problem: `${path} is damaged: class ${c.name}: ${problem}` };
    c.mixture = inKeyOrder(c.mixture);
  }
  return value;
}

/** A mixture rebuilt in a fixed key order, so its fingerprint does not depend on how the file was written. */
function inKeyOrder(m: GaussianMixture): GaussianMixture {
  return {
    dim: m.dim,
    covariance: m.covariance,
    weights: m.weights,
    means: m.means,
    covariances: m.covariances,
  };
}

/** What is wrong with a stored mixture for latents of `dim` dimensions, in words, or null. */
function mixtureProblem(m: GaussianMixture | undefined, dim: number): string | null {
  if (!m || typeof m !== 'object') return 'the mixture is missing';
  if (m.dim !== dim) return `its latents have ${String(m.dim)} dimensions, the model's ${dim}`;
  if (m.covariance !== 'full' && m.covariance !== 'diagonal') return 'the covariance kind is unknown';
  const k = Array.isArray(m.weights) ? m.weights.length : 0;
  const finite = (a: unknown, n: number) =>
    Array.isArray(a) && a.length === n && a.every((v) => typeof v === 'number' && Number.isFinite(v));
  if (k === 0 || !finite(m.weights, k) || m.weights.some((w) => w < 0)) return 'the weights are damaged';
  if (Math.abs(m.weights.reduce((s, w) => s + w, 0) - 1) > 1e-6) return 'the weights do not sum to 1';
  if (!Array.isArray(m.means) || m.means.length !== k || !m.means.every((v) => finite(v, dim))) {
    return 'the means are damaged';
  }
  const size = m.covariance === 'full' ? dim * dim : dim;
  if (
    !Array.isArray(m.covariances) ||
    m.covariances.length !== k ||
    !m.covariances.every((c) => finite(c, size) && diagonalPositive(c, dim, m.covariance === 'full'))
  ) {
    return 'the covariances are damaged';
  }
  return null;
}

function diagonalPositive(c: number[], dim: number, full: boolean): boolean {
  for (let j = 0; j < dim; j++) if (!((full ? c[j * dim + j]! : c[j]!) > 0)) return false;
  return true;
}

/** sha256 of the mixture's JSON: names the exact mixture an image was drawn from (the manifest's `samplerSha256`). */
export function mixtureSha256(mixture: GaussianMixture): string {
  return createHash('sha256').update(JSON.stringify(mixture)).digest('hex');
}

/**
 * The manifest's `samplerSha256` of a file: its one mixture's {@link mixtureSha256} (as before version 2), or for
 * a conditional model's the sha256 of the JSON list of its class mixtures, so one fit has one name.
 */
export function samplerSha256(file: MixtureSamplerFile): string {
  if (file.classes === undefined) return mixtureSha256(file.mixture);
  const mixtures = file.classes.map((c) => c.mixture);
  return createHash('sha256').update(JSON.stringify(mixtures)).digest('hex');
}
