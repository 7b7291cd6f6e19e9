/**
 * The engine's public vocabulary. The engine works on tensors and typed arrays only: no file system, no sharp,
 * no Electron, so it runs the same in a worker, a utility process, a browser worker or a test.
 *
 * Image layout everywhere outside the engine: uint8, row-major NHWC (image, row, column, channel), values
 * 0..255. Inside the engine pixels are float32 in [0, 1].
 */

import type { TrainOptions, VaeConfig } from '../contract/models.js';
import type { ModelSettings } from '../contract/settings/index.js';

/**
 * What a backend resolver reports after activating a backend (the Node resolver, the compute page's, a training
 * host's `describe`): declared once, as the contract's `backendInfoSchema`, and used here as it is.
 */
export type { BackendAttempt, BackendInfo } from '../contract/models.js';

/**
 * Likelihood p(x|z) of the decoder. Bernoulli = binary cross-entropy with logits; Gaussian = MSE, fixed σ;
 * gaussian-optimal = the σ-VAE's Gaussian with σ fitted to the mean squared error (loss.ts).
 */
export type Likelihood = ModelSettings['likelihood'];

/**
 * Everything that defines a network and its objective (the images' shape plus the model settings of
 * contract/settings), and the training hyper-parameters; both are saved with every checkpoint.
 */
export type { TrainOptions, VaeConfig };

/** A set of images in the cache layout: uint8 NHWC. */
export interface ImageBatch {
  /** count × size × size × channels bytes. */
  pixels: Uint8Array;
  count: number;
  size: number;
  channels: 1 | 3;
  /**
   * The class of each image, as its index into a conditional model's `config.classes` (the one-hot order); `count`
   * values. What a conditional model is trained and evaluated with; absent for unlabelled images.
   */
  labels?: Uint16Array;
  /**
   * The class of each image (an index into the dataset's class folders), when the caller knows them: the trainer
   * picks its reconstruction previews across the classes instead of from the first images (which, in a cache sorted
   * by folder, are all of one class).
   */
  classes?: Uint32Array;
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
  /** Running mean over the epoch's batches; a σ-VAE's batches each under their own σ* (as they were trained). */
  train: LossTerms;
  /** Held-out −ELBO (a σ-VAE's with its stored σ̂, `decoderSigma`); null when valFraction is 0. */
  val: LossTerms | null;
  /** Effective β used at the end of this epoch (after warm-up). */
  beta: number;
  seconds: number;
  imagesPerSec: number;
  /** σ-VAE only: the decoder's σ after this epoch (pixel units of 0–1), which `val` and later evaluations use. */
  decoderSigma?: number;
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
  /** 1 grey, 3 RGB; 2 and 4 are the same with alpha (a grid whose gaps are transparent). */
  channels: 1 | 2 | 3 | 4;
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

/**
 * A model's decoder run outside tfjs (ONNX Runtime, engine/node/onnxDecoder.ts), for long decode loops (the
 * importance-weighted likelihood's 1,000 decodes per image): z [n, L] and a conditional model's labels y [n, K], both
 * row-major, to the logits [n, H, W, C] that `VaeModel.decodeLogits` gives.
 */
export interface NativeDecoder {
  /** What runs it, in words ("ONNX Runtime 1.30.0, 2 threads"). */
  readonly runtime: string;
  decodeLogits(z: Float32Array, n: number, y?: Float32Array): Promise<Float32Array>;
  dispose(): void;
}

/** What one training step outside tfjs starts from: the model's parameters and Adam's moments, and the batch. */
export interface NativeStepInput {
  /** Each parameter, in the model's parameter order and tfjs layout; `m` and `v` are Adam's moments alike. */
  params: readonly Float32Array[];
  m: readonly Float32Array[];
  v: readonly Float32Array[];
  /** Pixels in [0, 1], [n, H, W, C] row-major; ε [n, L]; a conditional model's one-hot labels [n, K]. */
  x: Float32Array;
  eps: Float32Array;
  y?: Float32Array;
  n: number;
  beta: number;
  /** This step's Adam rate lr / (1 − β1ᵗ) and 1 − β2ᵗ (engine/adam.ts `nextStep`). */
  rate: number;
  c2: number;
  /** Global-norm clipping threshold; 0: none. */
  clipNorm: number;
}

/** One step's figures, and the parameters and moments after its update (to apply only when they are finite). */
export interface NativeStepResult {
  /** Mean over the batch of reconstruction + β·KL (free bits applied), as the trainer minimises it. */
  loss: number;
  reconstruction: number;
  kl: number;
  /** σ-VAE only: the batch's mean squared error (0 for the other likelihoods). */
  meanSquaredError: number;
  /** The gradients' global norm, before clipping. */
  gradNorm: number;
  params: Float32Array[];
  m: Float32Array[];
  v: Float32Array[];
}

/**
 * A model's training step run outside tfjs (ONNX Runtime, engine/node/onnxTraining.ts): the objective, every
 * gradient that `tf.variableGrads` over engine/loss.ts `negElboTerms` gives (to float32 rounding), clipping and
 * the Adam update of engine/adam.ts. The trainer keeps the weights and moments in its tfjs variables, and
 * validation, previews and checkpoints on tfjs.
 */
export interface NativeTraining {
  /** What runs it, in words ("ONNX Runtime 1.30.0, 2 threads"). */
  readonly runtime: string;
  step(input: NativeStepInput): Promise<NativeStepResult>;
  dispose(): void;
}
