/**
 * The shapes that cross the boundary, as zod schemas with their inferred types. Events are checked against these
 * in tests; request results use the inferred types. Images travel as `data:` URLs (PNG), which the renderer's
 * Content-Security-Policy allows and which need no file access in the renderer.
 */
import { z } from 'zod';
import {
  IMPORT_SETTINGS,
  MODEL_SETTINGS,
  SAMPLER_SETTING,
  settingSchema,
  TRAINING_SETTINGS,
  valueShape,
} from './settings/index.js';

/** A PNG (or other image) as a `data:image/...;base64,` URL. */
export const dataUrl = z.string().startsWith('data:image/');

export const lossTermsSchema = z.object({
  /** −log p(x|z), nats per image. */
  reconstruction: z.number(),
  /** KL(q(z|x) ‖ N(0, I)), nats per image. */
  kl: z.number(),
  /** reconstruction + kl, nats per image. */
  negElbo: z.number(),
  bitsPerDim: z.number(),
});
export type LossTerms = z.infer<typeof lossTermsSchema>;

export const epochMetricsSchema = z.object({
  epoch: z.number().int(),
  train: lossTermsSchema,
  val: lossTermsSchema.nullable(),
  beta: z.number(),
  seconds: z.number(),
  imagesPerSec: z.number(),
  /**
   * σ-VAE only (likelihood 'gaussian-optimal'): the decoder's σ after this epoch, in pixel units of 0–1, which
   * `val` and every later evaluation use (the training batches use their own σ*).
   */
  decoderSigma: z.number().optional(),
});
export type EpochMetrics = z.infer<typeof epochMetricsSchema>;

/**
 * Everything that defines a network and its objective: the images' shape and the model settings, and for a
 * conditional model its classes.
 */
export const vaeConfigSchema = z.object({
  /** Side of the square image: 28, or a power of two from 16 to 256. */
  imageSize: z.number().int(),
  /** 1 = grayscale, 3 = RGB. */
  channels: z.union([z.literal(1), z.literal(3)]),
  ...valueShape(MODEL_SETTINGS),
  /**
   * Conditional models only (`conditional: true`): the class names, sorted, in the order of the one-hot label the
   * encoder and decoder take (class i is the vector with a 1 at i). An unconditional config has no such key.
   */
  classes: z.array(z.string()).optional(),
});
export type VaeConfig = z.infer<typeof vaeConfigSchema>;

/** Training hyper-parameters (not part of the network): the training settings. */
export const trainOptionsSchema = z.object(valueShape(TRAINING_SETTINGS));
export type TrainOptions = z.infer<typeof trainOptionsSchema>;

/** One backend a resolver tried, whether it started, and why not (or what it turned out to be). */
export const backendAttemptSchema = z.object({
  /** A package name for the native backends ('@tensorflow/tfjs-node-gpu'), else the tfjs backend name. */
  backend: z.string(),
  ok: z.boolean(),
  /** Why it failed or what it turned out to be, in words a user can act on. */
  detail: z.string(),
});
export type BackendAttempt = z.infer<typeof backendAttemptSchema>;

/**
 * The backend a resolver activated, with the trail that led to it: the Node resolver's and the compute page's
 * answer, and (with `host`) what a training host's `describe` says. The one declaration of this shape: the engine
 * uses this type as it is.
 */
export const backendInfoSchema = z.object({
  /** `tf.getBackend()`: 'tensorflow', 'webgpu', 'webgl' (desktop compute window), 'wasm' or 'cpu'. */
  backend: z.string(),
  /** Where the arithmetic runs ('cpu' for a software GPU such as SwiftShader). */
  device: z.enum(['gpu', 'cpu']),
  /** The npm package that provides the backend. */
  package: z.string(),
  /** One sentence: why this backend, and anything that makes it slower than it could be. */
  reason: z.string(),
  /** Every backend tried, in order, the chosen one last. */
  attempts: z.array(backendAttemptSchema),
  /** Threads the backend really runs (wasm only: XNNPACK's own count, read back after it started). */
  threads: z.number().int().optional(),
  /** The GPU adapter in words (webgpu, webgl), e.g. "NVIDIA H100 80GB HBM3 (vulkan)". */
  adapter: z.string().optional(),
  /**
   * What runs training's steps (gradients and Adam) instead of this backend, in words ("ONNX Runtime 1.30.0,
   * 2 threads"): native CPU code where tfjs would train on WebAssembly or plain JavaScript. Validation, previews
   * and sampling stay on the backend. Absent where the backend trains.
   */
  native: z.string().optional(),
  /**
   * Where training runs: 'node' (the job's own process), 'renderer' (the desktop app's hidden compute window) or
   * 'browser' (a compute page). Set by a training host's `describe`; absent in a bare resolver's answer.
   */
  host: z.enum(['node', 'renderer', 'browser']).optional(),
});
export type BackendInfo = z.infer<typeof backendInfoSchema>;

