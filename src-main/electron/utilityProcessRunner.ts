/**
 * A `JobRunner` that runs each job in its own process (an Electron `utilityProcess` of
 * out/main/worker/jobWorker.js), speaking the worker protocol: `run`, maybe `cancel`, then events and exactly one
 * `done` or `failed`. The process is forked by a function it is given, so this runs (and is tested) without
 * Electron.
 */
import type { JobEvent } from '../jobs/index.js';
import {
  runOverEndpoint,
  RunningJobs,
  startWithTrainingPort,
  type JobEndpoint,
} from '../worker/jobChannel.js';
import type { ToWorker, WorkerJobKind, WorkerJobs } from '../worker/protocol.js';
import type { JobRunner, RunningJob, TrainingPortSource } from '../worker/runner.js';

/** The part of Electron's `MessagePortMain` the runner handles: it only passes the port on. */
export interface TransferablePort {
  close(): void;
}

/** The part of Electron's `UtilityProcess` the runner uses. */
export interface JobProcess {
  /** Electron's signature: `transfer` holds MessagePortMain objects, which arrive as the event's `ports`. */
  postMessage(message: ToWorker, transfer?: TransferablePort[]): void;
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
  /**
   * Where `train` trains and what `backend-info` describes when not the job process's own backend: a
   * MessagePortMain whose far end is the hidden compute renderer (computeWindow.ts), or null.
   */
  trainingPort?: TrainingPortSource<TransferablePort>;
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
    return running.track(
      startWithTrainingPort(kind, input, options.trainingPort, (port) =>
        startProcess(kind, input, onEvent, port),
      ),
    );
  }

  function startProcess<K extends WorkerJobKind>(
    kind: K,
    input: WorkerJobs[K]['input'],
    onEvent: (event: JobEvent) => void,
    port: TransferablePort | null,
  ): RunningJob<WorkerJobs[K]['result']> {
    let child: JobProcess;
    try {
      child = options.fork(kind);
    } catch (error) {
      port?.close();
      const failure = new Error(`the ${kind} job's process could not start: ${String(error)}`, {
        cause: error,
      });
      return { result: Promise.reject(failure), cancel: () => undefined };
    }
    const endpoint: JobEndpoint = {
      // The port travels beside the message (Electron's transfer list), never inside it.
      post: (message) =>
        message.type === 'run' && port !== null
          ? child.postMessage(message, [port])
          : child.postMessage(message),
      listen: (onMessage, onEnd) => {
        child.on('message', onMessage);
        child.on('exit', (code) =>
          onEnd(new Error(`the ${kind} job's process exited with code ${code} before it answered`)),
        );
      },
      stop: () => void child.kill(),
    };
    return runOverEndpoint(kind, input, onEvent, endpoint, cancelTimeoutMs);
  }

  return { start, shutdown: () => running.shutdown() };
}
