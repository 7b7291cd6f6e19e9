/**
 * The engine's public vocabulary. The engine works on tensors and typed arrays only: no file system, no sharp,
 * no Electron, so it runs the same in a worker, a utility process, a browser worker or a test.
 *
 * Image layout everywhere outside the engine: uint8, row-major NHWC (image, row, column, channel), values
 * 0..255. Inside the engine pixels are float32 in [0, 1].
 */

/** Likelihood p(x|z) of the decoder. Bernoulli = binary cross-entropy with logits; Gaussian = MSE, fixed σ. */
export type Likelihood = 'bernoulli' | 'gaussian';

/** Everything that defines a network and its objective. Saved with every checkpoint. */
export interface VaeConfig {
  /** Side of the square image: 28, or a power of two from 16 to 256. */
  imageSize: number;
  /** 1 = grayscale, 3 = RGB. */
  channels: 1 | 3;
  /** Latent dimension L, 1..512. */
  latentDim: number;
  /** Weight of the KL term (β-VAE); ≥ 0. 1 is the plain ELBO. */
  beta: number;
  /** Channels of the first conv layer; each down-sampling doubles it, capped at 8×width. Default 32. */
  width: number;
  likelihood: Likelihood;
  /** σ of the Gaussian likelihood, in pixel units of [0, 1]. Only used when likelihood = 'gaussian'. */
  gaussianSigma: number;
}

/** Training hyper-parameters (not part of the network). Saved with every checkpoint. */
export interface TrainOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Seeds initialisation, shuffling, the validation split and the reparameterisation noise. */
  seed: number;
  /** Fraction of the images held out for validation, 0 ≤ val < 1. */
  valFraction: number;
  /** Linear KL warm-up: β is scaled by min(1, (epoch + stepFraction) / warmupEpochs). 0 = off. */
  klWarmupEpochs: number;
  /** Free bits (nats per latent dimension, batch-averaged, Kingma et al. 2016 eq. 15). 0 = off. */
  freeBits: number;
  /** Global gradient-norm clip. 0 = off. */
  gradClipNorm: number;
}

/** A set of images in the cache layout: uint8 NHWC. */
export interface ImageBatch {
  /** count × size × size × channels bytes. */
  pixels: Uint8Array;
  count: number;
  size: number;
  channels: 1 | 3;
}

/** Loss terms of one batch or one epoch, all per image (nats) except bitsPerDim. */
export interface LossTerms {
  /** −log p(x|z), nats per image. */
  reconstruction: number;
  /** KL(q(z|x) ‖ N(0, I)), nats per image. */
  kl: number;
  /** reconstruction + kl (β = 1), nats per image. */
  negElbo: number;
  /** negElbo / (H·W·C·ln 2). */
  bitsPerDim: number;
}

export interface EpochMetrics {
  epoch: number; // 1-based
  train: LossTerms;
  /** Held-out −ELBO; null when valFraction is 0. */
  val: LossTerms | null;
  /** Effective β used at the end of this epoch (after warm-up). */
  beta: number;
  seconds: number;
  imagesPerSec: number;
}

/** Emitted every few steps while training. */
export interface TrainProgress {
  epoch: number; // 1-based epoch in progress
  epochs: number;
  step: number; // 1-based step within the epoch
  stepsPerEpoch: number;
  globalStep: number;
  loss: LossTerms; // running mean over this epoch so far
  imagesPerSec: number;
  etaSeconds: number;
}

/** A grid of images ready to encode as PNG: uint8, row-major HWC. */
export interface PreviewImage {
  pixels: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3;
}

export interface EpochPreview {
  /** Decodes of a fixed set of z (same z every epoch), as a grid. */
  samples: PreviewImage;
  /** Top row: originals from the validation (or training) set; bottom row: their reconstructions. */
  reconstructions: PreviewImage;
}

/** Weights by parameter name, as plain arrays (what a checkpoint stores). */
export interface NamedArray {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** Everything needed to continue a run exactly where it stopped. */
export interface TrainerState {
  /** Epochs completed. */
  epoch: number;
  globalStep: number;
  history: EpochMetrics[];
  /** Adam moments and step count, by name. */
  optimizer: NamedArray[];
}
