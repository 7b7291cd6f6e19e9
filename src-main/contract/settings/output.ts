/** The settings of import, generation and interpolation: one entry each, shared by the app and the CLI. */
import { booleanSetting, choiceSetting, numberSetting, type SettingValues } from './define.js';
import { IMAGE_SIZE_SETTING } from './training.js';

/** How a folder is imported. */
export const IMPORT_SETTINGS = {
  size: IMAGE_SIZE_SETTING,
  channels: choiceSetting({
    label: 'Colour',
    help: '1 = grayscale, 3 = RGB',
    flag: 'channels',
    choices: [
      { value: 3, label: 'Colour (RGB)' },
      { value: 1, label: 'Grayscale' },
    ],
    default: 3,
  }),
  fit: choiceSetting({
    label: 'Fit',
    help: 'cover crops the centre, contain pads, fill stretches',
    flag: 'fit',
    choices: [
      { value: 'cover', label: 'Cover (crop the centre)' },
      { value: 'contain', label: 'Contain (pad)' },
      { value: 'fill', label: 'Fill (stretch)' },
    ],
    default: 'cover',
  }),
};
export type ImportSettings = SettingValues<typeof IMPORT_SETTINGS>;

/**
 * Where new latents come from, for generation and for the quality report alike. The mixture is fitted once per
 * checkpoint to the posterior means of its training images (ex-post density estimation, Ghosh et al. 2019) and
 * saved beside the checkpoint (`sampler-gmm.json`).
 */
export const SAMPLER_SETTING = choiceSetting({
  label: 'Sampler',
  help: "where the latents come from: a Gaussian mixture fitted to the training images' latents (gmm: closer to the data) or the prior N(0, I)",
  flag: 'sampler',
  choices: [
    { value: 'gmm', label: 'Fitted to the training latents (mixture)' },
    { value: 'prior', label: 'Prior N(0, I)' },
  ],
  default: 'gmm',
});

/** How a batch of new images is generated. */
export const GENERATE_SETTINGS = {
  count: numberSetting({
    label: 'Count',
    help: 'number of images',
    flag: 'count',
    integer: true,
    min: 1,
    max: 10_000_000,
    default: 64,
  }),
  temperature: numberSetting({
    label: 'Temperature',
    help: 'scales the random latent: below 1 gives typical images, above 1 more unusual ones',
    flag: 'temperature',
    integer: false,
    min: 0,
    minExclusive: true,
    max: 10,
    default: 1,
  }),
  sampler: SAMPLER_SETTING,
  seed: numberSetting({
    label: 'Seed',
    help: 'the same seed gives the same images: each image depends only on the seed, its index, the temperature and the sampler',
    flag: 'seed',
    integer: true,
    min: 0,
    max: 0xffffffff,
    default: 0,
  }),
  format: choiceSetting({
    label: 'Format',
    help: 'image file format',
    flag: 'format',
    choices: [
      { value: 'png', label: 'PNG' },
      { value: 'jpg', label: 'JPEG' },
      { value: 'webp', label: 'WebP' },
    ],
    default: 'png',
  }),
  start: numberSetting({
    label: 'First index',
    help: 'index of the first image (to regenerate one from the manifest)',
    flag: 'start',
    integer: true,
    min: 0,
    max: 1e12,
    default: 0,
  }),
  batchSize: numberSetting({
    label: 'Batch size',
    help: 'images decoded per batch',
    flag: 'batch',
    integer: true,
    min: 1,
    max: 4096,
    default: 64,
  }),
  rejectCopies: booleanSetting({
    label: 'Leave out near-copies of training images',
    help:
      'an image the quality report would call a near-copy of a training image is not written, and further ' +
      'images of the seed are drawn in its place (listed in rejected.jsonl)',
    flag: 'reject-copies',
    default: false,
  }),
};
export type GenerateSettings = SettingValues<typeof GENERATE_SETTINGS>;

/**
 * How a conditional model's generation picks its classes: the words of the CLI's options and the Generate view's
 * fields. Not settings of the spec above (a class list and per-class counts are no one number, choice or switch),
 * but each is declared here once all the same.
 */
export const CLASS_OPTIONS = {
  perClass: {
    label: 'Images per class',
    help:
      'a conditional model: n images of each class, or counts by class name (cat=40,dog=10); replaces the count. ' +
      "Without it a count is split by the training data's class proportions",
    flag: 'per-class',
  },
  classes: {
    label: 'Classes',
    help: 'a conditional model: generate only these classes (comma-separated names)',
    flag: 'classes',
  },
} as const;

/** How the latent path between two images is walked and written. */
export const INTERPOLATE_SETTINGS = {
  steps: numberSetting({
    label: 'Steps',
    help: 'frames, both ends included',
    flag: 'steps',
    integer: true,
    min: 2,
    max: 1000,
    default: 8,
  }),
  mode: choiceSetting({
    label: 'Mode',
    help: "spherical follows the latent prior's shell; linear cuts straight across",
    flag: 'mode',
    choices: [
      { value: 'slerp', label: 'Spherical (slerp)' },
      { value: 'lerp', label: 'Linear (lerp)' },
    ],
    default: 'slerp',
  }),
  animation: choiceSetting({
    label: 'Animation',
    help: 'animation format',
    flag: 'animation',
    choices: [
      { value: 'webp', label: 'WebP' },
      { value: 'gif', label: 'GIF' },
      { value: 'none', label: 'None' },
    ],
    default: 'webp',
  }),
};
export type InterpolateSettings = SettingValues<typeof INTERPOLATE_SETTINGS>;

/** How a quality report scores a model (vae-studio quality; the app's Quality view, later). */
export const QUALITY_SETTINGS = {
  count: numberSetting({
    label: 'Images to score',
    help: 'images sampled from the model and compared with the held-out real images',
    flag: 'count',
    integer: true,
    min: 2,
    max: 100_000,
    default: 2000,
  }),
  likelihoodImages: numberSetting({
    label: 'Images for the likelihood',
    help: 'held-out images the importance-weighted likelihood uses (each costs one decode per sample)',
    flag: 'iw-images',
    integer: true,
    min: 1,
    max: 100_000,
    // The bound costs images × samples decodes, so the default keeps it to about 5·10⁷ decoded values (≈ 30 s
    // on 2 CPU cores at 28×28), within 10…100 images.
    default: ({ imageSize, channels }) =>
      Math.max(10, Math.min(100, Math.round(5e7 / (1000 * imageSize * imageSize * channels)))),
    defaultText: '64 for 28×28 images, 16 for 32×32 RGB, 10 for 64×64 RGB and larger',
  }),
  likelihoodSamples: numberSetting({
    label: 'Importance samples',
    help: 'samples per image of the importance-weighted likelihood (1000 is stable to about 0.1 nats)',
    flag: 'iw-samples',
    integer: true,
    min: 1,
    max: 100_000,
    default: 1000,
  }),
  sampler: SAMPLER_SETTING,
  seed: numberSetting({
    label: 'Seed',
    help: 'seeds the sampled images, the likelihood samples and the KID subsets',
    flag: 'seed',
    integer: true,
    min: 0,
    max: 0xffffffff,
    default: 0,
  }),
  allModels: booleanSetting({
    label: 'Score archived models too',
    help: 'also scores every earlier model of the project (each in a report of its own), so the trend covers them',
    flag: 'all-models',
    default: false,
  }),
};
export type QualitySettings = SettingValues<typeof QUALITY_SETTINGS>;
