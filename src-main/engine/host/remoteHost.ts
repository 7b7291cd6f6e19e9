/**
 * The near side of a remote training host: a {@link TrainingHost} whose engine runs at the other end of an
 * endpoint (a hidden renderer, a browser page), driven by serveTraining there.
 */
import { fromErrorData } from '../../util/errorData.js';
import { log } from '../../util/log.js';
import type { HostEndpoint } from './endpoint.js';
import { hostClosed, isFromHost, isWholeBuffer, type FromHost, type ToHost } from './protocol.js';
import type { BackendInfo } from '../types.js';
import type { HostTrainHooks, HostTrainResult, TrainingHost, TrainRequest } from './types.js';

/** A remote host, which can also let go of its endpoint. */
export interface RemoteTrainingHost extends TrainingHost {
  /** Closes the endpoint; calls in flight reject with 'HOST_CLOSED'. Safe to call twice. */
  close(): void;
}

/** How one call in flight hears its answers. */
interface Pending {
  onMessage(message: FromHost): void;
  onClose(error: Error): void;
}

/**
 * A {@link TrainingHost} that forwards to `serveTraining` at the other end of `endpoint`.
 *
 * `train` hands the images' buffer over: moved where the endpoint can move buffers (the caller's
 * `request.images.pixels` is then detached), copied first when it is a view into a larger or shared buffer.
 * Weights come back with every epoch and at the end. Aborting the signal asks the far side to stop after its
 * current step. A failure at the far side rejects with its message and code; the endpoint closing rejects with
 * UserError 'HOST_CLOSED' ("the training host closed: …").
 */
export function remoteTrainingHost(endpoint: HostEndpoint): RemoteTrainingHost {
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let closedError: Error | null = null;

  const closeAll = (error: Error): void => {
    if (closedError !== null) return;
    closedError = error;
    const calls = [...pending.values()];
    pending.clear();
    for (const p of calls) p.onClose(error);
  };

  endpoint.subscribe({
    onMessage(message) {
      if (!isFromHost(message)) {
        log.warn('host', 'the training host sent a message outside its protocol', message);
        return;
      }
      pending.get(message.id)?.onMessage(message);
    },
    onClose: (reason) => closeAll(hostClosed(reason)),
  });

  /** Registers a call and sends its first message; rejects at once when the endpoint is gone. */
  const start = (id: number, calls: Pending, message: ToHost, transfer: ArrayBuffer[] = []): void => {
    if (closedError !== null) return calls.onClose(closedError);
    pending.set(id, calls);
    try {
      endpoint.postMessage(message, transfer);
    } catch (err) {
      pending.delete(id);
      calls.onClose(hostClosed(err instanceof Error ? err.message : String(err)));
    }
  };

  const send = (message: ToHost): void => {
    try {
      endpoint.postMessage(message);
    } catch {
      // The endpoint is closing; its close event settles the call.
    }
  };

  return {
    describe(preference?: string): Promise<BackendInfo> {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        start(
          id,
          {
            onMessage(message) {
              pending.delete(id);
              if (message.type === 'info') resolve(message.info);
              else if (message.type === 'failed') reject(fromErrorData(message.error));
              else reject(new Error(`the training host answered describe with ${message.type}`));
            },
            onClose: reject,
          },
          { type: 'describe', id, ...(preference !== undefined ? { backend: preference } : {}) },
        );
      });
    },

    train(request: TrainRequest, hooks: HostTrainHooks = {}): Promise<HostTrainResult> {
      const id = nextId++;
      const { signal } = hooks;
      return new Promise((resolve, reject) => {
        // The first error of this side's own listeners: the run is stopped and the caller gets this error.
        let listenerError: unknown = null;
        const onAbort = (): void => send({ type: 'cancel', id });
        const finish = (): void => {
          pending.delete(id);
          signal?.removeEventListener('abort', onAbort);
        };
        const listenerFailed = (err: unknown): void => {
          listenerError ??= err;
          send({ type: 'cancel', id });
        };
        const onEpoch = async (message: Extract<FromHost, { type: 'epoch' }>): Promise<void> => {
          let ok = listenerError === null;
          if (ok && hooks.onEpoch) {
            try {
              await hooks.onEpoch(message.metrics, message.preview, message.state, message.weights);
            } catch (err) {
              listenerFailed(err);
              ok = false;
            }
          }
          send({ type: 'epoch-done', id, ok });
        };
        const pixels = movablePixels(request.images.pixels);
        start(
          id,
          {
            onMessage(message) {
              switch (message.type) {
                case 'progress':
                  if (listenerError !== null) return;
                  try {
                    hooks.onProgress?.(message.progress);
                  } catch (err) {
                    listenerFailed(err);
                  }
                  return;
                case 'epoch':
                  void onEpoch(message);
                  return;
                case 'done':
                  finish();
                  if (listenerError !== null) reject(toError(listenerError));
                  else resolve(message.result);
                  return;
                case 'failed':
                  finish();
                  reject(listenerError !== null ? toError(listenerError) : fromErrorData(message.error));
                  return;
                default:
                  finish();
                  reject(new Error(`the training host answered train with ${message.type}`));
              }
            },
            onClose(error) {
              finish();
              reject(error);
            },
          },
          { type: 'train', id, request: { ...request, images: { ...request.images, pixels } } },
          [pixels.buffer],
        );
        if (signal?.aborted) onAbort();
        else signal?.addEventListener('abort', onAbort, { once: true });
      });
    },

    close() {
      closeAll(hostClosed('this side closed it'));
      endpoint.close();
    },
  };
}

/** The pixels themselves when they own their buffer, else a copy that does (a pool slice, a shared buffer). */
function movablePixels(pixels: Uint8Array): Uint8Array & { buffer: ArrayBuffer } {
  return isWholeBuffer(pixels) ? pixels : new Uint8Array(pixels);
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
