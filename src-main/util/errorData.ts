/**
 * Errors as data, for crossing a thread, process, port or socket (structured clone and JSON keep neither the class
 * nor `code`). Browser-safe: the compute page uses it too.
 */
import type { ErrorCode } from '../contract/errorCodes.js';
import { CancelledError, UserError } from './errors.js';

/** A flattened error: `code` is a UserError's code, 'CANCELLED', or absent for a bug (which keeps its stack). */
export interface ErrorData {
  name: string;
  code?: ErrorCode;
  message: string;
  stack?: string;
}

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