/** A file an import did not take, and why, in words a user understands. */
export const skippedFileSchema = z.object({
  /** Relative to the imported folder, '/' separators. */
  path: z.string(),
  reason: z.string(),
});
export type SkippedFile = z.infer<typeof skippedFileSchema>;

/** A file whose bytes equal an earlier one's (in sorted order): only `duplicateOf` was imported. */
export const duplicateFileSchema = z.object({
  /** Relative to the imported folder, '/' separators: the copy left out. */
  path: z.string(),
  /** The file that was imported, of which `path` is a copy. */
  duplicateOf: z.string(),
});
export type DuplicateFile = z.infer<typeof duplicateFileSchema>;

export const datasetSummarySchema = z.object({
  count: z.number().int(),
  size: z.number().int(),
  channels: z.union([z.literal(1), z.literal(3)]),
  fit: settingSchema(IMPORT_SETTINGS.fit),
  /** Class folders (first-level subfolders); '' is the top level. */
  labels: z.array(z.string()),
  perLabel: z.record(z.string(), z.number().int()),
  sourceRoot: z.string(),
  /** Files that were not imported and why. */
  skipped: z.array(skippedFileSchema),
  /** Files left out because they are byte-for-byte copies of an imported one. */
  duplicates: z.array(duplicateFileSchema),
  /** Images the user excluded from training (exclusions.set); absent or 0 when none. */
  excluded: z.number().int().optional(),
});
export type DatasetSummary = z.infer<typeof datasetSummarySchema>;

/** One class of a conditional model: what the Generate view lists to choose classes and counts from. */
export const modelClassSchema = z.object({
  /** The class's name (its folder in the imported dataset); `config.classes` has them in one-hot order. */
  name: z.string(),
  /** Training images of the class (its share is how `count` is split when no per-class counts are given). */
  images: z.number().int(),
});
export type ModelClass = z.infer<typeof modelClassSchema>;

export const modelSummarySchema = z.object({
  checkpoint: z.string(),
  epoch: z.number().int(),
  config: vaeConfigSchema,
  /** A conditional model's classes, in one-hot order; absent for an unconditional model. */
  classes: z.array(modelClassSchema).optional(),
  trainOptions: trainOptionsSchema,
  backend: z.string(),
  savedAt: z.string(),
  /** The last epoch's metrics (the whole history is `training.status`'s). */
  last: epochMetricsSchema.nullable(),
  /** Why this is not the checkpoint the project's pointer names (it was missing or damaged), when it is not. */
  note: z.string().optional(),
});
export type ModelSummary = z.infer<typeof modelSummarySchema>;

export const projectSummarySchema = z.object({
  root: z.string(),
  name: z.string(),
  createdAt: z.string(),
  dataset: datasetSummarySchema.nullable(),
  model: modelSummarySchema.nullable(),
  /** Where a new training run moves the current model (into a folder named by the date and time), keeping it. */
  modelArchive: z.string(),
});
export type ProjectSummary = z.infer<typeof projectSummarySchema>;

export interface RecentProject {
  path: string;
  name: string;
  /** ISO 8601. */
  openedAt: string;
  /** False when the folder has gone since it was last opened. */
  exists: boolean;
  /** Images in its dataset; null before any import (or when the folder is gone). */
  images: number | null;
  /** Epochs its model has trained; null without a model. */
  epochs: number | null;
  /** A small picture of it: the model's latest sample grid, else its first dataset image; null when neither exists. */
  thumbnail: string | null;
}

export interface DatasetItem {
  /** Position in the dataset's pixel cache. */
  index: number;
  /** Relative to the imported folder, '/' separators. */
  path: string;
  label: string;
  /** Left out of training by the user (exclusions.set); absent when not. */
  excluded?: true;
}

export interface Thumbnail {
  index: number;
  url: string;
}

