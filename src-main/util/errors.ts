import type { ErrorCode } from '../contract/errorCodes.js';

/**
 * An expected failure the user can act on (bad input, missing file, diverged training). It carries a stable
 * `code` so the CLI, the IPC boundary and tests can tell causes apart; anything else thrown is a bug.
 */
export class UserError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** Thrown when a job is cancelled through its AbortSignal; callers treat it as a clean stop, not a failure. */
export class CancelledError extends Error {
  readonly code = 'CANCELLED' satisfies ErrorCode;
  constructor(message = 'cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

/** Throws {@link CancelledError} if `signal` has been aborted. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}
