/**
 * A `JobRunner` that runs each job in its own process (an Electron `utilityProcess` of
 * out/main/worker/jobWorker.js), speaking the worker protocol: `run`, maybe `cancel`, then events and exactly one
 * `done` or `failed`. The process is forked by a function it is given, so this runs (and is tested) without
 * Electron.
 */
import type { JobEvent } from '../jobs/index.js';
import { runOverEndpoint, RunningJobs, type JobEndpoint } from '../worker/jobChannel.js';
import type { ToWorker, WorkerJobKind, WorkerJobs } from '../worker/protocol.js';
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

/** Creates the runner; its `shutdown` cancels every running job and waits for each to settle. */
export function createUtilityProcessRunner(options: UtilityProcessRunnerOptions): JobRunner {
  const cancelTimeoutMs = options.cancelTimeoutMs ?? 60_000;
  const running = new RunningJobs();

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
    const endpoint: JobEndpoint = {
      post: (message) => child.postMessage(message),
      listen: (onMessage, onEnd) => {
        child.on('message', onMessage);
        child.on('exit', (code) =>
          onEnd(new Error(`the ${kind} job's process exited with code ${code} before it answered`)),
        );
      },
      stop: () => void child.kill(),
    };
    return running.track(runOverEndpoint(kind, input, onEvent, endpoint, cancelTimeoutMs));
  }

  return { start, shutdown: () => running.shutdown() };
}