export const jobKindSchema = z.enum([
  'import',
  'train',
  'generate',
  'interpolate',
  'quality',
  'outliers',
  'map',
]);
/** The long jobs that run off the UI's thread. */
export type JobKind = z.infer<typeof jobKindSchema>;

export interface JobHandle {
  jobId: string;
  kind: JobKind;
}

export const importProgressSchema = z.object({
  phase: z.enum(['scanning', 'decoding', 'writing', 'done']),
  scanned: z.number().int(),
  total: z.number().int(),
  processed: z.number().int(),
  imported: z.number().int(),
  skipped: z.number().int(),
  duplicates: z.number().int(),
  imagesPerSec: z.number(),
});

export const trainProgressSchema = z.object({
  epoch: z.number().int(),
  epochs: z.number().int(),
  step: z.number().int(),
  stepsPerEpoch: z.number().int(),
  globalStep: z.number().int(),
  loss: lossTermsSchema,
  imagesPerSec: z.number(),
  etaSeconds: z.number(),
});
export type TrainProgress = z.infer<typeof trainProgressSchema>;

/**
 * What a training run trains, as the job resolved it before its first step: the model and training settings
 * (every default filled in; a resume's are its checkpoint's, with its new epoch total), the epoch it starts from,
 * and the backend it runs on. A window that reloads mid-run shows these, not its form's defaults.
 */
export const trainRunSchema = z.object({
  config: vaeConfigSchema,
  options: trainOptionsSchema,
  /** 0 for a new model; the checkpoint's epoch for a resumed one. */
  startEpoch: z.number().int(),
  backend: backendInfoSchema,
});
export type TrainRun = z.infer<typeof trainRunSchema>;

export const importResultSchema = z.object({
  sourceRoot: z.string(),
  scanned: z.number().int(),
  imported: z.number().int(),
  skipped: z.array(skippedFileSchema),
  duplicates: z.array(duplicateFileSchema),
  seconds: z.number(),
  imagesPerSec: z.number(),
  /** Where the replaced dataset went with its model, when the project had one. */
  archivedPrevious: z.string().nullable(),
});
export type ImportResult = z.infer<typeof importResultSchema>;

export const trainResultSchema = z.object({
  backend: backendInfoSchema,
  config: vaeConfigSchema,
  options: trainOptionsSchema,
  startEpoch: z.number().int(),
  epochs: z.number().int(),
  final: epochMetricsSchema.nullable(),
  cancelled: z.boolean(),
  checkpoint: z.string().nullable(),
  archivedPrevious: z.string().nullable(),
  imagesPerSec: z.number(),
  /** Images the run trained on, and the dataset's images it left out because the user excluded them. */
  trainedImages: z.number().int().optional(),
  excluded: z.number().int().optional(),
  /** What the losses say about the next step, in sentences for a person (keep training, overfitting, collapse). */
  guidance: z.array(z.string()),
});
export type TrainResult = z.infer<typeof trainResultSchema>;

/** One class of a conditional generation's result. */
export const generatedClassSchema = z.object({
  name: z.string(),
  /** The class's index in the model's classes (its one-hot label). */
  index: z.number().int(),
  /** Its folder inside `out`: the ImageFolder layout `<out>/<folder>/<file>`. */
  folder: z.string(),
  /** Images of the class the run asked for, and of them the files this run wrote. */
  count: z.number().int(),
  written: z.number().int(),
});
export type GeneratedClass = z.infer<typeof generatedClassSchema>;

export const generateResultSchema = z.object({
  out: z.string(),
  files: z.array(z.string()),
  /** A conditional model's classes the run drew, in the model's class order; absent for an unconditional model. */
  classes: z.array(generatedClassSchema).optional(),
  manifest: z.object({ jsonl: z.string(), csv: z.string() }),
  count: z.number().int(),
  /** Images of the run that an earlier, interrupted run of the same generation had already written. */
  alreadyThere: z.number().int(),
  /**
   * Images this run judged near-copies of training images and left out (`rejectCopies`; 0 without it): drawn
   * and checked, not written, listed in the folder's rejected.jsonl.
   */
  rejected: z.number().int(),
  cancelled: z.boolean(),
  seconds: z.number(),
  imagesPerSec: z.number(),
});
export type GenerateResult = z.infer<typeof generateResultSchema>;

