/**
 * Every request the UI can make of the main side. A new request is one entry here: the Electron handlers, the
 * preload's `window.vaeApi`, the WebSocket server and the renderer's client are all derived from this table, and
 * `Handlers` makes a missing handler a compile error.
 *
 * Long work (import, training, generation, interpolation export) answers at once with a {@link JobHandle}; its
 * progress and its end arrive as events (see events.ts).
 */
import { z } from 'zod';
import { returns, type RequestSpec, type Returns } from './define.js';
import {
  BACKEND_SETTING,
  defaultedShape,
  GENERATE_SETTINGS,
  IMAGE_SIZE_SETTING,
  IMPORT_SETTINGS,
  INTERPOLATE_SETTINGS,
  MAP_SETTINGS,
  optionalShape,
  QUALITY_SETTINGS,
  settingSchema,
  TRAINING_SETTINGS,
  TRAIN_SETTINGS,
} from './settings/index.js';
import type {
  BackendInfo,
  ClassCount,
  DatasetItem,
  GalleryImage,
  GenerationRun,
  JobHandle,
  ProjectSummary,
  RecentProject,
  Thumbnail,
  TrainProgress,
  TrainRun,
  EpochMetrics,
  JobKind,
  QualityHistoryEntry,
  QualityReport,
  Reconstruction,
} from './models.js';
import type { ExplorerModel, ExplorerStart, OutliersView } from './explore.js';
import type { LatentMap, MapNeighbour } from './mapModels.js';

const path = z.string().trim().min(1, 'must not be empty');
const int = (min: number, max: number) => z.number().int('must be a whole number').min(min).max(max);

const imageSize = settingSchema(IMAGE_SIZE_SETTING);
const backend = settingSchema(BACKEND_SETTING);

/**
 * Where an image for interpolation comes from: the project's dataset, or a file on the main side (for a
 * conditional model with its class, unless it lies in a class folder of the imported dataset).
 */
export const imageRefSchema = z.union([
  z.object({ datasetIndex: z.number().int().min(0) }),
  z.object({ file: path, class: z.string().min(1).optional() }),
]);
export type ImageRef = z.infer<typeof imageRefSchema>;

export const importInputSchema = z.object({
  /** Folder on the main side's disk (dropped, picked, typed, or an upload folder). */
  folder: path,
  ...defaultedShape(IMPORT_SETTINGS),
  background: z.string().optional(),
  /**
   * The user agreed to replace the dataset of a trained model (its dataset and model are archived in the
   * project). Without it, an import into a project with a model answers REPLACES_MODEL and changes nothing.
   */
  replaceModel: z.boolean().default(false),
});

/**
 * What the Train view sends. Every setting may be left out: the main side fills it with its default for the
 * dataset's images (the latent size depends on them), exactly as `vae-studio train` does, so `{}` trains the
 * default model.
 */
export const trainInputSchema = z.object({
  /** Re-imports the dataset's source folder at this size first when it differs from the dataset's. */
  imageSize: imageSize.optional(),
  ...optionalShape(TRAIN_SETTINGS),
  backend: backend.default('auto'),
});
export type TrainInput = z.input<typeof trainInputSchema>;

const imageCount = int(0, GENERATE_SETTINGS.count.max);

export const generateInputSchema = z.object({
  ...defaultedShape(GENERATE_SETTINGS),
  /**
   * A conditional model only: n images of each class (of `classes`, or all), or the count of each class named; it
   * replaces `count`. Without it a conditional model's `count` is split by the training data's class proportions.
   */
  perClass: z.union([imageCount, z.record(z.string(), imageCount)]).optional(),
  /** A conditional model only: generate only these classes (by name). */
  classes: z.array(z.string().min(1)).min(1).optional(),
  /** Output folder; default `<project>/generated/run-<time>`. */
  out: path.optional(),
});
export type GenerateInput = z.input<typeof generateInputSchema>;

const { animation: _animation, ...PATH_SETTINGS } = INTERPOLATE_SETTINGS;
export const interpolateInputSchema = z.object({
  a: imageRefSchema,
  b: imageRefSchema,
  ...defaultedShape(PATH_SETTINGS),
});
export type InterpolateInput = z.input<typeof interpolateInputSchema>;

/** What the Quality view sends: the report's settings (each may be left out for its default) and the backend. */
const { likelihoodImages: LIKELIHOOD_IMAGES, ...FIXED_QUALITY_SETTINGS } = QUALITY_SETTINGS;
export const qualityInputSchema = z.object({
  ...defaultedShape(FIXED_QUALITY_SETTINGS),
  /** Default: the setting's default for the model's images (it depends on their size). */
  likelihoodImages: settingSchema(LIKELIHOOD_IMAGES).optional(),
  /** Default: the backend the app runs its jobs on. */
  backend: backend.optional(),
});
export type QualityInput = z.input<typeof qualityInputSchema>;

