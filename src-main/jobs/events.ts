import type { ImportProgress } from '../dataset/index.js';
import type { EpochMetrics, TrainProgress } from '../engine/index.js';

/**
 * Everything a long job says while it runs. The CLI's progress bar, `--json` lines, tests and (later) the IPC
 * bridge all subscribe to this one stream; the job's promise carries the final result or the failure.
 */
export type JobEvent =
  | { type: 'log'; message: string }
  | ({ type: 'import-progress' } & ImportProgress)
  | ({ type: 'train-progress' } & TrainProgress)
  | {
      type: 'train-epoch';
      metrics: EpochMetrics;
      /** PNG files of this epoch's fixed-z samples and reconstructions. */
      previews: { samples: string; reconstructions: string };
      checkpoint: string;
    }
  | { type: 'generate-progress'; done: number; total: number; imagesPerSec: number; etaSeconds: number }
  | { type: 'interpolate-progress'; done: number; total: number };

/** The listener a job is given; a job never depends on who listens. */
export type EmitJobEvent = (event: JobEvent) => void;

/** Options every job takes. */
export interface JobContext {
  signal?: AbortSignal;
  emit?: EmitJobEvent;
}

/** A no-op listener, so jobs can always call `emit`. */
export const ignoreEvents: EmitJobEvent = () => undefined;
