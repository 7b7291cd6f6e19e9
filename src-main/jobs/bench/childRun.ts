/**
 * Child processes of the benchmarks (the PyTorch peer, our own CLI at a given thread count): run one to the end,
 * collect what it printed, and read the one JSON line it prints last.
 */
import { spawn } from 'node:child_process';
import type { ErrorCode } from '../../contract/index.js';
import { UserError } from '../../util/errors.js';

/** How a child ended and what it printed. */
export interface Collected {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Set when the child could not start (ENOENT: no such program). */
  spawnError?: NodeJS.ErrnoException;
}

/**
 * Runs `command args` to the end with stdout and stderr collected. Never rejects: a start failure is
 * `spawnError`. Aborting `signal` kills the child; `env` replaces the environment when given.
 */
export function spawnCollect(
  command: string,
  args: readonly string[],
  signal?: AbortSignal,
  env?: NodeJS.ProcessEnv,
): Promise<Collected> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(signal ? { signal } : {}),
      ...(env ? { env } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    let spawnError: NodeJS.ErrnoException | undefined;
    child.on('error', (err: NodeJS.ErrnoException) => {
      // An abort also arrives here (AbortError); the close event that follows reports the signal.
      if (err.name !== 'AbortError') spawnError = err;
    });
    child.on('close', (code, sig) => {
      resolve({ code, signal: sig, stdout, stderr, ...(spawnError ? { spawnError } : {}) });
    });
  });
}

/** "exited with code 1: <stderr's last line>" or "was killed (SIGKILL)", for a child that did not succeed. */
export function howItEnded(run: Collected): string {
  const last = run.stderr.trim().split('\n').at(-1)?.trim();
  const how = run.code === null ? `was killed (${run.signal ?? 'signal'})` : `exited with code ${run.code}`;
  return `${how}${last ? `: ${last}` : ''}`;
}

/**
 * The last non-empty line of a child's stdout as JSON; the child may print other lines before it. `who` names
 * the child in the message, e.g. "the PyTorch peer".
 * @throws UserError `code` when there is no line or the last one is not JSON.
 */
export function lastJsonLine(stdout: string, who: string, code: ErrorCode): unknown {
  const line = stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .at(-1);
  if (line === undefined) throw new UserError(code, `${who} printed nothing`);
  try {
    return JSON.parse(line);
  } catch {
    throw new UserError(code, `${who}'s last line is not JSON: ${line.slice(0, 200)}`);
  }
}
