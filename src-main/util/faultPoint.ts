/**
 * Fault injection for the reliability tests: a named point in a write path where a test may have the process
 * killed (SIGKILL, as a crash or a power cut would stop it), deterministically, at the n-th time any point (or
 * one named point) is reached. Off unless `VAE_STUDIO_FAULT` is set, e.g. `VAE_STUDIO_FAULT=*:7` (the 7th point
 * reached, whatever its name) or `VAE_STUDIO_FAULT=checkpoint-rename:2`. With `VAE_STUDIO_FAULT_LOG=<file>` every
 * point reached is appended to that file, so a test can first count a run's points and then kill at each.
 */
import { appendFileSync } from 'node:fs';

/** Environment variable naming where to kill: `<point or *>:<n>`. */
export const FAULT_ENV_VAR = 'VAE_STUDIO_FAULT';
/** Environment variable naming a file that records every point reached, one name per line. */
export const FAULT_LOG_ENV_VAR = 'VAE_STUDIO_FAULT_LOG';

const plan = parsePlan(process.env[FAULT_ENV_VAR]);
const logFile = process.env[FAULT_LOG_ENV_VAR];
let reached = 0;

function parsePlan(spec: string | undefined): { point: string; at: number } | null {
  const match = spec ? /^([\w*-]+):(\d+)$/.exec(spec) : null;
  return match ? { point: match[1]!, at: Number(match[2]) } : null;
}

/** Marks a point of a write path (a name such as `checkpoint-rename`); kills the process when the plan says so. */
export function faultPoint(point: string): void {
  if (!plan && !logFile) return;
  if (logFile) appendFileSync(logFile, `${point}\n`);
  if (!plan || (plan.point !== '*' && plan.point !== point)) return;
  reached += 1;
  if (reached === plan.at) process.kill(process.pid, 'SIGKILL');
}
