/**
 * The VAE objective: reconstruction −log p(x|z) + β·KL(q(z|x) ‖ N(0, I)), per image in nats, with the
 * arithmetic of ARCHITECTURES.md (sum over pixels and channels, mean over the batch).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { VaeModel } from './model.js';
import { sliceToTensor } from './pixels.js';
import { hashSeed } from './rng.js';
import type { ImageBatch, LossTerms, VaeConfig } from './types.js';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * Bernoulli −log p(x|z) per image: binary cross-entropy with logits summed over H, W, C, written in the stable
 * form max(l, 0) − l·x + log1p(exp(−|l|)) so large |logits| neither overflow nor lose precision.
 * Returns a [N] tensor.
 */
export function bernoulliNll(logits: tf.Tensor4D, x: tf.Tensor4D): tf.Tensor1D {
  return tf.tidy(() => {
    const perPixel = tf.add(
      tf.sub(tf.relu(logits), tf.mul(logits, x)),
      tf.log1p(tf.exp(tf.neg(tf.abs(logits)))),
    );
    return tf.sum(perPixel, [1, 2, 3]);
  });
}

/**
 * Gaussian −log p(x|z) per image with fixed σ, summed over H, W, C: 0.5·((x − μ)/σ)² + log σ + 0.5·log 2π.
 * The mean is μ = sigmoid(logits) rather than the raw logits, so the decoder's mean stays in [0, 1] and the
 * sampler's round(255·sigmoid(logits)) decodes both likelihoods the same way. Returns a [N] tensor.
 */
export function gaussianNll(logits: tf.Tensor4D, x: tf.Tensor4D, sigma: number): tf.Tensor1D {
  return tf.tidy(() => {
    const pixels = logits.shape[1] * logits.shape[2] * logits.shape[3];
    const z = tf.div(tf.sub(x, tf.sigmoid(logits)), sigma);
    const quad = tf.sum(tf.mul(tf.square(z), 0.5), [1, 2, 3]);
    return tf.add(quad, pixels * (Math.log(sigma) + HALF_LOG_2PI));
  });
}

/** −log p(x|z) per image for the config's likelihood, [N]. */
export function reconstructionNll(config: VaeConfig, logits: tf.Tensor4D, x: tf.Tensor4D): tf.Tensor1D {
  return config.likelihood === 'gaussian'
    ? gaussianNll(logits, x, config.gaussianSigma)
    : bernoulliNll(logits, x);
}

/** Closed-form KL(N(μ, σ²) ‖ N(0, 1)) per image and latent dimension: 0.5·(σ² + μ² − 1 − log σ²), [N, L]. */
export function klPerDim(mu: tf.Tensor2D, logVar: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.mul(tf.sub(tf.add(tf.exp(logVar), tf.square(mu)), tf.add(logVar, 1)), 0.5));
}

/** Reparameterised sample z = μ + exp(0.5·log σ²)·ε. */
export function reparameterize(mu: tf.Tensor2D, logVar: tf.Tensor2D, eps: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.add(mu, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps)));
}

/**
 * ε for a batch: standard normals from tfjs's seeded generator (pure JS, so backend-independent). Seeding it
 * with hashSeed(runSeed, globalStep) makes a resumed run draw exactly the noise the uninterrupted run would.
 */
export function noise(n: number, latentDim: number, seed: number): tf.Tensor2D {
  return tf.randomNormal([n, latentDim], 0, 1, 'float32', seed);
}

/** The scalars of one batch's objective; every tensor is owned by the caller. */
export interface NegElboTensors {
  /** What is minimised: mean over the batch of reconstruction + β·KL, KL with free bits applied. */
  loss: tf.Scalar;
  /** Mean −log p(x|z) per image, nats. */
  reconstruction: tf.Scalar;
  /** Mean true KL per image, nats (no free-bits clamp, no β). */
  kl: tf.Scalar;
}

/**
 * One batch of the objective. `x` is [N, H, W, C] in [0, 1]; `eps` is [N, L]. With `freeBits` > 0 each latent
 * dimension's batch-mean KL is clamped from below at `freeBits` nats in `loss` only (Kingma et al. 2016 eq. 15),
 * so dimensions under the threshold get no KL gradient; the reported `kl` stays the true value.
 */
export function negElboTerms(
  model: VaeModel,
  x: tf.Tensor4D,
  eps: tf.Tensor2D,
  beta: number,
  freeBits: number,
): NegElboTensors {
  return tf.tidy(() => {
    const { mu, logVar } = model.encode(x);
    const z = reparameterize(mu, logVar, eps);
    const logits = model.decodeLogits(z);
    const reconstruction = tf.mean(reconstructionNll(model.config, logits, x));
    const klDims = tf.mean(klPerDim(mu, logVar), 0);
    const kl = tf.sum(klDims);
    const klObjective = freeBits > 0 ? tf.sum(tf.maximum(klDims, freeBits)) : kl;
    const loss = tf.add(reconstruction, tf.mul(klObjective, beta));
    return { loss: loss as tf.Scalar, reconstruction: reconstruction as tf.Scalar, kl: kl as tf.Scalar };
  });
}

/** negElbo / (H·W·C·ln 2): nats per image → bits per dimension. */
export function bitsPerDim(negElbo: number, imageSize: number, channels: number): number {
  return negElbo / (imageSize * imageSize * channels * Math.LN2);
}

/** Builds {@link LossTerms} (β = 1) from per-image reconstruction and KL in nats. */
export function lossTerms(
  reconstruction: number,
  kl: number,
  imageSize: number,
  channels: number,
): LossTerms {
  const negElbo = reconstruction + kl;
  return { reconstruction, kl, negElbo, bitsPerDim: bitsPerDim(negElbo, imageSize, channels) };
}

/**
 * Mean −ELBO (β = 1, no free bits) over all images of `images`, one reparameterised sample each. Batch b uses
 * ε seeded by hashSeed(seed, b), so the figure is reproducible and comparable between epochs. Reads each batch's
 * sums asynchronously, which every backend supports.
 */
export async function meanNegElbo(
  model: VaeModel,
  images: ImageBatch,
  batchSize: number,
  seed: number,
): Promise<LossTerms> {
  if (images.count === 0) return lossTerms(0, 0, images.size, images.channels);
  let recSum = 0;
  let klSum = 0;
  for (let start = 0, b = 0; start < images.count; start += batchSize, b++) {
    const pair = tf.tidy(() => {
      const x = sliceToTensor(images, start, batchSize);
      const n = x.shape[0];
      const t = negElboTerms(model, x, noise(n, model.config.latentDim, hashSeed(seed, b)), 1, 0);
      return tf.stack([tf.mul(t.reconstruction, n), tf.mul(t.kl, n)]);
    });
    let rec: number | undefined;
    let kl: number | undefined;
    try {
      [rec, kl] = await pair.data();
    } finally {
      pair.dispose();
    }
    recSum += rec!;
    klSum += kl!;
  }
  return lossTerms(recSum / images.count, klSum / images.count, images.size, images.channels);
}