/** Near-copies whose images `quality.report` sends unless asked for another number. */
export const QUALITY_COPIES_SHOWN = 48;

/**
 * A stored report with the images the Quality view shows beside it, as PNG (or the file's own type) data URLs;
 * null where a file is gone or is no image, or where the training image is no longer in the dataset (a new import).
 */
export interface QualityReportView {
  report: QualityReport;
  /** The report's folder (report.json, report.md, report.html and its images), to show in the file manager. */
  folder: string;
  /** The grid of scored images. */
  samples: string | null;
  /** The first copies of `report.copies.files`, in its order. */
  copies: {
    /** The scored image. */
    image: string | null;
    /** Its nearest training image in feature space, and in pixels. */
    training: string | null;
    pixelTraining: string | null;
  }[];
  /** The images of `report.copies.closest` (empty for a report made before it), in its order; as `copies`. */
  closest: QualityReportView['copies'];
}

export const requests = {
  'app.info': {
    doc: 'Version, host (electron or browser) and what this host can do.',
    input: z.object({}),
    result: returns<{
      version: string;
      host: 'electron' | 'browser';
      platform: string;
      /** Where new projects go unless the user picks another folder. */
      projectsDir: string;
      /** Native folder/file pickers, opening folders in the OS file manager. */
      nativeDialogs: boolean;
      openPath: boolean;
    }>(),
  },
  'backend.info': {
    doc: 'Which backend training would use and why (loads it in the job worker).',
    input: z.object({ preference: backend.default('auto') }),
    result: returns<BackendInfo>(),
  },
  'project.create': {
    doc: 'Creates a project folder (or opens it if it already is one, unless told not to) and makes it current.',
    input: z.object({
      path,
      name: z.string().trim().min(1).max(200).optional(),
      /**
       * What a folder that already holds a project gets: opened as it is (true, `serve <folder>`'s way), or
       * refused with PROJECT_EXISTS naming it (false: the app's "Create project" then offers to open it).
       */
      openExisting: z.boolean().default(true),
    }),
    result: returns<ProjectSummary>(),
  },
  'project.open': {
    doc: 'Opens an existing project folder and makes it current.',
    input: z.object({ path }),
    result: returns<ProjectSummary>(),
  },
  'project.current': {
    doc: 'The current project, re-read from disk; null when none is open.',
    input: z.object({}),
    result: returns<ProjectSummary | null>(),
  },
  'project.recent': {
    doc: 'Recently opened projects, newest first, each with its image and epoch counts and a thumbnail.',
    input: z.object({}),
    result: returns<RecentProject[]>(),
  },
  'project.forget': {
    doc: 'Removes a project from the recent list (its folder stays on disk); answers the list left.',
    input: z.object({ path }),
    result: returns<RecentProject[]>(),
  },
  'dataset.import': {
    doc: 'Imports an image folder into the current project (replacing its dataset when the import succeeds).',
    input: importInputSchema,
    result: returns<JobHandle>(),
  },
  'dataset.upload': {
    doc:
      'Browser mode: writes dropped files into `<project>/uploads/<name>/` (`<name>-2`… when taken), the same ' +
      'folder for every request of one batch; import that folder afterwards.',
    input: z.object({
      /** Ties the requests of one upload together (the renderer makes one per drop). */
      batch: z.string().regex(/^[\w-]{1,64}$/, 'letters, digits, - and _ only'),
      /** The dropped or picked folder's own name, which the upload folder takes; default "upload". */
      name: z.string().trim().max(200).optional(),
      files: z
        .array(z.object({ path, base64: z.string() }))
        .min(1)
        .max(2000),
    }),
    result: returns<{ folder: string; written: number }>(),
  },
  'dataset.list': {
    doc: 'A page of the dataset’s items in cache order, optionally of one class folder.',
    input: z.object({
      offset: int(0, 10_000_000).default(0),
      limit: int(1, 5000).default(500),
      label: z.string().optional(),
    }),
    result: returns<{ total: number; items: DatasetItem[] }>(),
  },
  'dataset.thumbnails': {
    doc: 'PNG thumbnails (the imported, resized pixels) of dataset items by index.',
    input: z.object({ indices: z.array(int(0, 10_000_000)).max(1000) }),
    result: returns<Thumbnail[]>(),
  },
  'training.start': {
    doc: 'Trains a new model on the current dataset; a previous model is archived, not deleted.',
    input: trainInputSchema,
    result: returns<JobHandle>(),
  },
  'training.resume': {
    doc: 'Continues the latest checkpoint with its own settings, optionally up to a larger number of epochs.',
    input: z.object({
      epochs: settingSchema(TRAINING_SETTINGS.epochs).optional(),
      /** As `training.start`'s: 'auto' is the backend the app runs its jobs on. */
      backend: backend.default('auto'),
    }),
    result: returns<JobHandle>(),
  },
  'training.cancel': {
    doc: 'Stops training after the current step; the last finished epoch’s checkpoint is kept.',
    input: z.object({}),
    result: returns<{ cancelled: boolean }>(),
  },
  'training.status': {
    doc: 'Whether training runs, its settings and latest progress, and the history of finished epochs.',
    input: z.object({}),
    result: returns<{
      running: JobHandle | null;
      /** The running run's settings (as its `training.run` said); null when none runs or it has not said yet. */
      run: TrainRun | null;
      progress: TrainProgress | null;
      history: EpochMetrics[];
      /** Latest preview images (data URLs), if any epoch has finished. */
      previews: { epoch: number; samples: string; reconstructions: string } | null;
    }>(),
  },
  'generation.start': {
    doc: 'Generates images from the latest checkpoint into a folder, with manifest.jsonl and manifest.csv.',
    input: generateInputSchema,
    result: returns<JobHandle & { out: string }>(),
  },
  'generation.cancel': {
    doc: 'Stops generation; files written so far and their manifest lines are kept.',
    input: z.object({}),
    result: returns<{ cancelled: boolean }>(),
  },
  'generation.gallery': {
    doc: 'Images listed in a generation folder’s manifest, as thumbnails; a conditional generation’s by class.',
    input: z.object({
      out: path,
      offset: int(0, 10_000_000).default(0),
      limit: int(1, 500).default(60),
      /** Only the images of this class (a conditional generation's folder); `offset` and `total` count them. */
      class: z.string().optional(),
    }),
    result: returns<{
      total: number;
      images: GalleryImage[];
      /** A conditional generation's folder: each class's images in its manifest, in class order (for grouping). */
      classes?: ClassCount[];
    }>(),
  },
  'generation.runs': {
    doc: 'The generation folders of the current project (in its generated/ folder), newest first, from their manifests.',
    input: z.object({}),
    result: returns<GenerationRun[]>(),
  },
  'model.reconstruct': {
    doc: 'One dataset image and the current model’s reconstruction of it (encoded and decoded), as data URLs.',
    input: z.object({ index: int(0, 10_000_000) }),
    result: returns<Reconstruction>(),
  },
  'interpolation.preview': {
    doc: 'Decodes the latent path between two images without writing files.',
    input: interpolateInputSchema,
    result: returns<{ frames: string[] }>(),
  },
  'interpolation.export': {
    doc: 'Writes frames, a contact sheet and an animation of the latent path to a new folder.',
    input: interpolateInputSchema.extend({
      animation: settingSchema(INTERPOLATE_SETTINGS.animation).default(
        INTERPOLATE_SETTINGS.animation.default,
      ),
      /** Default `<project>/interpolations/<time>`; must not already hold frames. */
      out: path.optional(),
    }),
    result: returns<JobHandle & { out: string }>(),
  },
  'quality.start': {
    doc: 'Scores the current model against held-out real images and writes a report in <project>/quality/.',
    input: qualityInputSchema,
    result: returns<JobHandle>(),
  },
  'quality.cancel': {
    doc: 'Stops the quality report; nothing is written for a report that did not finish.',
    input: z.object({}),
    result: returns<{ cancelled: boolean }>(),
  },
  'quality.reports': {
    doc: 'The figures of every report stored in the current project, oldest first (the trend across its models).',
    input: z.object({}),
    result: returns<QualityHistoryEntry[]>(),
  },
  'quality.report': {
    doc: 'One stored report (a report.json inside the project’s quality/ folder) with its images as data URLs.',
    input: z.object({
      /** The report.json, absolute or relative to the project. */
      report: path,
      /** How many near-copies to send images of (the report lists them all). */
      copies: int(0, 500).default(QUALITY_COPIES_SHOWN),
    }),
    result: returns<QualityReportView>(),
  },
  'outliers.start': {
    doc: 'Ranks the dataset’s images (or another folder’s) by how badly the current model explains them.',
    input: z.object({
      /** Another folder of images to score, decoded like the dataset; default: the dataset. */
      data: path.optional(),
      /** How many of the worst images the report lists (its CSV has every image). */
      top: int(1, 1000).default(50),
      /** Posterior samples per image: more give steadier scores and a tighter bound. */
      samples: int(1, 64).default(4),
      backend: backend.optional(),
    }),
    result: returns<JobHandle>(),
  },
  'outliers.cancel': {
    doc: 'Stops the outlier ranking; nothing is written for a ranking that did not finish.',
    input: z.object({}),
    result: returns<{ cancelled: boolean }>(),
  },
  'outliers.latest': {
    doc: 'The newest outlier ranking of the current project, with its images; null before the first.',
    input: z.object({}),
    result: returns<OutliersView | null>(),
  },
  'exclusions.set': {
    doc:
      'Excludes dataset images from training (or includes them again), by their paths in the imported folder; ' +
      'kept in the project (exclusions.json).',
    input: z.object({
      files: z.array(z.string().min(1)).min(1).max(100_000),
      excluded: z.boolean().default(true),
    }),
    result: returns<{ changed: string[]; excluded: number }>(),
  },
  'exclusions.list': {
    doc: 'The dataset images excluded from training, with their dataset indices (null: not in the dataset now).',
    input: z.object({}),
    result: returns<{ path: string; index: number | null; excludedAt: string }[]>(),
  },
  'explorer.model': {
    doc: 'Opens the current model for the latent explorer: its dimensions, most active first (by KL).',
    input: z.object({}),
    result: returns<ExplorerModel>(),
  },
  'explorer.start': {
    doc: 'A starting point for the explorer: a dataset image’s μ, a prior sample, or the origin, decoded.',
    input: z.object({
      from: z.union([
        z.object({ datasetIndex: z.number().int().min(0) }),
        z.object({ seed: z.number().int().min(0), index: z.number().int().min(0).default(0) }),
        z.object({ origin: z.literal(true) }),
      ]),
      /** A conditional model: the class to decode under (a dataset image's own by default). */
      class: z.string().min(1).optional(),
    }),
    result: returns<ExplorerStart>(),
  },
  'explorer.decode': {
    doc: 'Decodes one z with the explorer’s model (what a slider move costs).',
    input: z.object({
      z: z.array(z.number().finite()).min(1).max(4096),
      class: z.string().min(1).optional(),
    }),
    result: returns<{ image: string; decodeMs: number }>(),
  },
  'explorer.save': {
    doc: 'Saves the decode of z into the generation folder generated/explorer-<model>/, its z in the manifest.',
    input: z.object({
      z: z.array(z.number().finite()).min(1).max(4096),
      class: z.string().min(1).optional(),
      /** Where the walk started, in words (the start's `origin`), kept in the manifest row. */
      origin: z.string().max(500).default('the latent explorer'),
    }),
    result: returns<{ out: string; file: string }>(),
  },
  'map.start': {
    doc: 'Maps the current dataset with the current model (encode every image, lay the latents out in 2-D).',
    input: z.object({ ...defaultedShape(MAP_SETTINGS) }),
    result: returns<JobHandle>(),
  },
  'map.cancel': {
    doc: 'Stops the map; the previous map, if any, stays.',
    input: z.object({}),
    result: returns<{ cancelled: boolean }>(),
  },
  'map.current': {
    doc: "The current project's latest map (its points in dataset order), or null when none was made.",
    input: z.object({}),
    result: returns<LatentMap | null>(),
  },
  'map.neighbours': {
    doc: "A dataset image's nearest images in the latent space of the project's map.",
    input: z.object({ index: int(0, 10_000_000), count: int(1, 50).default(8) }),
    result: returns<{ index: number; neighbours: MapNeighbour[] }>(),
  },
  'job.cancel': {
    doc: 'Cancels any running job by id.',
    input: z.object({ jobId: z.string().min(1) }),
    result: returns<{ cancelled: boolean }>(),
  },
  'job.list': {
    doc: 'Jobs running now.',
    input: z.object({}),
    result: returns<JobHandle[]>(),
  },
  'shell.pickFolder': {
    doc: 'Electron: a native folder picker. Browser mode answers UNSUPPORTED (type a server path instead).',
    input: z.object({ title: z.string().optional() }),
    result: returns<string | null>(),
  },
  'shell.pickImage': {
    doc: 'Electron: a native image-file picker. Browser mode answers UNSUPPORTED.',
    input: z.object({ title: z.string().optional() }),
    result: returns<string | null>(),
  },
  'shell.openPath': {
    doc: 'Shows a folder or file in the OS file manager (Electron only).',
    input: z.object({ path }),
    result: returns<{ opened: boolean }>(),
  },
} satisfies Record<string, RequestSpec>;

export type Requests = typeof requests;
export type RequestName = keyof Requests;
/** What a caller passes (fields with defaults may be left out). */
export type RequestInput<N extends RequestName> = z.input<Requests[N]['input']>;
/** What a handler receives: validated, defaults filled in. */
export type RequestParsed<N extends RequestName> = z.output<Requests[N]['input']>;
export type RequestResult<N extends RequestName> = Requests[N]['result'] extends Returns<infer T> ? T : never;
export const requestNames = Object.keys(requests) as RequestName[];
export type { JobKind };
