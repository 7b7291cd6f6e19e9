import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { faultPoint } from './faultPoint.js';

/**
 * Writes `data` to `path` so that a reader (or a crash) only ever sees the old file or the whole new one:
 * the bytes go to a temporary file in the same folder, are fsynced, and the file is renamed over `path`.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, 'w');
  try {
    faultPoint('atomic-write');
    await handle.writeFile(data);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(tmp, { force: true });
    throw withPath(err, path);
  }
  await handle.close();
  try {
    faultPoint('atomic-rename');
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** A write through a file handle fails without a path (ENOSPC, EIO); give it the file's, for the message. */
function withPath(err: unknown, path: string): unknown {
  if (err instanceof Error && 'code' in err && !('path' in err)) Object.assign(err, { path });
  return err;
}

/** {@link writeFileAtomic} for a JSON value, pretty-printed with a final newline. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}
