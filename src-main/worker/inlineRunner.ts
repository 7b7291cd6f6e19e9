import type { JobEvent } from '../jobs/index.js';
import { CancelledError } from '../util/errors.js';
import type { WorkerJobKind, WorkerJobs } from './protocol.js';
import type { JobRunner, RunningJob } from './runner.js';
import { RunningJobs } from './jobChannel.js';
import { runWorkerJob } from './workerJobs.js';
import { Questions } from './questions.js';

/**
 * Runs jobs on the calling thread, behind the same interface as the worker runners: for tests (fast, no build
 * needed) and as a fallback where workers are unavailable. Training then blocks the thread between steps.
 */
export class InlineRunner implements JobRunner {
  private readonly running = new RunningJobs();

  start<K extends WorkerJobKind>(
    kind: K,
    input: WorkerJobs[K]['input'],
    onEvent: (event: JobEvent) => void,
  ): RunningJob<WorkerJobs[K]['result']> {
    const controller = new AbortController();
    const questions = new Questions();
    // Started on a later macrotask, as a worker would be, so the caller has its handle before any event.
    const result = new Promise<void>((r) => setImmediate(r))
      .then(() =>
        runWorkerJob(kind, input, {
          signal: controller.signal,
          emit: onEvent,
          onQuestion: questions.register,
        }),
      )
      .finally(() => questions.close());
    return this.running.track({
      result,
      cancel: () => controller.abort(new CancelledError()),
      ask: (question) => questions.ask(question),
    });
  }

  shutdown(): Promise<void> {
    return this.running.shutdown();
  }
}
