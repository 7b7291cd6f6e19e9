import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type MessagePort } from 'node:worker_threads';
import type { JobEvent } from '../jobs/index.js';
import { UserError } from '../util/errors.js';
import { runOverEndpoint, RunningJobs, startWithTrainingPort, type JobEndpoint } from './jobChannel.js';
import type { WorkerJobKind, WorkerJobs } from './protocol.js';
import type { JobRunner, RunningJob, TrainingPortSource } from './runner.js';

export interface ThreadRunnerOptions {
  /** The compiled worker entry; default {@link defaultWorkerFile}. */
  workerFile?: string;
  /**
   * After a cancel, how long a job may take to reach a safe stop before its worker is terminated (the job
   * then rejects with a CancelledError). Checkpoints and written files are atomic, so a kill leaves them whole.
   * Default 60 s; `Infinity` waits for ever.
   */
  cancelTimeoutMs?: number;
  /** Where training happens instead of in the job's worker (a port served by `serveTraining`); default: there. */
  trainingPort?: TrainingPortSource<MessagePort>;
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
  private readonly trainingPort: TrainingPortSource<MessagePort> | undefined;
  private readonly running = new RunningJobs();

  constructor(options: ThreadRunnerOptions = {}) {
    this.workerFile = options.workerFile ?? defaultWorkerFile();
    this.cancelTimeoutMs = options.cancelTimeoutMs ?? 60_000;
    this.trainingPort = options.trainingPort;
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
    const job = startWithTrainingPort(kind, input, this.trainingPort, (port) =>
      this.startWorker(kind, input, onEvent, port),
    );
    return this.running.track(job);
  }

  private startWorker<K extends WorkerJobKind>(
    kind: K,
    input: WorkerJobs[K]['input'],
    onEvent: (event: JobEvent) => void,
    port: MessagePort | null,
  ): RunningJob<WorkerJobs[K]['result']> {
    const worker = new Worker(this.workerFile);
    const endpoint: JobEndpoint = {
      post: (message) => worker.postMessage(message, message.type === 'run' && port !== null ? [port] : []),
      listen: (onMessage, onEnd) => {
        worker.on('message', onMessage);
        worker.on('error', (err) =>
          onEnd(new Error(`the ${kind} job worker crashed: ${err.message}`, { cause: err })),
        );
        worker.on('exit', (code) =>
          onEnd(new Error(`the ${kind} job worker exited with code ${code} before answering`)),
        );
      },
      stop: () => void worker.terminate(),
    };
    return runOverEndpoint(kind, input, onEvent, endpoint, this.cancelTimeoutMs, port);
  }

  shutdown(): Promise<void> {
    return this.running.shutdown();
  }
}