export const interpolateResultSchema = z.object({
  out: z.string(),
  frames: z.array(z.string()),
  contactSheet: z.string(),
  animation: z.string().nullable(),
  steps: z.number().int(),
  mode: z.enum(['lerp', 'slerp']),
  /** A conditional model's walk: the classes of its two ends (the label walks from a's to b's). */
  classA: z.string().optional(),
  classB: z.string().optional(),
});
export type InterpolateResult = z.infer<typeof interpolateResultSchema>;

/** A class of a generation folder and the images its manifest lists of it. */
export const classCountSchema = z.object({ name: z.string(), count: z.number().int() });
export type ClassCount = z.infer<typeof classCountSchema>;

/** One generation folder of the project (`generated/<name>/`), as the list of past runs shows it. */
export const generationRunSchema = z.object({
  /** The folder (absolute, on the main side). */
  out: z.string(),
  /** Its name inside `generated/`, e.g. `run-20250101-120000`. */
  name: z.string(),
  /** Images its manifest lists. */
  count: z.number().int(),
  /** A conditional generation's classes and their images, in the model's class order; absent otherwise. */
  classes: z.array(classCountSchema).optional(),
  /** The seeds, samplers and temperatures its images were drawn with (one each for a folder of one run). */
  seeds: z.array(z.number().int()),
  samplers: z.array(settingSchema(SAMPLER_SETTING)),
  temperatures: z.array(z.number()),
  /** The epochs of the models that drew them. */
  epochs: z.array(z.number().int()),
  /** When its manifest was last written (ISO 8601): the run's end, for a finished run. */
  writtenAt: z.string(),
});
export type GenerationRun = z.infer<typeof generationRunSchema>;

/** A dataset image beside the model's reconstruction of it (encoded under its class, decoded from the mean). */
export interface Reconstruction {
  index: number;
  /** Its path in the imported folder and its class folder ('' at the top level). */
  path: string;
  label: string;
  /** The imported pixels and the reconstruction, as PNG data URLs of the model's size. */
  original: string;
  reconstruction: string;
}

export interface GalleryImage {
  /** Absolute path on the main side. */
  file: string;
  url: string;
  index: number;
  seed: number;
  /** A conditional model's image: the class it was generated for. */
  class?: string;
}

/** A scored image judged a near-copy of a training image, with its nearest training images. */
export const nearCopySchema = z.object({
  /** Index among the scored images (the sampled ones, or the files of a scored folder in sorted order). */
  index: z.number().int(),
  /** The scored image: a PNG in the report folder (`copies/`), or the scored folder's own file. */
  image: z.string(),
  /** Its nearest training image in feature space: its index in the dataset and its path there. */
  trainingIndex: z.number().int(),
  training: z.string(),
  /** Distance in feature space to that training image. */
  distance: z.number(),
  /** Its nearest training image in pixels (root-mean-square difference, pixel values 0–1). */
  pixelTrainingIndex: z.number().int(),
  pixelTraining: z.string(),
  pixelDistance: z.number(),
});
export type NearCopy = z.infer<typeof nearCopySchema>;

/** The sample-quality figures of one comparison (the whole report, or one class). */
export const sampleFiguresSchema = z.object({
  /** Fréchet distance of the two sets' features (these features, not a published FID). */
  fid: z.number(),
  /** Unbiased kernel inception distance and its standard error over subsets. */
  kid: z.number(),
  kidStandardError: z.number(),
  /** k-NN precision / recall (Kynkäänniemi et al. 2019, k = 3). */
  precision: z.number(),
  recall: z.number(),
  /** Density / coverage (Naeem et al. 2020, k = 5). */
  density: z.number(),
  coverage: z.number(),
});
export type SampleFigures = z.infer<typeof sampleFiguresSchema>;

/** One class's figures: the real images of the class against the scored images assigned to it. */
export const classFiguresSchema = z.object({
  label: z.string(),
  /** Held-out real images of the class. */
  realCount: z.number().int(),
  /**
   * Scored images of the class: a conditional model's own samples by the class each was generated for, any other
   * scored image by the class of its nearest labelled training image in feature space.
   */
  scoredCount: z.number().int(),
  /**
   * A conditional model's own samples only: the share of the class's samples whose nearest training image (in
   * feature space) is of the class too, how often the image shows what it was asked for. Absent otherwise.
   */
  agreement: z.number().optional(),
  /** scoredCount / all scored, beside the class's share of the real images. */
  scoredShare: z.number(),
  realShare: z.number(),
  copies: z.number().int(),
  /** The class's sample figures; null when either side has too few images (fewer than 10) to score. */
  figures: sampleFiguresSchema.nullable(),
});
export type ClassFigures = z.infer<typeof classFiguresSchema>;

