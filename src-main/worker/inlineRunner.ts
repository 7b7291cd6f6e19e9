import type { JobEvent } from '../jobs/index.js';
import { CancelledError } from '../util/errors.js';
import type { WorkerJobKind, WorkerJobs } from './protocol.js';
import type { JobRunner, RunningJob } from './runner.js';
import { runWorkerJob } from './workerJobs.js';

/**
 * Runs jobs on the calling thread, behind the same interface as the worker runners: for tests (fast, no build
 * needed) and as a fallback where workers are unavailable. Training then blocks the thread between steps.
 */
export class InlineRunner implements JobRunner {
  private readonly running = new Set<RunningJob<unknown>>();

  start<K extends WorkerJobKind>(
    kind: K,
    input: WorkerJobs[K]['input'],
    onEvent: (event: JobEvent) => void,
  ): RunningJob<WorkerJobs[K]['result']> {
    const controller = new AbortController();
    // Started on a later macrotask, as a worker would be, so the caller has its handle before any event.
    const result = new Promise<void>((r) => setImmediate(r)).then(() =>
      runWorkerJob(kind, input, { signal: controller.signal, emit: onEvent }),
    );
    const job: RunningJob<WorkerJobs[K]['result']> = {
      result,
      cancel: () => controller.abort(new CancelledError()),
    };
    this.running.add(job);
    const forget = () => this.running.delete(job);
    result.then(forget, forget);
    return job;
  }

  async shutdown(): Promise<void> {
    const jobs = [...this.running];
    for (const job of jobs) job.cancel();
    await Promise.allSettled(jobs.map((job) => job.result));
  }
}
