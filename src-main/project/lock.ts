import { randomBytes } from 'node:crypto';
import { link, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename } from 'node:path';
import { UserError } from '../util/errors.js';
import { faultPoint } from '../util/faultPoint.js';
import type { ProjectLayout } from './layout.js';

/**
 * One writer per project, across processes: the CLI, the app's job workers and browser mode all run the jobs that
 * change a project's dataset or model, and each takes `<project>/.lock` first. The file names its holder, so a
 * second writer is told who to wait for; a holder that died (same host, its pid gone) leaves a stale lock that the
 * next writer takes over.
 */

/** What `.lock` holds. */
export interface ProjectLockHolder {
  pid: number;
  host: string;
  /** Who writes, in words: "vae-studio train", "VAE Studio app: training". */
  command: string;
  startedAt: string;
  /** Tells this holder's lock from a later one with a reused pid. */
  token: string;
}

/** A held lock; `release()` removes it (only if it is still this holder's). */
export interface ProjectLock {
  holder: ProjectLockHolder;
  release(): Promise<void>;
}

/**
 * Runs `body` holding the project's writer lock, released on every way out (success, failure, cancellation).
 *
 * @param activity what the job does, in words ("training", "import"), for the message a second writer gets.
 * @throws UserError PROJECT_BUSY naming the live holder.
 */
export async function withProjectLock<T>(
  layout: ProjectLayout,
  activity: string,
  body: () => Promise<T>,
): Promise<T> {
  const lock = await acquireProjectLock(layout, activity);
  try {
    return await body();
  } finally {
    await lock.release();
  }
}

/** Takes the project's writer lock (see {@link withProjectLock}). */
export async function acquireProjectLock(layout: ProjectLayout, activity: string): Promise<ProjectLock> {
  const holder: ProjectLockHolder = {
    pid: process.pid,
    host: hostname(),
    command: describeWriter(activity),
    startedAt: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  // Further tries only after a stale lock was removed.
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await createExclusive(layout.lockFile, holder)) {
      faultPoint('lock-taken');
      return { holder, release: () => releaseLock(layout.lockFile, holder.token) };
    }
    const current = await readHolder(layout.lockFile);
    if (current === 'gone') continue;
    if (current === 'unreadable') {
      throw new UserError(
        'PROJECT_BUSY',
        `${layout.root} is locked by ${layout.lockFile}, which cannot be read; if no VAE Studio is writing this project, delete that file`,
      );
    }
    if (!isStale(current)) throw busyError(layout, current);
    await takeOverStale(layout.lockFile, current);
  }
  throw new UserError(
    'PROJECT_BUSY',
    `${layout.root}: another writer keeps taking ${layout.lockFile}; try again`,
  );
}

/** "vae-studio train" when the CLI runs the job, "VAE Studio app: training" when the app (or browser mode) does. */
function describeWriter(activity: string): string {
  const script = process.argv[1] ? basename(process.argv[1]) : '';
  if (/^vae-studio(\.js)?$/.test(script) && process.argv[2] && process.argv[2] !== 'serve') {
    return `vae-studio ${process.argv[2]}`;
  }
  return `VAE Studio app: ${activity}`;
}

/**
 * Creates `path` holding `holder`, failing (false) if it exists. The file is written whole under a private name and
 * hard-linked into place, which is atomic and exclusive, so a reader never sees a half-written lock.
 */
async function createExclusive(path: string, holder: ProjectLockHolder): Promise<boolean> {
  const tmp = `${path}.${holder.token}.tmp`;
  await writeFile(tmp, JSON.stringify(holder, null, 2) + '\n', { flag: 'wx' });
  try {
    faultPoint('lock-create');
    await link(tmp, path);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // ENOENT: a writer holding the lock removed our private file as a leftover of a killed run.
    if (code === 'EEXIST' || code === 'ENOENT') return false;
    // A file system without hard links: exclusive create, written in one call.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'EXDEV') {
      try {
        await writeFile(path, JSON.stringify(holder, null, 2) + '\n', { flag: 'wx' });
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw e;
      }
    }
    throw err;
  } finally {
    await rm(tmp, { force: true });
  }
}

async function readHolder(path: string): Promise<ProjectLockHolder | 'gone' | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    return 'unreadable';
  }
  try {
    const value = JSON.parse(text) as Partial<ProjectLockHolder>;
    if (typeof value.pid !== 'number' || typeof value.host !== 'string') return 'unreadable';
    return {
      pid: value.pid,
      host: value.host,
      command: typeof value.command === 'string' ? value.command : 'another process',
      startedAt: typeof value.startedAt === 'string' ? value.startedAt : '',
      token: typeof value.token === 'string' ? value.token : '',
    };
  } catch {
    return 'unreadable';
  }
}

/** A holder on this host whose process no longer exists. On another host we cannot tell, so it counts as live. */
function isStale(holder: ProjectLockHolder): boolean {
  if (holder.host !== hostname()) return false;
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Removes a stale lock, guarded by a second lock file so that two writers taking over at once cannot remove each
 * other's fresh lock: only the one holding `.lock.takeover` removes `.lock`, and only if it is still the stale one.
 */
async function takeOverStale(path: string, stale: ProjectLockHolder): Promise<void> {
  const guardPath = `${path}.takeover`;
  const guard: ProjectLockHolder = { ...stale, pid: process.pid, token: randomBytes(8).toString('hex') };
  if (!(await createExclusive(guardPath, guard))) {
    const other = await readHolder(guardPath);
    // A taker-over that died in between leaves its guard; a live one is finishing, so just try again.
    if (other !== 'gone' && (other === 'unreadable' || isStale(other))) await rm(guardPath, { force: true });
    return;
  }
  try {
    const current = await readHolder(path);
    if (
      current !== 'gone' &&
      current !== 'unreadable' &&
      current.token === stale.token &&
      current.pid === stale.pid
    ) {
      faultPoint('lock-takeover');
      await rm(path, { force: true });
    }
  } finally {
    await rm(guardPath, { force: true });
  }
}

async function releaseLock(path: string, token: string): Promise<void> {
  const current = await readHolder(path);
  if (current !== 'gone' && current !== 'unreadable' && current.token === token) {
    faultPoint('lock-release');
    await rm(path, { force: true });
  }
}

function busyError(layout: ProjectLayout, holder: ProjectLockHolder): UserError {
  const where = `pid ${holder.pid} on host ${holder.host}`;
  const since = holder.startedAt ? `, since ${formatSince(holder.startedAt)}` : '';
  return new UserError(
    'PROJECT_BUSY',
    `${layout.root} is being written by ${holder.command} (${where}${since}); wait for it to finish or stop it`,
  );
}

/** "12:03" today, "2024-05-01 12:03" on another day. */
function formatSince(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  const today = new Date();
  if (date.toDateString() === today.toDateString()) return time;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${time}`;
}
