/**
 * The VAE objective: reconstruction −log p(x|z) + β·KL(q(z|x) ‖ N(0, I)), per image in nats, with the
 * arithmetic of ARCHITECTURES.md (sum over pixels and channels, mean over the batch).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { VaeModel } from './model.js';
import { batchLabels, sliceToTensor } from './pixels.js';
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

/**
 * Floor of the σ-VAE's log σ: σ ≥ e^−6 ≈ 0.0025 (under one grey level, 1/255 ≈ 0.0039), the soft limit of Rybkin
 * et al.'s reference code (sigma-vae-pytorch, `softclip(log_sigma, -6)`). Without it a nearly perfect batch would
 * drive σ → 0 and the D·log σ term to −∞.
 */
export const LOG_SIGMA_FLOOR = -6;

/** Soft lower clip, floor + softplus(v − floor): ≈ v well above the floor, never below it (JS, float64). */
export function softclipLogSigma(logSigma: number): number {
  const t = logSigma - LOG_SIGMA_FLOOR;
  // softplus(t) = max(t, 0) + log1p(e^−|t|), stable for any t (−∞ gives the floor).
  return LOG_SIGMA_FLOOR + Math.max(t, 0) + Math.log1p(Math.exp(-Math.abs(t)));
}

/**
 * The σ-VAE's log σ for a mean squared error (over images, pixels and channels): the σ that maximises the
 * Gaussian likelihood of those errors, σ*² = MSE (Rybkin et al. 2021, their "optimal σ"), soft-clipped at
 * {@link LOG_SIGMA_FLOOR}: softclip(½·ln MSE).
 */
export function calibratedLogSigma(meanSquaredError: number): number {
  return softclipLogSigma(0.5 * Math.log(meanSquaredError));
}

/**
 * The batch's calibrated log σ as a constant of the gradient: softclip(½·ln mean((x − μ)²)) over the whole batch
 * (one shared σ), with a zero gradient into μ and x (stop-gradient; tfjs has none, so a customGrad whose forward
 * ops are not taped). The reference code lets the gradient through σ*(μ); at the unclipped optimum that adds
 * nothing (∂L/∂σ = 0 there), so the gradient is the same up to the soft clip.
 */
const batchLogSigma = tf.customGrad((...inputs) => {
  const [mean, x] = inputs as [tf.Tensor4D, tf.Tensor4D];
  const mse = tf.mean(tf.square(tf.sub(x, mean)));
  const t = tf.sub(tf.mul(tf.log(mse), 0.5), LOG_SIGMA_FLOOR);
  const softplus = tf.add(tf.relu(t), tf.log1p(tf.exp(tf.neg(tf.abs(t)))));
  return {
    value: tf.add<tf.Scalar>(softplus, LOG_SIGMA_FLOOR),
    gradFunc: () => [tf.zerosLike(mean), tf.zerosLike(x)],
  };
}) as (mean: tf.Tensor4D, x: tf.Tensor4D) => tf.Scalar;

/**
 * Gaussian −log N(x; μ, σ²) per image with one shared log σ (a scalar tensor or a number), summed over H, W, C:
 * Σ 0.5·((x − μ)/σ)² + D·(log σ + 0.5·log 2π), μ = sigmoid(logits) as in {@link gaussianNll}. Returns [N].
 */
export function gaussianNllLogSigma(
  logits: tf.Tensor4D,
  x: tf.Tensor4D,
  logSigma: tf.Scalar | number,
): tf.Tensor1D {
  return tf.tidy(() => {
    const pixels = logits.shape[1] * logits.shape[2] * logits.shape[3];
    const ls = typeof logSigma === 'number' ? tf.scalar(logSigma) : logSigma;
    const z = tf.mul(tf.sub(x, tf.sigmoid(logits)), tf.exp(tf.neg(ls)));
    const quad = tf.sum(tf.mul(tf.square(z), 0.5), [1, 2, 3]);
    return tf.add(quad, tf.mul(tf.add(ls, HALF_LOG_2PI), pixels));
  });
}

