/**
 * The settings of a training run: the network and its objective (saved in every checkpoint as its config), the
 * optimisation (saved as its train options), and where it runs. A new training setting is one entry here.
 */
import { booleanSetting, choiceSetting, numberSetting, type SettingValues } from './define.js';

/** Image sides the engine supports: 28, or a power of two from 16 to 256. */
export const IMAGE_SIZES = [16, 28, 32, 64, 128, 256] as const;
export type ImageSize = (typeof IMAGE_SIZES)[number];

/** The side images are imported at, and trained at. */
export const IMAGE_SIZE_SETTING = choiceSetting({
  label: 'Image size',
  help: 'side of the square images in pixels: 28, or a power of two from 16 to 256',
  flag: 'size',
  choices: IMAGE_SIZES.map((s) => ({ value: s, label: `${s} × ${s}` })),
  default: 64,
});

/** Largest latent dimension accepted. */
export const MAX_LATENT_DIM = 512;

/** Fewest classes a conditional model is trained on: with one, the label says nothing. */
export const MIN_CLASSES = 2;

/**
 * The classes a dataset whose images carry `labels` (its sorted class folders, '' for the top level) offers a
 * conditional model, for the `conditional` default: its class folders, or none when some images lie outside
 * every one (they would have no class).
 */
export function datasetClassNames(labels: readonly string[]): string[] {
  return labels.includes('') ? [] : [...labels];
}

/** The network and its objective: a checkpoint's `config` (with the images' side and channels). */
export const MODEL_SETTINGS = {
  latentDim: numberSetting({
    label: 'Latent dimension',
    help: 'size of the latent code z',
    flag: 'latent',
    integer: true,
    min: 1,
    max: MAX_LATENT_DIM,
    // 32 at every size: on Fashion-MNIST it beat the std28 reference's 16 (FID 5.65 → 4.77 with β 0.1 and lr 3e-3,
    // docs/quality.md). The reference networks keep theirs (engine/config.ts referenceConfig).
    default: 32,
  }),
  beta: numberSetting({
    label: 'β (KL weight)',
    help: 'weight of the KL term (β-VAE): 1 is the plain VAE; less gives sharper images, which the fitted mixture sampler then draws well; more gives smoother, blurrier samples',
    flag: 'beta',
    integer: false,
    min: 0,
    max: 1000,
    // Grey images (Bernoulli): 0.1 gives sharper samples and nearly 3× the recall of β = 1 on Fashion-MNIST at the
    // same steps, with the mixture sampler covering the aggregate posterior that no longer matches N(0, I); the
    // price is a likelihood bound ≈ 12 % worse, which the quality report shows. Colour images (σ-VAE, which
    // weighs its reconstruction by its own σ): 1 measured best (docs/quality.md).
    default: ({ channels }) => (channels === 3 ? 1 : 0.1),
    defaultText: '0.1 for grayscale images, 1 for colour',
  }),
  width: numberSetting({
    label: 'Width',
    help: 'channels of the first convolution; each down-sampling doubles them, up to 8 × width',
    flag: 'width',
    integer: true,
    min: 1,
    max: 512,
    default: 32,
  }),
  likelihood: choiceSetting({
    label: 'Likelihood',
    help: 'what the decoder models: Bernoulli for mostly black-and-white images; Gaussian with a fixed σ; or the σ-VAE’s Gaussian, whose one σ is the root-mean-squared reconstruction error (Rybkin et al. 2021), so it balances reconstruction against KL by itself. Gaussian nats are a density over real pixel values, not comparable with Bernoulli nats',
    flag: 'likelihood',
    choices: [
      { value: 'bernoulli', label: 'Bernoulli (sharper, for mostly black-and-white images)' },
      { value: 'gaussian', label: 'Gaussian, fixed σ (photos)' },
      { value: 'gaussian-optimal', label: 'Gaussian, calibrated σ (σ-VAE)' },
    ],
    // Grey images: Bernoulli, what both references use (the σ-VAE measured worse on Fashion-MNIST). Colour: the
    // σ-VAE, whose samples kept more colour and scored better on the icons (docs/quality.md).
    default: 'bernoulli',
    defaultFor: ({ channels }) => (channels === 3 ? 'gaussian-optimal' : 'bernoulli'),
    defaultText: 'bernoulli for grayscale images, gaussian-optimal for colour',
  }),
  gaussianSigma: numberSetting({
    label: 'Gaussian σ',
    help: 'standard deviation σ of the fixed-σ Gaussian likelihood, in pixel units of 0–1 (not used by the Bernoulli or the σ-VAE, which sets its own σ)',
    flag: 'sigma',
    integer: false,
    min: 0,
    minExclusive: true,
    max: 10,
    default: 0.1,
  }),
  conditional: booleanSetting({
    label: 'Conditional on the class',
    help: "feeds each image's class (its first-level folder) to the encoder and the decoder, so new images can be asked for by class; needs 2 or more classes",
    flag: 'conditional',
    // A labelled dataset trains a conditional VAE unless the user turns it off; one without classes cannot.
    default: ({ classes }) => (classes?.length ?? 0) >= MIN_CLASSES,
    defaultText: 'on when the dataset has 2 or more classes',
  }),
};
export type ModelSettings = SettingValues<typeof MODEL_SETTINGS>;

