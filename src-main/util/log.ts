/**
 * The main side's one logger: lines for whoever runs the app (a terminal, Electron's log), never a user's
 * command output, which goes through the CLI reporter. Every line reads `vae-studio [scope]: message`, with the
 * error (or stray value) after it when there is one. Browser-safe: the engine's hosts and the preload use it too.
 */

/** Where a line comes from, e.g. 'studio', 'jobs', 'worker', 'host', 'window'. */
export type LogScope = string;

function write(method: 'warn' | 'error', scope: LogScope, message: string, err: unknown): void {
  const line = `vae-studio [${scope}]: ${message}`;
  // The console formats the error itself (an Error with its stack, an object inspected).
  if (err === undefined) console[method](line);
  else console[method](line, err);
}

/**
 * `log.info/warn/error(scope, message, err?)`. All three write to stderr under Node (console.error and
 * console.warn do; console.info would go to stdout, where a CLI command's own output is).
 */
export const log = {
  /** Something worth knowing that is not a problem (e.g. where a job runs). */
  info(scope: LogScope, message: string, err?: unknown): void {
    write('error', scope, message, err);
  },
  /** Something ignored that should not have happened (a stray message, a refused sender). */
  warn(scope: LogScope, message: string, err?: unknown): void {
    write('warn', scope, message, err);
  },
  /** A failure that was caught so the app goes on (a throwing listener, a bug in a request). */
  error(scope: LogScope, message: string, err?: unknown): void {
    write('error', scope, message, err);
  },
};
