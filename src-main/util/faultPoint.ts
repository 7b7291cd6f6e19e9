/**
 * Fault injection for the reliability tests: a named point in a write path where a test may have the process
 * killed (SIGKILL, as a crash or a power cut would stop it), deterministically, at the n-th time any point (or
 * one named point) is reached. Off unless `VAE_STUDIO_FAULT` is set, e.g. `VAE_STUDIO_FAULT=*:7` (the 7th point
 * reached, whatever its name) or `VAE_STUDIO_FAULT=checkpoint-rename:2`. With `VAE_STUDIO_FAULT_LOG=<file>` every
 * point reached is appended to that file, so a test can first count a run's points and then kill at each.
 * A third part names an errno to fail with instead of the kill (`VAE_STUDIO_FAULT=atomic-write:1:ENOSPC`): the point
 * then throws the error a full disk (or a read-only one, EROFS) gives a write, so a test can see how it is reported.
 */
import { appendFileSync } from 'node:fs';
import { constants } from 'node:os';

/** Environment variable naming where to kill: `<point or *>:<n>`. */
export const FAULT_ENV_VAR = 'VAE_STUDIO_FAULT';
/** Environment variable naming a file that records every point reached, one name per line. */
export const FAULT_LOG_ENV_VAR = 'VAE_STUDIO_FAULT_LOG';

const plan = parsePlan(process.env[FAULT_ENV_VAR]);
const logFile = process.env[FAULT_LOG_ENV_VAR];
let reached = 0;

function parsePlan(spec: string | undefined): { point: string; at: number; errno?: string } | null {
  const match = spec ? /^([\w*-]+):(\d+)(?::(E[A-Z]+))?$/.exec(spec) : null;
  if (!match) return null;
  return { point: match[1]!, at: Number(match[2]), ...(match[3] ? { errno: match[3] } : {}) };
}

/** Node's words for the errnos a test may ask for. */
const DESCRIPTIONS: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EIO: 'i/o error',
  EACCES: 'permission denied',
};

/** An error shaped as Node's own for a failed write: code, errno and syscall, no path (a file handle has none). */
function writeError(code: string): NodeJS.ErrnoException {
  const errno = (constants.errno as Record<string, number | undefined>)[code];
  return Object.assign(new Error(`${code}: ${DESCRIPTIONS[code] ?? 'unknown error'}, write`), {
    code,
    syscall: 'write',
    ...(errno !== undefined ? { errno: -errno } : {}),
  });
}

/**
 * Marks a point of a write path (a name such as `checkpoint-rename`); kills the process when the plan says so, or
 * throws the planned errno error.
 */
export function faultPoint(point: string): void {
  if (!plan && !logFile) return;
  if (logFile) appendFileSync(logFile, `${point}\n`);
  if (!plan || (plan.point !== '*' && plan.point !== point)) return;
  reached += 1;
  if (reached !== plan.at) return;
  if (plan.errno) throw writeError(plan.errno);
  process.kill(process.pid, 'SIGKILL');
}
