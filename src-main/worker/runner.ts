import type { JobEvent } from '../jobs/index.js';
import type { WorkerJobKind, WorkerJobs } from './protocol.js';

/** A job running somewhere off the caller's thread. */
export interface RunningJob<R> {
  /**
   * Resolves with the job's result; rejects with a UserError (expected failure, with its code), a
   * CancelledError, or an Error for a bug or a crashed worker.
   */
  result: Promise<R>;
  /** Asks the job to stop after its current step; `result` settles once it has. */
  cancel(): void;
  /**
   * Asks a running long-lived job (the latent explorer) a question and resolves with its answer; rejects with
   * its failure, or once the job has ended. Absent where a runner cannot ask.
   */
  ask?(question: unknown): Promise<unknown>;
}

/**
 * Where jobs run. Under Node it is a `worker_threads` Worker per job; in Electron a `utilityProcess`; in tests it
 * may be the calling thread. The studio service only ever sees this interface.
 */
export interface JobRunner {
  start<K extends WorkerJobKind>(
    kind: K,
    input: WorkerJobs[K]['input'],
    onEvent: (event: JobEvent) => void,
  ): RunningJob<WorkerJobs[K]['result']>;
  /** Cancels every running job and waits for them to settle. */
  shutdown(): Promise<void>;
}

/**
 * Where a job's training should happen when not in its own worker: a port whose far end serves training (the
 * desktop app's hidden compute renderer), or null to train in the worker. Asked only for `train` and
 * `backend-info`; a rejection fails the job with that error.
 */
export type TrainingPortSource<P> = (
  kind: 'train' | 'backend-info',
  input: WorkerJobs['train']['input'] | WorkerJobs['backend-info']['input'],
) => Promise<P | null>;
