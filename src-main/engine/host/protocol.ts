/**
 * The messages between a remote training host's two sides. The near side (remoteTrainingHost, on the main
 * side) asks; the far side (serveTraining, where the engine runs) answers. Every request carries an `id` its
 * answers repeat, so a describe may cross a running training.
 *
 *   near → far: describe, train, cancel, epoch-done (the near side has handled an epoch; training goes on)
 *   far → near: info (answers describe), progress, epoch (then waits for epoch-done), done, failed
 *
 * Errors cross as data: `code` is a UserError's code (or 'CANCELLED'), absent for a bug.
 */
import type { ErrorData } from '../../util/errorData.js';
import { UserError } from '../../util/errors.js';
import type {
  BackendInfo,
  EpochMetrics,
  EpochPreview,
  NamedArray,
  TrainerState,
  TrainProgress,
} from '../types.js';
import type { HostTrainResult, TrainRequest } from './types.js';

/** The message an Electron preload posts to the compute page's window, with the training port in `ports[0]`. */
export const TRAINING_PORT_MESSAGE = 'vae-studio:training-port';

/** An error as data (util/errorData.ts). */
export type HostErrorData = ErrorData;

/** Near side → far side. */
export type ToHost =
  | { type: 'describe'; id: number; backend?: string }
  | { type: 'train'; id: number; request: TrainRequest }
  | { type: 'cancel'; id: number }
  | { type: 'epoch-done'; id: number; ok: boolean };

/** Far side → near side. */
export type FromHost =
  | { type: 'info'; id: number; info: BackendInfo }
  | { type: 'progress'; id: number; progress: TrainProgress }
  | {
      type: 'epoch';
      id: number;
      metrics: EpochMetrics;
      preview: EpochPreview;
      state: TrainerState;
      weights: NamedArray[];
    }
  | { type: 'done'; id: number; result: HostTrainResult }
  | { type: 'failed'; id: number; error: HostErrorData };

const TO_HOST = new Set(['describe', 'train', 'cancel', 'epoch-done']);
const FROM_HOST = new Set(['info', 'progress', 'epoch', 'done', 'failed']);

function hasTypeAndId(message: unknown, types: Set<string>): boolean {
  if (typeof message !== 'object' || message === null) return false;
  const { type, id } = message as { type?: unknown; id?: unknown };
  return typeof type === 'string' && types.has(type) && typeof id === 'number';
}

/** True when `message` has the type and id of a near → far message (its body is checked where it is used). */
export function isToHost(message: unknown): message is ToHost {
  return hasTypeAndId(message, TO_HOST);
}

/** True when `message` has the type and id of a far → near message. */
export function isFromHost(message: unknown): message is FromHost {
  return hasTypeAndId(message, FROM_HOST);
}

/** The error every pending call of a remote host rejects with when its channel goes away. */
export function hostClosed(reason: string): UserError {
  return new UserError('HOST_CLOSED', `the training host closed: ${reason}`);
}

/**
 * The buffers of `arrays` that can be moved rather than copied: each array must cover its whole, ordinary
 * (not shared) ArrayBuffer, or moving it would take memory the sender still uses.
 */
export function movableBuffers(arrays: Iterable<ArrayBufferView>): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const a of arrays) {
    if (isWholeBuffer(a)) out.add(a.buffer);
  }
  return [...out];
}

/** True when `a` covers all of an ordinary ArrayBuffer. */
export function isWholeBuffer(a: ArrayBufferView): a is ArrayBufferView & { buffer: ArrayBuffer } {
  return a.buffer instanceof ArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength;
}
