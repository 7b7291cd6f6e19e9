/**
 * The job worker's entry: one worker runs one job. It runs as a `worker_threads` Worker (Node, tests, browser
 * mode) or as an Electron utilityProcess (desktop); both speak the messages of protocol.ts.
 */
import { parentPort } from 'node:worker_threads';
import {
  portEndpoint,
  remoteTrainingHost,
  type MessagePortLike,
  type RemoteTrainingHost,
} from '../engine/host/index.js';
import { CancelledError } from '../util/errors.js';
import { toErrorData } from '../util/errorData.js';
import { fsFailure } from '../util/fsErrors.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { isWorkerJobKind, runWorkerJob } from './workerJobs.js';
import { Questions } from './questions.js';

/** The parent side as either host offers it. */
interface ParentChannel {
  /** `host` is the training host behind a port sent with the message, if any. */
  listen(listener: (message: ToWorker, host: RemoteTrainingHost | undefined) => void): void;
  post(message: FromWorker): void;
  /** Stops listening, so the worker can end once idle. */
  close(): void;
}

/** Electron's `process.parentPort` in a utilityProcess: its 'message' events carry `{ data }`. */
interface UtilityParentPort {
  on(event: 'message', listener: (event: { data: unknown; ports?: MessagePortLike[] }) => void): unknown;
  removeAllListeners(event: 'message'): unknown;
  postMessage(message: unknown): void;
}

function connectToParent(): ParentChannel {
  // Checked at run time so that this file needs no electron import and runs under plain Node as well.
  const utility = (process as NodeJS.Process & { parentPort?: UtilityParentPort }).parentPort;
  if (utility && typeof utility.postMessage === 'function') {
    return {
      listen: (listener) =>
        utility.on('message', (event) => {
          // Electron's MessagePortMain: listeners get events with `data`, and it cannot move ArrayBuffers.
          const port = event.ports?.[0] as unknown as MessagePortLike | undefined;
          const endpoint = port
            ? portEndpoint(port, { name: 'training port', emitterMessages: 'event', transfersBuffers: false })
            : undefined;
          listener(event.data as ToWorker, endpoint ? remoteTrainingHost(endpoint) : undefined);
        }),
      post: (message) => utility.postMessage(message),
      close: () => utility.removeAllListeners('message'),
    };
  }
  const port = parentPort;
  if (port) {
    return {
      listen: (listener) =>
        port.on('message', (message: ToWorker) => {
          const sent =
            message.type === 'run' ? (message.trainingPort as MessagePortLike | undefined) : undefined;
          listener(
            message,
            sent ? remoteTrainingHost(portEndpoint(sent, { name: 'training port' })) : undefined,
          );
        }),
      post: (message) => port.postMessage(message),
      close: () => port.removeAllListeners('message'),
    };
  }
  throw new Error('jobWorker.js must run as a worker_threads Worker or an Electron utilityProcess');
}

const parent = connectToParent();
const controller = new AbortController();
const questions = new Questions();
let started = false;

parent.listen((message, host) => {
  if (message.type === 'cancel') {
    controller.abort(new CancelledError());
    return;
  }
  if (message.type === 'ask') {
    const { id } = message;
    questions.ask(message.question).then(
      (value) => parent.post({ type: 'answer', id, value }),
      (err: unknown) => parent.post({ type: 'answer', id, error: toErrorData(fsFailure(err)) }),
    );
    return;
  }
  if (message.type !== 'run' || started) return;
  started = true;
  void runJob(message.kind, message.input, host);
});

async function runJob(kind: unknown, input: unknown, host: RemoteTrainingHost | undefined): Promise<void> {
  let final: FromWorker;
  try {
    if (!isWorkerJobKind(kind)) throw new Error(`the job worker cannot run a job of kind ${String(kind)}`);
    const result = await runWorkerJob(kind, input as never, {
      signal: controller.signal,
      emit: (event) => parent.post({ type: 'event', event }),
      onQuestion: questions.register,
      ...(host ? { host } : {}),
    });
    final = { type: 'done', result };
  } catch (err) {
    // Classified here: the errno fields (code, syscall, path) do not survive the trip as data.
    final = { type: 'failed', error: toErrorData(fsFailure(err)) };
  }
  questions.close();
  // The compute host stays up for the next job; only this job's channel to it ends.
  host?.close();
  parent.post(final);
  parent.close();
}
