/**
 * The job worker's entry: one worker runs one job. It runs as a `worker_threads` Worker (Node, tests, browser
 * mode) or as an Electron utilityProcess (desktop); both speak the messages of protocol.ts.
 */
import { parentPort } from 'node:worker_threads';
import { CancelledError } from '../util/errors.js';
import { toErrorData } from './errorData.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { isWorkerJobKind, runWorkerJob } from './workerJobs.js';

/** The parent side as either host offers it. */
interface ParentChannel {
  listen(listener: (message: ToWorker) => void): void;
  post(message: FromWorker): void;
  /** Stops listening, so the worker can end once idle. */
  close(): void;
}

/** Electron's `process.parentPort` in a utilityProcess: its 'message' events carry `{ data }`. */
interface UtilityParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  removeAllListeners(event: 'message'): unknown;
  postMessage(message: unknown): void;
}

function connectToParent(): ParentChannel {
  // Checked at run time so that this file needs no electron import and runs under plain Node as well.
  const utility = (process as NodeJS.Process & { parentPort?: UtilityParentPort }).parentPort;
  if (utility && typeof utility.postMessage === 'function') {
    return {
      listen: (listener) => utility.on('message', (event) => listener(event.data as ToWorker)),
      post: (message) => utility.postMessage(message),
      close: () => utility.removeAllListeners('message'),
    };
  }
  const port = parentPort;
  if (port) {
    return {
      listen: (listener) => port.on('message', (message: ToWorker) => listener(message)),
      post: (message) => port.postMessage(message),
      close: () => port.removeAllListeners('message'),
    };
  }
  throw new Error('jobWorker.js must run as a worker_threads Worker or an Electron utilityProcess');
}

const parent = connectToParent();
const controller = new AbortController();
let started = false;

parent.listen((message) => {
  if (message.type === 'cancel') {
    controller.abort(new CancelledError());
    return;
  }
  if (message.type !== 'run' || started) return;
  started = true;
  void runJob(message.kind, message.input);
});

async function runJob(kind: unknown, input: unknown): Promise<void> {
  let final: FromWorker;
  try {
    if (!isWorkerJobKind(kind)) throw new Error(`the job worker cannot run a job of kind ${String(kind)}`);
    const result = await runWorkerJob(kind, input as never, {
      signal: controller.signal,
      emit: (event) => parent.post({ type: 'event', event }),
    });
    final = { type: 'done', result };
  } catch (err) {
    final = { type: 'failed', error: toErrorData(err) };
  }
  parent.post(final);
  parent.close();
}