/**
 * Optimiser steps a default run takes, whatever the dataset's size: what a model needs to get past the blurry,
 * grey first phase is updates, not passes, so a small dataset gets more epochs (issue 13: colour appears in
 * 32×32 icons only after about 800 steps). Chosen by the quality report; see docs/quality.md.
 */
export const TRAINING_STEPS = 2000;
/** Fewest and most epochs a default run takes (a dataset of a few images would otherwise train for hours). */
export const DEFAULT_EPOCH_RANGE = { min: 10, max: 500 } as const;
/** The default batch and validation share, which the step count assumes. */
const DEFAULT_BATCH = 64;
const DEFAULT_VAL_FRACTION = 0.1;

/**
 * Epochs of a default run on `count` images: about {@link TRAINING_STEPS} steps of the default batch over the
 * images the default validation split leaves for training, within {@link DEFAULT_EPOCH_RANGE}; 20 when the size
 * is not known.
 */
export function defaultEpochs(count: number | undefined): number {
  if (count === undefined || !(count > 0)) return 20;
  const stepsPerEpoch = Math.ceil(
    Math.max(1, Math.round(count * (1 - DEFAULT_VAL_FRACTION))) / DEFAULT_BATCH,
  );
  const epochs = Math.ceil(TRAINING_STEPS / stepsPerEpoch);
  return Math.min(DEFAULT_EPOCH_RANGE.max, Math.max(DEFAULT_EPOCH_RANGE.min, epochs));
}

