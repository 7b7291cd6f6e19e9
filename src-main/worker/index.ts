/**
 * Where long jobs run: the worker entry (jobWorker.ts, one job per worker), the runners that start it, and the
 * messages between them. The studio service only sees {@link JobRunner}.
 */
export type { JobRunner, RunningJob, TrainingPortSource } from './runner.js';
export type { FromWorker, ToWorker, WorkerJobKind, WorkerJobs } from './protocol.js';
export { ThreadRunner, defaultWorkerFile, type ThreadRunnerOptions } from './threadRunner.js';
export { InlineRunner } from './inlineRunner.js';
export { runWorkerJob, isWorkerJobKind, type WorkerJobContext } from './workerJobs.js';
export { runOverEndpoint, RunningJobs, startWithTrainingPort, type JobEndpoint } from './jobChannel.js';
