import { access } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { UserError } from '../util/errors.js';
import { isInside, resolveWithin } from '../util/pathContainment.js';

export { isInside };

/** Local time as `YYYYMMDD-HHMMSS`, for default output folder names that sort by date. */
export function timestampName(date = new Date()): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}${two(date.getMonth() + 1)}${two(date.getDate())}-` +
    `${two(date.getHours())}${two(date.getMinutes())}${two(date.getSeconds())}`
  );
}

/** `parent/stem`, or `parent/stem-2`, `-3`… when taken, so two runs in one second get their own folders. */
export async function freshFolder(parent: string, stem: string): Promise<string> {
  for (let k = 1; ; k++) {
    const path = join(parent, k === 1 ? stem : `${stem}-${k}`);
    const taken = await access(path).then(
      () => true,
      () => false,
    );
    if (!taken) return path;
  }
}

/**
 * Resolves a path a request names: absolute as it is (a user on the server may keep data anywhere; the access
 * token, not the path, is browser mode's boundary), relative against `base` (the projects folder for projects,
 * the project's folder for its inputs and outputs) and never out of it.
 *
 * @throws UserError INVALID_INPUT naming `field` when a relative path climbs out of `base` with `..`.
 */
export function resolveRequestPath(base: string, path: string, field: string): string {
  const target = resolveWithin(base, path);
  if (target === null) {
    throw new UserError(
      'INVALID_INPUT',
      `${field}: ${JSON.stringify(path)} leads out of ${base}; a relative path stays inside it (give an absolute ` +
        'path for a folder elsewhere)',
    );
  }
  return target;
}

export { makeFolder } from '../util/folders.js';

/**
 * Checks a path the browser sent for a dropped file and returns its parts: it must be relative and may not
 * climb out of its folder. Both separators are accepted, since the browser's OS may not be the server's.
 *
 * @returns the path's segments, or a reason it is refused.
 */
export function uploadSegments(path: string): { segments: string[] } | { refused: string } {
  if (path.includes('\0')) return { refused: 'contains a NUL character' };
  if (/^([a-zA-Z]:|[\\/])/.test(path) || isAbsolute(path)) {
    return { refused: 'is absolute; send a path relative to the dropped folder' };
  }
  const segments = path.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) return { refused: "contains '..'; files must stay inside the upload folder" };
  if (segments.length === 0) return { refused: 'names no file' };
  return { segments };
}
