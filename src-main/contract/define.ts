/**
 * The building blocks of the contract: a request is a zod schema for its input plus a phantom type for its
 * result; an event is a zod schema for its payload. Nothing here imports Node or Electron, so the renderer, the
 * preload and the main side all compile it.
 */
import type { z } from 'zod';
import type { ErrorCode } from './errorCodes.js';

declare const resultType: unique symbol;

/** Carries a request's result type at the type level only. */
export interface Returns<T> {
  readonly [resultType]?: T;
}

/** `returns<T>()` marks a request's result type; it is an empty object at run time. */
export function returns<T>(): Returns<T> {
  return {};
}

/** One request: what the caller sends (validated where it enters the main side) and what it gets back. */
export interface RequestSpec {
  /** One line for the API docs. */
  doc: string;
  input: z.ZodType;
  result: Returns<unknown>;
}

/**
 * What crosses the boundary for every request. Expected failures are data, never thrown errors, because Electron
 * keeps only the message of a rejected `invoke`.
 */
export type ApiResult<T> = { ok: true; value: T } | ApiFailure;

/** An expected failure: a stable code the UI can branch on and a message that names the field or file and the cause. */
export interface ApiFailure {
  ok: false;
  code: ErrorCode;
  message: string;
}

/** The {@link ErrorCode}s the boundary itself produces, by name (the jobs add their own, e.g. NO_IMAGES, NOT_A_FOLDER). */
export const BOUNDARY_CODES = {
  /** The request name is not in the contract. */
  unknownRequest: 'UNKNOWN_REQUEST',
  /** The input failed its schema; the message names the field. */
  invalidInput: 'INVALID_INPUT',
  /** A job of this kind (or one that conflicts with it) is already running. */
  busy: 'BUSY',
  /** The request needs an open project. */
  noProject: 'NO_PROJECT',
  /** This host cannot do it (e.g. a native dialog in browser mode). */
  unsupported: 'UNSUPPORTED',
  /** A thrown error that was not expected: a bug, reported with its message. */
  internal: 'INTERNAL',
  /** The connection to the main side was lost. */
  disconnected: 'DISCONNECTED',
  /** Browser mode: the token is missing or wrong. */
  unauthorized: 'UNAUTHORIZED',
  /** A request arrived while the studio was closing. */
  shuttingDown: 'SHUTTING_DOWN',
} as const satisfies Record<string, ErrorCode>;

/** Turns a zod error into one line that names each bad field: `epochs: must be ≥ 1; beta: expected number`. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}
