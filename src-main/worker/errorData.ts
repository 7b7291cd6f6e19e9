import { CancelledError, UserError } from '../util/errors.js';
import type { FromWorker } from './protocol.js';

/** How an error crosses a thread or process boundary (structured clone keeps neither class nor `code`). */
export type ErrorData = Extract<FromWorker, { type: 'failed' }>['error'];

/** Flattens an error to data: a UserError keeps its code, a CancelledError gets 'CANCELLED', a bug its stack. */
export function toErrorData(err: unknown): ErrorData {
  if (err instanceof CancelledError) return { name: err.name, code: err.code, message: err.message };
  if (err instanceof UserError) return { name: 'UserError', code: err.code, message: err.message };
  if (err instanceof Error) {
    return { name: err.name, message: err.message, ...(err.stack ? { stack: err.stack } : {}) };
  }
  return { name: 'Error', message: String(err) };
}

/** Rebuilds the error {@link toErrorData} flattened, so callers can tell expected failures from bugs again. */
export function fromErrorData(data: ErrorData): Error {
  if (data.code === 'CANCELLED') return new CancelledError(data.message);
  if (data.code !== undefined) return new UserError(data.code, data.message);
  const error = new Error(data.message);
  error.name = data.name;
  if (data.stack) error.stack = data.stack;
  return error;
}