/** The optimisation: a checkpoint's `trainOptions`. */
export const TRAINING_SETTINGS = {
  epochs: numberSetting({
    label: 'Epochs',
    help: 'passes over the training images (when resuming: the new total)',
    flag: 'epochs',
    integer: true,
    min: 1,
    max: 100_000,
    default: ({ count }) => defaultEpochs(count),
    defaultText: `enough for about ${TRAINING_STEPS.toLocaleString('en-US')} optimiser steps: ${defaultEpochs(5000)} for 5,000 images, ${defaultEpochs(500)} for 500`,
  }),
  batchSize: numberSetting({
    label: 'Batch size',
    help: 'images per training step',
    flag: 'batch',
    integer: true,
    min: 1,
    max: 4096,
    default: DEFAULT_BATCH,
  }),
  learningRate: numberSetting({
    label: 'Learning rate',
    help: 'step size of the Adam optimiser',
    flag: 'lr',
    integer: false,
    min: 0,
    minExclusive: true,
    max: 1,
    // 3e-3 reaches in the default steps what 1e-3 needs about three times as many for (docs/quality.md); the
    // divergence check still stops a run that blows up.
    default: 3e-3,
  }),
  lrWarmupSteps: numberSetting({
    label: 'Learning-rate warm-up',
    help: 'raises the learning rate linearly from near 0 to its value over this many optimiser steps, at most a tenth of a new run’s (0 = off), so the first, largest Adam steps cannot collapse the latent code',
    flag: 'lr-warmup',
    integer: true,
    min: 0,
    max: 1_000_000,
    unit: 'steps',
    // 200 (a tenth of a default run): without it, width 64 on Fashion-MNIST collapsed at seed 1 (KL 1–4 nats,
    // FID 19); with it that run scored FID 3.14, and the width-32 defaults went from a mean FID of 5.01 to 4.26 over
    // four seeds. 500 steps scored no better (docs/quality.md).
    default: 200,
  }),
  seed: numberSetting({
    label: 'Seed',
    help: 'seeds the initialisation, the validation split, the shuffling and the noise: the same seed trains the same model',
    flag: 'seed',
    integer: true,
    min: 0,
    max: 0xffffffff,
    default: 0,
  }),
  valFraction: numberSetting({
    label: 'Validation fraction',
    help: 'share of the images held out to measure −ELBO on images the model has not seen',
    flag: 'val',
    integer: false,
    min: 0,
    max: 0.9,
    default: DEFAULT_VAL_FRACTION,
  }),
  klWarmupEpochs: numberSetting({
    label: 'KL warm-up',
    help: 'raises β linearly from 0 over this many epochs (0 = off)',
    flag: 'warmup',
    integer: false,
    min: 0,
    max: 100_000,
    unit: 'epochs',
    default: 0,
  }),
  freeBits: numberSetting({
    label: 'Free bits',
    help: 'KL allowed per latent dimension before it is penalised (0 = off)',
    flag: 'free-bits',
    integer: false,
    min: 0,
    max: 100,
    unit: 'nats',
    default: 0,
  }),
  gradClipNorm: numberSetting({
    label: 'Gradient clip',
    help: 'largest global gradient norm; larger gradients are scaled down (0 = off)',
    flag: 'clip',
    integer: false,
    min: 0,
    max: 1e9,
    // Off: the loss is summed over pixels, so ordinary gradient norms are in the hundreds (≈ 450 on std28 at
    // init) and a small clip would rescale nearly every early step, departing from the reference arithmetic.
    // Adam bounds each update to about lr per weight anyway; NaN/Inf is caught by the divergence check.
    default: 0,
  }),
};
export type TrainingSettings = SettingValues<typeof TRAINING_SETTINGS>;

/** Every setting of a new training run, flat: what the Train view and `vae-studio train` set. */
export const TRAIN_SETTINGS = { ...MODEL_SETTINGS, ...TRAINING_SETTINGS };
export type TrainSettings = SettingValues<typeof TRAIN_SETTINGS>;

/** Where the arithmetic runs. */
export const BACKEND_SETTING = choiceSetting({
  label: 'Backend',
  help: 'compute backend (auto: CUDA tfjs-node-gpu → tfjs-node → WebGPU on a hardware GPU → wasm → cpu)',
  flag: 'backend',
  choices: [
    { value: 'auto', label: 'Automatic (fastest available)' },
    { value: 'tensorflow', label: 'TensorFlow (native, GPU if present)' },
    { value: 'webgpu', label: 'WebGPU (any modern GPU)' },
    { value: 'wasm', label: 'WebAssembly' },
    { value: 'cpu', label: 'Plain JavaScript CPU' },
  ],
  default: 'auto',
});
/** A backend the user may ask for. */
export type BackendPreference = (typeof BACKEND_SETTING.choices)[number]['value'];
/** Every backend preference, 'auto' first. */
export const BACKENDS: readonly BackendPreference[] = BACKEND_SETTING.choices.map((c) => c.value);
