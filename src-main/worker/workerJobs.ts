import type { TrainingHost } from '../engine/host/index.js';
import {
  runGeneration,
  runImport,
  runInterpolation,
  runInterpolationPreview,
  runMap,
  runQuality,
  runReconstruction,
  runTraining,
  nodeTrainingHost,
  runOutliers,
  runTraversal,
  runExplorer,
  type JobContext,
} from '../jobs/index.js';
import type { WorkerJobKind, WorkerJobs } from './protocol.js';

/** What a job gets from its worker: the signal and the event sink, and the training host when one was sent. */
export interface WorkerJobContext extends JobContext {
  /** Where `train` trains and what `backend-info` describes; absent: this process's own backend. */
  host?: TrainingHost;
}

type JobFunctions = {
  [K in WorkerJobKind]: (
    input: WorkerJobs[K]['input'],
    ctx: WorkerJobContext,
  ) => Promise<WorkerJobs[K]['result']>;
};

/** What each job kind runs; a kind added to the protocol without an entry here is a compile error. */
const jobFunctions: JobFunctions = {
  import: runImport,
  train: runTraining,
  generate: runGeneration,
  interpolate: runInterpolation,
  quality: runQuality,
  'interpolate-preview': runInterpolationPreview,
  reconstruct: runReconstruction,
  outliers: runOutliers,
  traverse: runTraversal,
  explorer: runExplorer,
  map: runMap,
  'backend-info': (input, ctx) =>
    (ctx.host ?? nodeTrainingHost()).describe(input.preference),
};

/** True when `kind` names a job this worker can run (messages arrive untyped). */
export function isWorkerJobKind(kind: unknown): kind is WorkerJobKind {
  return typeof kind === 'string' && Object.hasOwn(jobFunctions, kind);
}

/** Runs one job on the calling thread: the body of a job worker and of the inline runner. */
export function runWorkerJob<K extends WorkerJobKind>(
  kind: K,
  input: WorkerJobs[K]['input'],
  ctx: WorkerJobContext,
): Promise<WorkerJobs[K]['result']> {
  // TypeScript cannot correlate the table's entry with K, so the lookup is narrowed by hand.
  const run = jobFunctions[kind] as (
    input: WorkerJobs[K]['input'],
    ctx: WorkerJobContext,
  ) => Promise<WorkerJobs[K]['result']>;
  return run(input, ctx);
}