/**
 * Where the σ-VAE's σ comes from in one evaluation of the loss: `'batch'`, the batch's own σ* (training, as
 * Rybkin et al. train), or a number, a fixed log σ (evaluation: the model's stored {@link VaeModel.decoderLogSigma},
 * so the figure is the NLL of one density, whatever the batch). Ignored by the other likelihoods.
 */
export type DecoderLogSigma = 'batch' | number;

/**
 * −log p(x|z) per image for the config's likelihood, [N]: a probability mass (Bernoulli) or a density over real
 * pixel values (both Gaussians), nats per image either way but not comparable between the two kinds.
 */
export function reconstructionNll(
  config: VaeConfig,
  logits: tf.Tensor4D,
  x: tf.Tensor4D,
  logSigma?: DecoderLogSigma,
): tf.Tensor1D {
  switch (config.likelihood) {
    case 'gaussian':
      return gaussianNll(logits, x, config.gaussianSigma);
    case 'gaussian-optimal':
      if (logSigma === undefined) throw new Error('the σ-VAE likelihood needs a log σ, or "batch"');
      return tf.tidy(() =>
        gaussianNllLogSigma(
          logits,
          x,
          logSigma === 'batch' ? batchLogSigma(tf.sigmoid(logits), x) : logSigma,
        ),
      );
    case 'bernoulli':
      return bernoulliNll(logits, x);
  }
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
  /**
   * σ-VAE only: mean over the batch's images, pixels and channels of (x − μ)², the σ*² this batch implies; what
   * the trainer averages over an epoch into the model's stored σ.
   */
  meanSquaredError?: tf.Scalar;
}

/**
 * One batch of the objective. `x` is [N, H, W, C] in [0, 1]; `eps` is [N, L]; `y`, a conditional model's one-hot
 * class labels [N, K], goes to both the encoder and the decoder (the conditional ELBO of Sohn et al. 2015, with
 * the prior p(z|y) = N(0, I)). With `freeBits` > 0 each latent
 * dimension's batch-mean KL is clamped from below at `freeBits` nats in `loss` only (Kingma et al. 2016 eq. 15),
 * so dimensions under the threshold get no KL gradient; the reported `kl` stays the true value. `decoderSigma`
 * is where the σ-VAE's σ comes from: `'stored'` (the model's, for every evaluation) or `'batch'` (training).
 */
export function negElboTerms(
  model: VaeModel,
  x: tf.Tensor4D,
  eps: tf.Tensor2D,
  beta: number,
  freeBits: number,
  decoderSigma: 'stored' | 'batch' = 'stored',
  y?: tf.Tensor2D,
): NegElboTensors {
  return tf.tidy(() => {
    const { mu, logVar } = model.encode(x, y);
    const z = reparameterize(mu, logVar, eps);
    const logits = model.decodeLogits(z, y);
    const calibrated = model.config.likelihood === 'gaussian-optimal';
    const logSigma = decoderSigma === 'batch' ? 'batch' : model.decoderLogSigma;
    const reconstruction = tf.mean(reconstructionNll(model.config, logits, x, logSigma));
    const klDims = tf.mean(klPerDim(mu, logVar), 0);
    const kl = tf.sum(klDims);
    const klObjective = freeBits > 0 ? tf.sum(tf.maximum(klDims, freeBits)) : kl;
    const loss = tf.add(reconstruction, tf.mul(klObjective, beta));
    const terms: NegElboTensors = {
      loss: loss as tf.Scalar,
      reconstruction: reconstruction as tf.Scalar,
      kl: kl as tf.Scalar,
    };
    if (calibrated) terms.meanSquaredError = tf.mean<tf.Scalar>(tf.square(tf.sub(x, tf.sigmoid(logits))));
    return terms as unknown as Record<string, tf.Tensor>;
  }) as unknown as NegElboTensors;
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
 * Mean −ELBO (β = 1, no free bits) over all images of `images` (a conditional model's with their labels), one
 * reparameterised sample each. Batch b uses
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
      const eps = noise(n, model.config.latentDim, hashSeed(seed, b));
      const y = batchLabels(images, start, batchSize, model.labelSize);
      const t = negElboTerms(model, x, eps, 1, 0, 'stored', y);
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
