import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GaussianMixture, MixtureFit } from '../engine/index.js';
import { writeJsonAtomic } from '../util/atomicWrite.js';

/**
 * The fitted latent mixture of a checkpoint (`sampler-gmm.json` in its `epoch-NNNN/` folder): fitted once, on
 * first use, to the posterior means of the checkpoint's training images and kept beside its weights, so every
 * later generation draws from the very same mixture. Only a plain file in the folder: the checkpoint's own checks
 * ignore it, an archive's copy (hard links of the folder's files) carries it, and a redone epoch's new folder has
 * none (its weights changed).
 */

export const MIXTURE_SAMPLER_FILE = 'sampler-gmm.json';
const SAMPLER_FORMAT = 'vae-studio-sampler';

/** What `sampler-gmm.json` holds. */
export interface MixtureSamplerFile {
  format: typeof SAMPLER_FORMAT;
  version: 1;
  kind: 'gmm';
  fittedAt: string;
  /** The checkpoint's weights the latents came from: a file beside other weights is stale. */
  weightsSha256: string;
  /** Seeds the fit's k-means++ start (the checkpoint's training seed). */
  seed: number;
  components: number;
  /** Training images whose posterior means were fitted. */
  trainingImages: number;
  /** Mean log-density of those latents under the mixture, nats per latent, and the fit's BIC. */
  logLikelihood: number;
  bic: number;
  iterations: number;
  converged: boolean;
  seconds: number;
  mixture: GaussianMixture;
}

/** What a fit records beside the mixture. */
export interface MixtureFitRecord {
  weightsSha256: string;
  seed: number;
  trainingImages: number;
  seconds: number;
  fit: MixtureFit;
}

/** The file's path in a checkpoint folder. */
export function mixtureSamplerPath(checkpointDir: string): string {
  return join(checkpointDir, MIXTURE_SAMPLER_FILE);
}

/** The file's content for a fit. */
export function mixtureSamplerFile(record: MixtureFitRecord): MixtureSamplerFile {
  const { fit } = record;
  return {
    format: SAMPLER_FORMAT,
    version: 1,
    kind: 'gmm',
    fittedAt: new Date().toISOString(),
    weightsSha256: record.weightsSha256,
    seed: record.seed,
    components: fit.mixture.weights.length,
    trainingImages: record.trainingImages,
    logLikelihood: fit.logLikelihood,
    bic: fit.bic,
    iterations: fit.iterations,
    converged: fit.converged,
    seconds: record.seconds,
    mixture: fit.mixture,
  };
}

/** Writes the file into the checkpoint folder atomically: a reader sees no file or the whole one. */
export async function writeMixtureSampler(checkpointDir: string, file: MixtureSamplerFile): Promise<string> {
  const path = mixtureSamplerPath(checkpointDir);
  await writeJsonAtomic(path, file);
  return path;
}

/**
 * Reads a checkpoint folder's mixture for the model whose weights hash to `weightsSha256` and whose latents have
 * `latentDim` dimensions: the file, 'missing', or why it cannot be used (damaged, or fitted to other weights), in
 * words — the caller fits a new one then.
 */
export async function readMixtureSampler(
  checkpointDir: string,
  expected: { weightsSha256: string; latentDim: number },
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
  if (value.weightsSha256 !== expected.weightsSha256) {
    return { problem: `${path} was fitted to another model's weights` };
  }
  const problem = mixtureProblem(value.mixture, expected.latentDim);
  if (problem) return { problem: `${path} is damaged: ${problem}` };
  // Rebuilt in a fixed key order, so its fingerprint does not depend on how the file was written.
  const m = value.mixture;
  value.mixture = {
    dim: m.dim,
    covariance: m.covariance,
    weights: m.weights,
    means: m.means,
    covariances: m.covariances,
  };
  return value;
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
