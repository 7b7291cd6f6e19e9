import { open, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UserError } from '../util/errors.js';
import { uploadSegments } from './paths.js';
import { makeFolder } from '../util/folders.js';

export interface UploadFile {
  /** Relative to the dropped folder, '/' or '\' separators. */
  path: string;
  base64: string;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Writes dropped files under `folder`, keeping their relative paths. Every path is checked before anything is
 * written; an existing file is never replaced: one with the same bytes is left as is (a repeated drop), one with
 * other bytes fails the whole upload before any write.
 *
 * @returns how many files were written (repeats excluded).
 * @throws UserError INVALID_INPUT naming the field of a path that is absolute or climbs out with `..`, or of
 *   content that is not base64; FILE_EXISTS naming a file that already holds other bytes.
 */
export async function writeUpload(folder: string, files: readonly UploadFile[]): Promise<number> {
  const planned = new Map<string, Buffer>();
  files.forEach((file, i) => {
    const checked = uploadSegments(file.path);
    if ('refused' in checked) {
      throw new UserError(
        'INVALID_INPUT',
        `files.${i}.path: ${JSON.stringify(file.path)} ${checked.refused}`,
      );
    }
    const content = file.base64.replace(/^data:[^,]*,/, '');
    if (content.length % 4 === 1 || !BASE64.test(content)) {
      throw new UserError('INVALID_INPUT', `files.${i}.base64: ${JSON.stringify(file.path)} is not base64`);
    }
    const target = join(folder, ...checked.segments);
    if (planned.has(target)) {
      throw new UserError('INVALID_INPUT', `files.${i}.path: ${JSON.stringify(file.path)} is sent twice`);
    }
    planned.set(target, Buffer.from(content, 'base64'));
  });

  const fresh: [string, Buffer][] = [];
  for (const [target, bytes] of planned) {
    const existing = await readFile(target).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw new UserError('FILE_EXISTS', `${target} cannot be written: ${err.code ?? err.message}`);
    });
    if (existing === null) fresh.push([target, bytes]);
    else if (!existing.equals(bytes)) {
      throw new UserError(
        'FILE_EXISTS',
        `${target} already exists with other contents; nothing was written (use another batch name)`,
      );
    }
  }
  for (const [target, bytes] of fresh) {
    await makeFolder(dirname(target));
    // 'wx' creates or fails in one step, so a file that appeared meanwhile is still never replaced.
    const handle = await open(target, 'wx');
    try {
      await handle.writeFile(bytes);
    } finally {
      await handle.close();
    }
  }
  return fresh.length;
}
