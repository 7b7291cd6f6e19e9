import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { JobEvent } from '../jobs/index.js';
import { CancelledError, UserError } from '../util/errors.js';
import { fromErrorData } from './errorData.js';
import type { FromWorker, ToWorker, WorkerJobKind, WorkerJobs } from './protocol.js';
import type { JobRunner, RunningJob } from './runner.js';

export interface ThreadRunnerOptions {
  /** The compiled worker entry; default {@link defaultWorkerFile}. */
  workerFile?: string;
  /**
   * After a cancel, how long a job may take to reach a safe stop before its worker is terminated (the job
   * then rejects with a CancelledError). Checkpoints and written files are atomic, so a kill leaves them whole.
   * Default 60 s; `Infinity` waits for ever.
   */
  cancelTimeoutMs?: number;
}

/**
 * Where the compiled worker is: beside this file when it runs from `out/main/worker/`, else (running from the
 * TypeScript sources, e.g. under vitest) `<repo>/out/main/worker/jobWorker.js`.
 */
export function defaultWorkerFile(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const sibling = join(here, 'jobWorker.js');
  if (existsSync(sibling)) return sibling;
  return resolve(here, '..', '..', 'out', 'main', 'worker', 'jobWorker.js');
}

/** Runs each job in its own `worker_threads` Worker, so tfjs and sharp never block the caller's thread. */
export class ThreadRunner implements JobRunner {
  private readonly workerFile: string;
  private readonly cancelTimeoutMs: number;
  private readonly running = new Set<RunningJob<unknown>>();

  constructor(options: ThreadRunnerOptions = {}) {
    this.workerFile = options.workerFile ?? defaultWorkerFile();
    this.cancelTimeoutMs = options.cancelTimeoutMs ?? 60_000;
  }

  start<K extends WorkerJobKind>(
    kind: K,
    input: WorkerJobs[K]['input'],
    onEvent: (event: JobEvent) => void,
  ): RunningJob<WorkerJobs[K]['result']> {
    if (!existsSync(this.workerFile)) {
      const error = new UserError(
        'WORKER_MISSING',
        `the job worker ${this.workerFile} does not exist; run npm run build`,
      );
      return { result: Promise.reject(error), cancel: () => undefined };
    }
    const worker = new Worker(this.workerFile);
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    let settle!: (outcome: { value: unknown } | { error: Error }) => void;
    const result = new Promise<WorkerJobs[K]['result']>((resolvePromise, rejectPromise) => {
      settle = (outcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(killTimer);
        if ('error' in outcome) rejectPromise(outcome.error);
        else resolvePromise(outcome.value as WorkerJobs[K]['result']);
        // The job has answered; nothing it still holds (tfjs, sharp's pool) is worth waiting for.
        void worker.terminate();
      };
    });
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'event') onEvent(message.event);
      else if (message.type === 'done') settle({ value: message.result });
      else if (message.type === 'failed') settle({ error: fromErrorData(message.error) });
    });
    worker.on('error', (err) => {
      settle({ error: new Error(`the ${kind} job worker crashed: ${err.message}`, { cause: err }) });
    });
    worker.on('exit', (code) => {
      settle({ error: new Error(`the ${kind} job worker exited with code ${code} before answering`) });
    });
    const post = (message: ToWorker) => worker.postMessage(message);
    post({ type: 'run', kind, input });

    const job: RunningJob<WorkerJobs[K]['result']> = {
      result,
      cancel: () => {
        if (settled) return;
        post({ type: 'cancel' });
        if (killTimer !== undefined || !Number.isFinite(this.cancelTimeoutMs)) return;
        killTimer = setTimeout(() => {
          const ms = this.cancelTimeoutMs;
          const grace = ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
          settle({ error: new CancelledError(`the ${kind} job did not stop within ${grace} and was ended`) });
        }, this.cancelTimeoutMs);
      },
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
