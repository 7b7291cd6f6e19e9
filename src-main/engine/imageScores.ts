/**
 * How badly a model explains each image: its own −ELBO, reconstruction term and KL, and the importance-weighted
 * bound on −log p(x) from the same samples, image by image (the figures the dataset's outlier ranking sorts by).
 * Batch by batch with asynchronous reads, so it runs on every backend in bounded memory.
 */
import * as tf from '@tensorflow/tfjs-core';
import { CancelledError } from '../util/errors.js';
import { DEFAULT_PIXELS_PER_BATCH, importanceNoise } from './likelihood.js';
import { klPerDim, reconstructionNll } from './loss.js';
import type { VaeModel } from './model.js';
import { batchLabels, sliceToTensor } from './pixels.js';
import type { ImageBatch } from './types.js';

/** Options of {@link scoreImages}. */
export interface ImageScoreOptions {
  /**
   * Posterior samples per image, ≥ 1 (default 4): the −ELBO and its reconstruction term are their mean, and the
   * importance-weighted bound is their log-mean-exp (Burda et al. 2016 with k = samples).
   */
  samples?: number;
  /** Seed of the samples; image i's depend only on (seed, i), so a score does not depend on the batch. */
  seed?: number;
  signal?: AbortSignal;
  /** Images scored so far, of `count`, after every batch. */
  onProgress?(p: { images: number; count: number }): void;
}

/** Per-image figures, nats per image, parallel to the images. */
export interface ImageScores {
  /** Mean over the samples of −log p(x|z) (the model's likelihood, given the image's class when conditional). */
  reconstruction: Float64Array;
  /** KL(q(z|x) ‖ N(0, I)), closed form. */
  kl: Float64Array;
  /** reconstruction + kl: the image's −ELBO (β = 1). */
  negElbo: Float64Array;
  /** −log (1/k)·Σ w: the importance-weighted bound on −log p(x), never above `negElbo` in expectation. */
  iwBound: Float64Array;
  samples: number;
}

const macrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Scores every image of `images` under `model` (Bernoulli, Gaussian or σ-VAE likelihood, the σ-VAE's stored σ;
 * a conditional model's images need their labels). With z = μ + σ·ε:
 * log w = −nll(x|z) + ½·Σ(ε² − z²) + ½·Σ log σ², the Gaussian constants cancelling (as engine/likelihood.ts).
 * @throws CancelledError when `signal` aborts (checked between batches).
 */
export async function scoreImages(
  model: VaeModel,
  images: ImageBatch,
  options: ImageScoreOptions = {},
): Promise<ImageScores> {
  const { imageSize, channels, latentDim: L } = model.config;
  if (images.size !== imageSize || images.channels !== channels) {
    throw new Error(
      `images are ${images.size}×${images.size}×${images.channels}, the model needs ${imageSize}×${imageSize}×${channels}`,
    );
  }
  const k = Math.max(1, Math.floor(options.samples ?? 4));
  const seed = options.seed ?? 0;
  const pixels = imageSize * imageSize * channels;
  const perBatch = Math.max(1, Math.floor(DEFAULT_PIXELS_PER_BATCH / (pixels * k)));
  const { count } = images;
  const scores: ImageScores = {
    reconstruction: new Float64Array(count),
    kl: new Float64Array(count),
    negElbo: new Float64Array(count),
    iwBound: new Float64Array(count),
    samples: k,
  };
  for (let start = 0; start < count; start += perBatch) {
    await macrotask();
    if (options.signal?.aborted) throw new CancelledError();
    const m = Math.min(perBatch, count - start);
    const eps = new Float32Array(m * k * L);
    for (let i = 0; i < m; i++) eps.set(importanceNoise(seed, start + i, k, L), i * k * L);
    const out = tf.tidy(() => {
      const x = sliceToTensor(images, start, m);
      const y = batchLabels(images, start, m, model.labelSize);
      const { mu, logVar } = model.encode(x, y);
      const kl = tf.sum(klPerDim(mu, logVar), 1);
      const repeat = (t: tf.Tensor2D): tf.Tensor2D =>
        tf.reshape(tf.tile(tf.expandDims(t, 1), [1, k, 1]), [m * k, t.shape[1]]);
      const e = tf.tensor2d(eps, [m * k, L]);
      const lv = repeat(logVar);
      const z = tf.add<tf.Tensor2D>(repeat(mu), tf.mul(tf.exp(tf.mul(lv, 0.5)), e));
      const xs = tf.reshape<tf.Rank.R4>(tf.tile(tf.expandDims(x, 1), [1, k, 1, 1, 1]), [
        m * k,
        imageSize,
        imageSize,
        channels,
      ]);
      const nll = reconstructionNll(
        model.config,
        model.decodeLogits(z, y === undefined ? undefined : repeat(y)),
        xs,
        model.decoderLogSigma,
      );
      const logW = tf.sub(tf.mul(tf.sum(tf.add(tf.sub(tf.square(e), tf.square(z)), lv), 1), 0.5), nll);
      return { kl, nll, logW };
    });
    let values: [Float32Array, Float32Array, Float32Array];
    try {
      values = (await Promise.all([out.kl.data(), out.nll.data(), out.logW.data()])) as typeof values;
    } finally {
      tf.dispose([out.kl, out.nll, out.logW]);
    }
    const [kl, nll, logW] = values;
    for (let i = 0; i < m; i++) {
      let rec = 0;
      let max = -Infinity;
      for (let j = 0; j < k; j++) {
        rec += nll[i * k + j]!;
        max = Math.max(max, logW[i * k + j]!);
      }
      let sum = 0;
      for (let j = 0; j < k; j++) sum += Math.exp(logW[i * k + j]! - max);
      const index = start + i;
      scores.reconstruction[index] = rec / k;
      scores.kl[index] = kl[i]!;
      scores.negElbo[index] = rec / k + kl[i]!;
      scores.iwBound[index] = -(max + Math.log(sum / k));
    }
    options.onProgress?.({ images: start + m, count });
  }
  return scores;
}
