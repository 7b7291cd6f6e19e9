import { access, open, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { UserError } from '../util/errors.js';
import { classifyFsError } from '../util/fsErrors.js';
import { uploadSegments } from './paths.js';
import { makeFolder } from '../util/folders.js';

export interface UploadFile {
  /** Relative to the dropped folder, '/' or '\' separators. */
  path: string;
  base64: string;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Where the upload folders remember their batch (outside them, so an import never meets the note). */
const BATCHES = '.batches';
/** Characters no folder name may hold on some system the server might be (Windows' reserved ones, controls). */
// eslint-disable-next-line no-control-regex
const UNSAFE_NAME = /[\\/:*?"<>|\u0000-\u001f]+/g;

/**
 * A folder name made of `name` that every file system takes: reserved characters become '-', leading dots and
 * spaces and dashes go (no hidden folder), long names are cut; "upload" when nothing is left.
 */
export function uploadFolderName(name: string | undefined): string {
  const cleaned = (name ?? '')
    .replace(UNSAFE_NAME, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[.\s-]+|[.\s-]+$/g, '')
    .slice(0, 100)
    .trim();
  return cleaned || 'upload';
}

/**
 * The folder under `uploadsDir` that the requests of upload `batch` write to: `<name>` (the dropped folder's own
 * name), or `<name>-2`, `-3`… when an earlier upload took it. The first request of a batch picks it and notes it
 * in `.batches/<batch>`; the later ones read the note, so every chunk lands in the same folder.
 */
export async function uploadFolder(
  uploadsDir: string,
  batch: string,
  name: string | undefined,
): Promise<string> {
  const note = join(uploadsDir, BATCHES, batch);
  const noted = await readFile(note, 'utf8').catch(() => null);
  // Only a name this function could have picked is followed (the note is a file anyone could edit).
  if (noted !== null && noted !== '' && uploadFolderName(noted) === noted) return join(uploadsDir, noted);
  const stem = uploadFolderName(name);
  for (let k = 1; ; k++) {
    const candidate = k === 1 ? stem : `${stem}-${k}`;
    const taken = await access(join(uploadsDir, candidate)).then(
      () => true,
      (err: NodeJS.ErrnoException) => err.code !== 'ENOENT',
    );
    if (taken) continue;
    await makeFolder(dirname(note));
    await writeFileAtomic(note, candidate);
    await makeFolder(join(uploadsDir, candidate));
    return join(uploadsDir, candidate);
  }
}

/** One file of an upload, checked: where it goes below the upload folder and its bytes. */
export interface CheckedUploadFile {
  segments: string[];
  bytes: Buffer;
}

/**
 * Checks every file of an upload before anything is written: each path relative and staying inside, each
 * content base64, no path twice.
 *
 * @throws UserError INVALID_INPUT naming the field of a path that is absolute or climbs out with `..`, or of
 *   content that is not base64.
 */
export function checkUpload(files: readonly UploadFile[]): CheckedUploadFile[] {
  const seen = new Set<string>();
  return files.map((file, i) => {
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
    const key = checked.segments.join('/');
    if (seen.has(key)) {
      throw new UserError('INVALID_INPUT', `files.${i}.path: ${JSON.stringify(file.path)} is sent twice`);
    }
    seen.add(key);
    return { segments: checked.segments, bytes: Buffer.from(content, 'base64') };
  });
}

/**
 * Writes checked files under `folder`, keeping their relative paths. An existing file is never replaced: one
 * with the same bytes is left as is (a repeated request), one with other bytes fails the whole request before
 * any write.
 *
 * @returns how many files were written (repeats excluded).
 * @throws UserError FILE_EXISTS naming a file that already holds other bytes.
 */
export async function writeUpload(folder: string, files: readonly CheckedUploadFile[]): Promise<number> {
  const fresh: [string, Buffer][] = [];
  for (const { segments, bytes } of files) {
    const target = join(folder, ...segments);
    const existing = await readFile(target).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw classifyFsError(err, { doing: `comparing the upload with ${target}` }) ?? err;
    });
    if (existing === null) fresh.push([target, bytes]);
    else if (!existing.equals(bytes)) {
      throw new UserError(
        'FILE_EXISTS',
        `${target} already exists with other contents; nothing was written (upload the folder again)`,
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
