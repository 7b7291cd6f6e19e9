/**
 * A `JobRunner` that runs each job in its own process (an Electron `utilityProcess` of
 * out/main/worker/jobWorker.js), speaking the worker protocol: `run`, maybe `cancel`, then events and exactly one
 * `done` or `failed`. The process is forked by a function it is given, so this runs (and is tested) without
 * Electron.
 */
import type { JobEvent } from '../jobs/index.js';
import { CancelledError } from '../util/errors.js';
import { fromErrorData } from '../worker/errorData.js';
import type { FromWorker, ToWorker, WorkerJobKind, WorkerJobs } from '../worker/protocol.js';
import type { JobRunner, RunningJob } from '../worker/runner.js';

/** The part of Electron's `UtilityProcess` the runner uses. */
export interface JobProcess {
  postMessage(message: ToWorker): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  kill(): boolean;
}

export interface UtilityProcessRunnerOptions {
  /** Starts one job process; `kind` names it in the OS's process list. */
  fork(kind: WorkerJobKind): JobProcess;
  /**
   * After a cancel, how long a job may take to reach a safe stop before its process is ended (the job then
   * rejects with a CancelledError). Checkpoints and written files are atomic, so a kill leaves them whole.
   * Default 60 s, as the worker_threads runner.
   */
  cancelTimeoutMs?: number;
}

function isFromWorker(message: unknown): message is FromWorker {
  if (typeof message !== 'object' || message === null) return false;
  const type = (message as { type?: unknown }).type;
  return type === 'event' || type === 'done' || type === 'failed';
}

/** Creates the runner; its `shutdown` cancels every running job and waits for each to settle. */
export function createUtilityProcessRunner(options: UtilityProcessRunnerOptions): JobRunner {
  const cancelTimeoutMs = options.cancelTimeoutMs ?? 60_000;
  const running = new Set<RunningJob<unknown>>();

  function start<K extends WorkerJobKind>(
    kind: K,
    input: WorkerJobs[K]['input'],
    onEvent: (event: JobEvent) => void,
  ): RunningJob<WorkerJobs[K]['result']> {
    let child: JobProcess;
    try {
      child = options.fork(kind);
    } catch (error) {
      const failure = new Error(`the ${kind} job's process could not start: ${String(error)}`, {
        cause: error,
      });
      return { result: Promise.reject(failure), cancel: () => undefined };
    }

    let settled = false;
    let cancelRequested = false;
    let killTimer: ReturnType<typeof setTimeout> | undefined;
    let settle!: (outcome: { value: unknown } | { error: Error }) => void;
    const result = new Promise<WorkerJobs[K]['result']>((resolve, reject) => {
      settle = (outcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(killTimer);
        if ('error' in outcome) reject(outcome.error);
        else resolve(outcome.value as WorkerJobs[K]['result']);
        // The job has answered; nothing its process still holds (tfjs, sharp's pool) is worth waiting for.
        child.kill();
      };
    });

    child.on('message', (message) => {
      if (settled) return;
      if (!isFromWorker(message)) {
        console.warn(`The ${kind} job's process sent a message outside the protocol:`, message);
      } else if (message.type === 'event') {
        try {
          onEvent(message.event);
        } catch (error) {
          console.error(`A listener of the ${kind} job's events threw:`, error);
        }
      } else if (message.type === 'done') {
        settle({ value: message.result });
      } else {
        settle({ error: fromErrorData(message.error) });
      }
    });
    child.on('exit', (code) => {
      settle({ error: new Error(`the ${kind} job's process exited with code ${code} before it answered`) });
    });
    child.postMessage({ type: 'run', kind, input });

    const job: RunningJob<WorkerJobs[K]['result']> = {
      result,
      cancel() {
        if (settled || cancelRequested) return;
        cancelRequested = true;
        child.postMessage({ type: 'cancel' });
        if (!Number.isFinite(cancelTimeoutMs)) return;
        killTimer = setTimeout(() => {
          const seconds = Math.round(cancelTimeoutMs / 1000);
          settle({
            error: new CancelledError(`the ${kind} job did not stop within ${seconds} s and was ended`),
          });
        }, cancelTimeoutMs);
      },
    };
    running.add(job);
    const forget = (): void => void running.delete(job);
    result.then(forget, forget);
    return job;
  }

  return {
    start,
    async shutdown() {
      const jobs = [...running];
      for (const job of jobs) job.cancel();
      await Promise.allSettled(jobs.map((job) => job.result));
    },
  };
}
