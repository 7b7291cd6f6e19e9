/**
 * The far side of a remote training host: answers describe/train/cancel over an endpoint by driving a local
 * host. It runs where the engine should (the hidden renderer, a browser page, a worker) and owns no files.
 */
import { UserError } from '../../util/errors.js';
import type { ImageBatch, NamedArray } from '../types.js';
import { log } from '../../util/log.js';
import type { HostEndpoint } from './endpoint.js';
import { toErrorData } from '../../util/errorData.js';
import { isToHost, movableBuffers, type FromHost, type ToHost } from './protocol.js';
import type { TrainingHost, TrainRequest } from './types.js';

/** One training in progress: its cancel and, while an epoch is with the near side, the wait for its answer. */
interface Run {
  controller: AbortController;
  epochAnswer: ((ok: boolean) => void) | null;
}

/**
 * Serves `host` over `endpoint` until {@link stop} is called or the endpoint closes; either aborts the runs in
 * progress (they stop after their current step, and nobody hears the answer).
 *
 * @returns stop: stops serving, without closing the endpoint.
 */
export function serveTraining(endpoint: HostEndpoint, host: TrainingHost): () => void {
  const runs = new Map<number, Run>();
  let stopped = false;

  const post = (message: FromHost, transfer: ArrayBuffer[] = []): void => {
    if (stopped) return;
    try {
      endpoint.postMessage(message, transfer);
    } catch (err) {
      // The near side is gone; its close event ends the runs.
      log.warn('host', `the training host could not answer ${message.type}`, err);
    }
  };

  const abortAll = (): void => {
    for (const run of runs.values()) {
      run.controller.abort();
      run.epochAnswer?.(false);
    }
  };

  const train = async (id: number, request: TrainRequest): Promise<void> => {
    const run: Run = { controller: new AbortController(), epochAnswer: null };
    runs.set(id, run);
    try {
      checkTrainRequest(request);
      const result = await host.train(request, {
        signal: run.controller.signal,
        onProgress: (progress) => post({ type: 'progress', id, progress }),
        onEpoch: async (metrics, preview, state, weights) => {
          const answered = new Promise<boolean>((resolve) => (run.epochAnswer = resolve));
          // Weights and previews are fresh copies: moved. The state's optimizer arrays stay with the trainer.
          post(
            { type: 'epoch', id, metrics, preview, state, weights },
            movableBuffers([
              ...weights.map((w) => w.values),
              preview.samples.pixels,
              preview.reconstructions.pixels,
            ]),
          );
          const ok = await answered;
          run.epochAnswer = null;
          // The near side's listener failed (its error is what the caller sees) or the run was aborted.
          if (!ok) throw new UserError('CANCELLED_BY_CALLER', 'the caller stopped the run after an epoch');
        },
      });
      post({ type: 'done', id, result }, movableBuffers(result.weights.map((w) => w.values)));
    } catch (err) {
      post({ type: 'failed', id, error: toErrorData(err) });
    } finally {
      runs.delete(id);
    }
  };

  const onMessage = (message: unknown): void => {
    if (!isToHost(message)) {
      log.warn('host', 'the training host got a message outside its protocol', message);
      return;
    }
    handle(message);
  };

  const handle = (message: ToHost): void => {
    switch (message.type) {
      case 'describe':
        host.describe(message.backend).then(
          (info) => post({ type: 'info', id: message.id, info }),
          (err: unknown) => post({ type: 'failed', id: message.id, error: toErrorData(err) }),
        );
        return;
      case 'train':
        void train(message.id, message.request);
        return;
      case 'cancel':
        runs.get(message.id)?.controller.abort();
        return;
      case 'epoch-done':
        runs.get(message.id)?.epochAnswer?.(message.ok === true);
        return;
    }
  };

  const unsubscribe = endpoint.subscribe({
    onMessage,
    onClose: () => {
      abortAll();
      stopped = true;
    },
  });
  return () => {
    if (stopped) return;
    abortAll();
    stopped = true;
    unsubscribe();
  };
}

/**
 * What crossed the channel has the shape the engine expects. The engine checks the values themselves (sizes,
 * ranges, weight shapes); this catches what would otherwise surface as a TypeError deep inside it.
 * @throws UserError 'INVALID_REQUEST' naming the first field that is wrong.
 */
function checkTrainRequest(request: TrainRequest): void {
  const invalid = (what: string): never => {
    throw new UserError('INVALID_REQUEST', `the training request's ${what}`);
  };
  if (typeof request !== 'object' || request === null) invalid('body is missing');
  if (typeof request.config !== 'object' || request.config === null) invalid('config is missing');
  if (typeof request.options !== 'object' || request.options === null) invalid('options are missing');
  checkImages(request.images, invalid);
  if (request.weights !== undefined) checkArrays(request.weights, 'weights', invalid);
  if (request.state !== undefined) {
    if (typeof request.state !== 'object' || request.state === null) invalid('state is not an object');
    if (!Array.isArray(request.state.history)) invalid('state has no history');
    checkArrays(request.state.optimizer, 'state.optimizer', invalid);
  }
  if (request.backend !== undefined && typeof request.backend !== 'string')
    invalid('backend is not a string');
}

function checkImages(images: ImageBatch, invalid: (what: string) => never): void {
  if (typeof images !== 'object' || images === null) invalid('images are missing');
  if (!(images.pixels instanceof Uint8Array)) invalid('images.pixels is not a Uint8Array');
  for (const key of ['count', 'size', 'channels'] as const) {
    if (!Number.isInteger(images[key]) || images[key] < 0) invalid(`images.${key} is not a whole number`);
  }
  // A conditional model's classes travel with the images (copied: they are small).
  if (images.labels !== undefined && !(images.labels instanceof Uint16Array))
    invalid('images.labels is not a Uint16Array');
}

function checkArrays(arrays: NamedArray[], what: string, invalid: (what: string) => never): void {
  if (!Array.isArray(arrays)) invalid(`${what} is not a list`);
  arrays.forEach((a, i) => {
    if (typeof a?.name !== 'string' || !Array.isArray(a.shape) || !(a.values instanceof Float32Array)) {
      invalid(`${what}[${i}] is not { name, shape, values: Float32Array }`);
    }
  });
}
