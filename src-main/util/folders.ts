import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UserError } from './errors.js';

/**
 * Creates a folder and its missing parents, one level at a time. Node's `mkdir(…, { recursive: true })` never
 * settles for a path under a pseudo-filesystem such as /proc (each level answers ENOENT and it retries forever,
 * holding a thread of the pool), and a job that waits on it keeps the studio BUSY; this answers at once.
 *
 * @throws UserError NOT_A_FOLDER when a file stands in the way, NOT_WRITABLE when a level cannot be created.
 */
export async function makeFolder(path: string, field?: string): Promise<void> {
  const named = field ? `${field}: ` : '';
  const target = resolve(path);
  const missing: string[] = [];
  for (let dir = target; ; dir = dirname(dir)) {
    const info = await stat(dir).catch((err: NodeJS.ErrnoException) => {
      // ENOTDIR: a file further up; the walk reaches it and names it.
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return null;
      throw new UserError('NOT_WRITABLE', `${named}cannot use ${dir} (${describeCause(err)})`);
    });
    if (info?.isDirectory()) break;
    if (info) throw new UserError('NOT_A_FOLDER', `${named}${dir} is a file, not a folder`);
    if (dirname(dir) === dir) break;
    missing.unshift(dir);
  }
  for (const dir of missing) {
    await mkdir(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EEXIST') return;
      throw new UserError(
        'NOT_WRITABLE',
        `${named}cannot create the folder ${dir} (${describeCause(err)}); choose a folder on a normal, ` +
          'writable disk',
      );
    });
  }
}

/** An errno in words, for the messages above. */
function describeCause(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'EACCES':
    case 'EPERM':
      return 'no permission';
    case 'EROFS':
      return 'the disk is read-only';
    case 'ENOSPC':
      return 'the disk is full';
    case 'ENAMETOOLONG':
      return 'the name is too long';
    case 'ENOENT':
      return 'this place does not hold folders';
    default:
      return err.message.replace(/^E[A-Z]+: /, '');
  }
}
