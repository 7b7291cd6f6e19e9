/**
 * Where long jobs run: the worker entry (jobWorker.ts, one job per worker), the runners that start it, and the
 * messages between them. The studio service only sees {@link JobRunner}.
 */
export type { JobRunner, RunningJob } from './runner.js';
export type {
  FromWorker,
  InterpolatePreviewInput,
  InterpolatePreviewResult,
  ToWorker,
  WorkerJobKind,
  WorkerJobs,
} from './protocol.js';
export { ThreadRunner, defaultWorkerFile, type ThreadRunnerOptions } from './threadRunner.js';
export { InlineRunner } from './inlineRunner.js';
export { toErrorData, fromErrorData, type ErrorData } from './errorData.js';
export { runWorkerJob, isWorkerJobKind } from './workerJobs.js';
export { runOverEndpoint, RunningJobs, type JobEndpoint } from './jobChannel.js';
