/**
 * How good a trained model is, in numbers: the importance-weighted bound on log p(x) (a tighter figure than the
 * −ELBO) and the health of the latent code (KL per dimension, active units, posterior collapse). Both read
 * back asynchronously, batch by batch, so they run on every backend (WebGPU included) in bounded memory.
 */
import * as tf from '@tensorflow/tfjs-core';
import { CancelledError } from '../util/errors.js';
import { bitsPerDim, klPerDim, reconstructionNll } from './loss.js';
import type { VaeModel } from './model.js';
import { batchLabels, sliceToTensor } from './pixels.js';
import { hashSeed, normals, SeedTag } from './rng.js';
import type { ImageBatch, NativeDecoder } from './types.js';

/**
 * Importance samples per image when none is asked for: the smallest k whose bound stayed within 0.1 nats/image
 * of k = 5000 on the default 28×28 network (latent 16, width 32) briefly trained on bars, 16 images, two seeds
 * (mean −log p̂, nats; seed-to-seed spread ≈ 0.07–0.2):
 *
 *   k     1      5      10     50     100    200    500    1000   2000   5000
 *   nats  91.09  86.84  86.64  85.84  85.82  85.71  85.68  85.54  85.48  85.48   (−ELBO 92.37)
 *
 * A 16×16 model with 4 latents settles sooner (within 0.1 nats of k = 5000 from k = 100 on).
 */
export const DEFAULT_IW_SAMPLES = 1000;
/**
 * Output values (decodes × H·W·C) per batch when no batch size is asked for: what bounds the memory, since every
 * decoder activation is about the size of its output. 2^20 is 1337 decodes of 28×28×1 (≈ 2× faster than 256 on
 * wasm) and 85 of 64×64×3.
 */
export const DEFAULT_PIXELS_PER_BATCH = 2 ** 20;
/** A latent dimension is active when the variance over images of its posterior mean exceeds this (Burda et al. 2016 §5.2). */
export const ACTIVE_UNIT_THRESHOLD = 0.01;
/** Below this total KL (nats/image) the code carries next to nothing: the posterior has collapsed. */
export const COLLAPSED_KL_NATS = 0.5;

/** Progress of {@link importanceWeightedBound}, reported after every batch. */
export interface LikelihoodProgress {
  /** Images whose estimate is complete. */
  images: number;
  count: number;
  /** Decodes done so far, of `totalDecodes` = count · k. */
  decodes: number;
  totalDecodes: number;
}

/** Options of {@link importanceWeightedBound}. */
export interface ImportanceWeightedOptions {
  /** Samples per image, ≥ 1; default {@link DEFAULT_IW_SAMPLES}. k = 1 is the one-sample −ELBO. */
  k?: number;
  /** Seed of the importance samples; the samples of image i depend only on (seed, i). Default 0. */
  seed?: number;
  /** Most decodes per batch (images × samples), ≥ 1; default {@link DEFAULT_PIXELS_PER_BATCH} / (H·W·C). */
  decodesPerBatch?: number;
  /** Checked between batches; when aborted the call rejects with {@link CancelledError}. */
  signal?: AbortSignal;
  onProgress?(p: LikelihoodProgress): void;
  /** Decodes the samples natively (ONNX Runtime) instead of on tfjs: the same figure to float32 rounding. */
  decoder?: NativeDecoder | null;
}

/** The importance-weighted estimate of −log p(x), averaged over images. */
export interface ImportanceWeightedBound {
  /** Mean over images of −log p̂(x), nats per image (an upper bound on −log p(x) in expectation). */
  negLogLikelihood: number;
  /** negLogLikelihood / (H·W·C·ln 2). */
  bitsPerDim: number;
  /** Samples per image. */
  k: number;
  /** Images evaluated. */
  count: number;
  /** Standard error of `negLogLikelihood` over the images (their spread / √count): how much another draw of
   * `count` images would move it; 0 for one image. */
  standardError: number;
}

const macrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** ε of image `index`: k·L standard normals, sample j at [j·L, (j + 1)·L). */
export function importanceNoise(seed: number, index: number, k: number, latentDim: number): Float32Array {
  return normals(k * latentDim, hashSeed(seed, SeedTag.importance, index));
}

function checkImages(model: VaeModel, images: ImageBatch): void {
  const { imageSize, channels } = model.config;
  if (images.size !== imageSize || images.channels !== channels) {
    throw new Error(
      `images are ${images.size}×${images.size}×${images.channels}, the model needs ${imageSize}×${imageSize}×${channels}`,
    );
  }
}

function positiveInteger(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be an integer ≥ 1, got ${v}`);
  return v;
}

/**
 * log w = log p(x|z) + log p(z) − log q(z|x) for `c` samples of each of the `m` images of `x`, [m·c] with
 * sample j of image i at i·c + j. With z = μ + σ·ε the Gaussian constants cancel:
 * log p(z) − log q(z|x) = ½·Σ(ε² − z²) + ½·Σ log σ². A conditional model's weights are those of p(x|y), every
 * term given the image's label `y` (its prior p(z|y) is N(0, I)).
 */
async function logWeights(
  model: VaeModel,
  x: tf.Tensor4D,
  y: tf.Tensor2D | undefined,
  mu: tf.Tensor2D,
  logVar: tf.Tensor2D,
  eps: Float32Array,
  c: number,
  decoder: NativeDecoder | null,
): Promise<tf.Tensor1D> {
  const [m, L] = mu.shape;
  const [, h, w, ch] = x.shape;
  const repeat = (t: tf.Tensor2D): tf.Tensor2D =>
    tf.reshape(tf.tile(tf.expandDims(t, 1), [1, c, 1]), [m * c, t.shape[1]]);
  const q = tf.tidy(() => {
    const e = tf.tensor2d(eps, [m * c, L]);
    const lv = repeat(logVar);
    const z = tf.add<tf.Tensor2D>(repeat(mu), tf.mul(tf.exp(tf.mul(lv, 0.5)), e));
    const priorMinusPosterior = tf.mul<tf.Tensor1D>(
      tf.sum(tf.add(tf.sub(tf.square(e), tf.square(z)), lv), 1),
      0.5,
    );
    return { z, ys: y === undefined ? undefined : repeat(y), priorMinusPosterior };
  });
  try {
    const logits = decoder
      ? tf.tensor4d(
          await decoder.decodeLogits(
            (await q.z.data()) as Float32Array,
            m * c,
            q.ys === undefined ? undefined : ((await q.ys.data()) as Float32Array),
          ),
          [m * c, h, w, ch],
        )
      : model.decodeLogits(q.z, q.ys);
    try {
      return tf.tidy(() => {
        const xs = tf.reshape<tf.Rank.R4>(tf.tile(tf.expandDims(x, 1), [1, c, 1, 1, 1]), [m * c, h, w, ch]);
        // The σ-VAE's stored σ, not the batch's: the bound is on one density, so it must not move with the batch.
        const nll = reconstructionNll(model.config, logits, xs, model.decoderLogSigma);
        return tf.sub<tf.Tensor1D>(q.priorMinusPosterior, nll);
      });
    } finally {
      logits.dispose();
    }
  } finally {
    tf.dispose([q.z, q.priorMinusPosterior, ...(q.ys ? [q.ys] : [])]);
  }
}

/**
 * The importance-weighted bound of Burda et al. 2016 (eq. 8): for each image x,
 * log p(x) ≥ log (1/k)·Σᵢ p(x|zᵢ)·p(zᵢ)/q(zᵢ|x), zᵢ ~ q(z|x), with the model's own likelihood (Bernoulli, or
 * Gaussian with its σ: the fixed setting, or the σ-VAE's stored σ̂); β plays no part. A Gaussian's figure is
 * −log of a density over real pixel values, a Bernoulli's −log of a probability: not comparable. Returns the mean of −log p̂(x) over `images`. The log-sum-exp runs in
 * float64 on the CPU side, streaming over batches with a running maximum, so neither a large k nor very
 * negative log-weights lose precision. A batch holds up to `decodesPerBatch` decodes: several images when k is
 * small, part of one image's samples when k is large. The samples of image i come from (seed, i) alone, so the
 * figure does not depend on the batch size.
 * @throws CancelledError when `signal` aborts (checked between batches).
 */
export async function importanceWeightedBound(
  model: VaeModel,
  images: ImageBatch,
  options: ImportanceWeightedOptions = {},
): Promise<ImportanceWeightedBound> {
  checkImages(model, images);
  const k = positiveInteger('k', options.k ?? DEFAULT_IW_SAMPLES);
  const pixels = images.size * images.size * images.channels;
  const budget = positiveInteger(
    'decodesPerBatch',
    options.decodesPerBatch ?? Math.max(1, Math.floor(DEFAULT_PIXELS_PER_BATCH / pixels)),
  );
  const seed = options.seed ?? 0;
  const L = model.config.latentDim;
  const { count } = images;
  const imagesPerGroup = Math.max(1, Math.floor(budget / k));
  const samplesPerChunk = Math.min(k, budget);
  const totalDecodes = count * k;
  let decodes = 0;
  let sumNegLogP = 0;
  let sumSquares = 0;

  for (let start = 0; start < count; start += imagesPerGroup) {
    const m = Math.min(imagesPerGroup, count - start);
    const q = tf.tidy(() => {
      const x = sliceToTensor(images, start, m);
      const y = batchLabels(images, start, m, model.labelSize);
      return { x, y, ...model.encode(x, y) };
    });
    try {
      const noise = Array.from({ length: m }, (_, i) => importanceNoise(seed, start + i, k, L));
      // Per image: the running maximum of log w and Σ exp(log w − max), float64.
      const runMax = new Float64Array(m).fill(-Infinity);
      const runSum = new Float64Array(m);
      for (let j0 = 0; j0 < k; j0 += samplesPerChunk) {
        await macrotask();
        if (options.signal?.aborted) throw new CancelledError();
        const c = Math.min(samplesPerChunk, k - j0);
        const eps = new Float32Array(m * c * L);
        noise.forEach((n, i) => eps.set(n.subarray(j0 * L, (j0 + c) * L), i * c * L));
        const lw = await logWeights(model, q.x, q.y, q.mu, q.logVar, eps, c, options.decoder ?? null);
        let values: Float32Array;
        try {
          values = (await lw.data()) as Float32Array;
        } finally {
          lw.dispose();
        }
        for (let i = 0; i < m; i++) {
          let max = runMax[i]!;
          for (let j = 0; j < c; j++) max = Math.max(max, values[i * c + j]!);
          if (!Number.isFinite(max)) throw new Error(`log-weight of image ${start + i} is ${max}`);
          let sum = runSum[i]! * Math.exp(runMax[i]! - max);
          for (let j = 0; j < c; j++) sum += Math.exp(values[i * c + j]! - max);
          runMax[i] = max;
          runSum[i] = sum;
        }
        decodes += m * c;
        const done = j0 + c === k ? start + m : start;
        options.onProgress?.({ images: done, count, decodes, totalDecodes });
      }
      for (let i = 0; i < m; i++) {
        const negLogP = -(runMax[i]! + Math.log(runSum[i]! / k));
        sumNegLogP += negLogP;
        sumSquares += negLogP * negLogP;
      }
    } finally {
      tf.dispose([q.x, q.mu, q.logVar, ...(q.y ? [q.y] : [])]);
    }
  }
  const negLogLikelihood = count > 0 ? sumNegLogP / count : 0;
  const variance = count > 1 ? Math.max(0, (sumSquares - count * negLogLikelihood ** 2) / (count - 1)) : 0;
  return {
    negLogLikelihood,
    bitsPerDim: bitsPerDim(negLogLikelihood, images.size, images.channels),
    k,
    count,
    standardError: Math.sqrt(variance / Math.max(1, count)),
  };
}

/** Options of {@link latentHealth}. */
export interface LatentHealthOptions {
  /** Images encoded per batch; default 256. */
  batchSize?: number;
  /** Checked between batches; when aborted the call rejects with {@link CancelledError}. */
  signal?: AbortSignal;
  /** Images encoded so far, of `count`. */
  onProgress?(p: { images: number; count: number }): void;
}

/** The numbers behind "is the latent code used?", over one set of images. */
export interface LatentHealth {
  /** Images encoded. */
  count: number;
  /** Mean over images of KL(q(z_d|x) ‖ N(0, 1)), nats, one entry per latent dimension. */
  klPerDim: number[];
  /** Σ_d klPerDim: the mean total KL, nats per image. */
  kl: number;
  /** Variance over the images of μ_d (population variance, ÷ count), per dimension: Cov_x(E_q[z_d]). */
  meanVariance: number[];
  /** Dimensions with meanVariance > {@link ACTIVE_UNIT_THRESHOLD}, ascending. */
  activeDims: number[];
  /** activeDims.length. */
  activeUnits: number;
  /** True when kl < {@link COLLAPSED_KL_NATS} or no unit is active: the decoder ignores z. */
  collapsed: boolean;
}

/**
 * Latent health of `model` on `images`: KL per dimension (from the closed form of loss.ts), the active units of
 * Burda et al. 2016 (§5.2: a dimension whose posterior mean varies across images, Var_x(μ_d) > 0.01) and a
 * collapse verdict. Means and variances are accumulated in float64 (Welford), batch by batch.
 * @throws CancelledError when `signal` aborts (checked between batches).
 */
export async function latentHealth(
  model: VaeModel,
  images: ImageBatch,
  options: LatentHealthOptions = {},
): Promise<LatentHealth> {
  checkImages(model, images);
  const step = positiveInteger('batchSize', options.batchSize ?? 256);
  const L = model.config.latentDim;
  const klSum = new Float64Array(L);
  const mean = new Float64Array(L);
  const m2 = new Float64Array(L);
  let n = 0;
  for (let start = 0; start < images.count; start += step) {
    await macrotask();
    if (options.signal?.aborted) throw new CancelledError();
    const q = tf.tidy(() => {
      const e = model.encode(
        sliceToTensor(images, start, step),
        batchLabels(images, start, step, model.labelSize),
      );
      return { mu: e.mu, kl: klPerDim(e.mu, e.logVar) };
    });
    let mv: Float32Array;
    let kv: Float32Array;
    try {
      [mv, kv] = (await Promise.all([q.mu.data(), q.kl.data()])) as [Float32Array, Float32Array];
    } finally {
      tf.dispose([q.mu, q.kl]);
    }
    const rows = mv.length / L;
    for (let i = 0; i < rows; i++) {
      n++;
      for (let d = 0; d < L; d++) {
        const v = mv[i * L + d]!;
        const delta = v - mean[d]!;
        mean[d]! += delta / n;
        m2[d]! += delta * (v - mean[d]!);
        klSum[d]! += kv[i * L + d]!;
      }
    }
    options.onProgress?.({ images: n, count: images.count });
  }
  const klDims = Array.from(klSum, (s) => (n > 0 ? s / n : 0));
  const meanVariance = Array.from(m2, (s) => (n > 0 ? s / n : 0));
  const activeDims = meanVariance.flatMap((v, d) => (v > ACTIVE_UNIT_THRESHOLD ? [d] : []));
  const kl = klDims.reduce((a, b) => a + b, 0);
  return {
    count: n,
    klPerDim: klDims,
    kl,
    meanVariance,
    activeDims,
    activeUnits: activeDims.length,
    collapsed: kl < COLLAPSED_KL_NATS || activeDims.length === 0,
  };
}
