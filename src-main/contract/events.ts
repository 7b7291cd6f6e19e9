/**
 * Every event the main side sends to the UI, with its payload schema. Jobs speak only in these: progress while
 * they run, then exactly one `job.done` or `job.failed`. A cancelled job ends with `job.done` and
 * `cancelled: true` when it kept partial work (training, generation), or `job.failed` with code CANCELLED when it
 * left nothing behind (import).
 */
import { z } from 'zod';
import { ERROR_CODES } from './errorCodes.js';
import {
  dataUrl,
  epochMetricsSchema,
  generateResultSchema,
  importProgressSchema,
  importResultSchema,
  interpolateResultSchema,
  jobKindSchema,
  modelSummarySchema,
  projectSummarySchema,
  qualityReportSchema,
  trainProgressSchema,
  trainResultSchema,
  trainRunSchema,
} from './models.js';
import { outliersReportSchema } from './explore.js';
import { mapResultSchema } from './mapModels.js';

const jobId = z.string().min(1);

export const events = {
  'job.started': z.object({ jobId, kind: jobKindSchema, title: z.string() }),
  /** What a job is doing, in words for a person. */
  'job.log': z.object({ jobId, message: z.string() }),
  'job.done': z.discriminatedUnion('kind', [
    z.object({ jobId, kind: z.literal('import'), cancelled: z.boolean(), result: importResultSchema }),
    z.object({ jobId, kind: z.literal('train'), cancelled: z.boolean(), result: trainResultSchema }),
    z.object({ jobId, kind: z.literal('generate'), cancelled: z.boolean(), result: generateResultSchema }),
    z.object({
      jobId,
      kind: z.literal('interpolate'),
      cancelled: z.boolean(),
      result: interpolateResultSchema,
    }),
    z.object({ jobId, kind: z.literal('quality'), cancelled: z.boolean(), result: qualityReportSchema }),
    z.object({ jobId, kind: z.literal('outliers'), cancelled: z.boolean(), result: outliersReportSchema }),
    z.object({ jobId, kind: z.literal('map'), cancelled: z.boolean(), result: mapResultSchema }),
  ]),
  'job.failed': z.object({ jobId, kind: jobKindSchema, code: z.enum(ERROR_CODES), message: z.string() }),
  'dataset.importProgress': importProgressSchema.extend({ jobId }),
  /** A run's settings are resolved (after the dataset and, for a resume, the checkpoint are read), before step 1. */
  'training.run': trainRunSchema.extend({ jobId }),
  'training.progress': trainProgressSchema.extend({ jobId }),
  /**
   * An epoch finished: its metrics and its preview images (encoded in memory), sent the moment the numbers exist,
   * before its files are written (`training.checkpoint` says when they are).
   */
  'training.epoch': z.object({
    jobId,
    metrics: epochMetricsSchema,
    previews: z.object({ samples: dataUrl, reconstructions: dataUrl }),
  }),
  /** An epoch's checkpoint and preview files are whole on disk; `model` is the project's model now. */
  'training.checkpoint': z.object({
    jobId,
    /** Root of the project the checkpoint belongs to. */
    project: z.string(),
    epoch: z.number().int(),
    checkpoint: z.string(),
    previews: z.object({ samples: z.string(), reconstructions: z.string() }),
    model: modelSummarySchema,
  }),
  'generation.progress': z.object({
    jobId,
    done: z.number().int(),
    total: z.number().int(),
    imagesPerSec: z.number(),
    etaSeconds: z.number(),
  }),
  'interpolation.progress': z.object({ jobId, done: z.number().int(), total: z.number().int() }),
  /** A quality report's phase in words ("features of the training images") and how far into it, in its own units. */
  'quality.progress': z.object({
    jobId,
    phase: z.string(),
    done: z.number().int(),
    total: z.number().int(),
  }),
  /** An outlier ranking: images scored so far of all. */
  'outliers.progress': z.object({ jobId, done: z.number().int(), total: z.number().int() }),
  /** The latent map's phase (encoding the images, the neighbour search, the layout) and how far into it. */
  'map.progress': z.object({
    jobId,
    phase: z.enum(['encoding', 'neighbours', 'layout']),
    done: z.number().int(),
    total: z.number().int(),
  }),
  /** The current project changed (opened, created, dataset imported; a new checkpoint is `training.checkpoint`). */
  'project.changed': projectSummarySchema.nullable(),
} satisfies Record<string, z.ZodType>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<N extends EventName> = z.output<Events[N]>;
export const eventNames = Object.keys(events) as EventName[];
/** Called by the main side to send an event to every listener. */
export type EmitEvent = <N extends EventName>(name: N, payload: EventPayload<N>) => void;