/** Which model a report scored. */
export const scoredModelSchema = z.object({
  checkpoint: z.string(),
  epoch: z.number().int(),
  /** The archive folder (relative to the project) when the model is an archived one; null for the current. */
  archived: z.string().nullable(),
  savedAt: z.string(),
});
export type ScoredModel = z.infer<typeof scoredModelSchema>;

/** Everything `vae-studio quality` and the Quality view report; numbers are plain numbers. */
export const qualityReportSchema = sampleFiguresSchema.extend({
  /** `quality/<time>/report.json`, and the human-readable reports beside it. */
  report: z.string(),
  markdown: z.string(),
  html: z.string(),
  createdAt: z.string(),
  model: scoredModelSchema,
  scored: z.object({
    source: z.enum(['model', 'folder']),
    count: z.number().int(),
    folder: z.string().nullable(),
    /** The sampler the images were drawn with (null for a folder; absent in reports made before it was chosen). */
    sampler: settingSchema(SAMPLER_SETTING).nullable().optional(),
  }),
  real: z.object({ source: z.enum(['validation-split', 'training-set', 'folder']), count: z.number().int() }),
  /** What produced the features, in words. */
  featureNetwork: z.string(),
  copies: z.object({
    count: z.number().int(),
    fraction: z.number(),
    /** The feature distance under which a scored image is a near-copy, and the rule that gives it. */
    threshold: z.number(),
    rule: z.string(),
    /**
     * Meehan et al. 2020's data-copying test: a z-score of the scored images' distances to the training set
     * against the held-out images'; well below 0 (under −3) means the model copies.
     */
    dataCopyingZ: z.number(),
    files: z.array(nearCopySchema),
    /**
     * The scored images nearest a training image in pixels, closest first, near-copies or not: for the eye, since
     * a sample can redraw a training image (with speckle) no closer than the data's own near-twins, which the rule
     * then lets through. `image` is its PNG in `closest/`. Absent in reports made before it was listed.
     */
    closest: z.array(nearCopySchema).optional(),
  }),
  negElbo: z.number(),
  negElboBitsPerDim: z.number(),
  /** Importance-weighted −log p(x) (nats/image) with `iwSamples` samples on `iwImages` held-out images. */
  iwNll: z.number(),
  /** The one-sample −ELBO on those same images. */
  iwNegElbo: z.number(),
  iwBitsPerDim: z.number(),
  iwSamples: z.number().int(),
  iwImages: z.number().int(),
  /** Standard error of iwNll over those images (their spread / √iwImages). */
  iwStandardError: z.number(),
  activeUnits: z.number().int(),
  latentDim: z.number().int(),
  klPerDim: z.array(z.number()),
  collapsed: z.boolean(),
  /** Per-class figures when the dataset has class folders; empty otherwise. */
  perClass: z.array(classFiguresSchema),
  /**
   * A conditional model's own samples only: the share of all scored samples whose nearest training image is of
   * the class the sample was generated for ("class agreement"). Absent otherwise.
   */
  classAgreement: z.number().optional(),
  /** What the figures mean, in sentences for a person, the most useful next step among them. */
  verdict: z.array(z.string()),
  /** A grid of scored images (PNG in the report folder). */
  samples: z.string(),
  seconds: z.number(),
  /** Where the time went, phase by phase, in seconds. */
  timings: z.array(z.object({ phase: z.string(), seconds: z.number() })),
});
export type QualityReport = z.infer<typeof qualityReportSchema>;

/** One stored report, as the trend across the project's models shows it. */
export const qualityHistoryEntrySchema = sampleFiguresSchema.extend({
  report: z.string(),
  createdAt: z.string(),
  model: scoredModelSchema,
  scoredCount: z.number().int(),
  /** As the report's `scored.sampler`. */
  sampler: settingSchema(SAMPLER_SETTING).nullable().optional(),
  copiesFraction: z.number(),
  negElbo: z.number(),
  iwNll: z.number(),
  activeUnits: z.number().int(),
});
export type QualityHistoryEntry = z.infer<typeof qualityHistoryEntrySchema>;
