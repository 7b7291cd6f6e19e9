/**
 * Whether a path stays inside a folder: lexically (after `..` is resolved) and on disk (after symbolic links are
 * followed). Security code, beside staticFiles.ts, so it exists once.
 */
import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';

/** True when `path` lies strictly inside `folder` (after resolving `..`). */
export function isInside(folder: string, path: string): boolean {
  const rel = relative(resolve(folder), resolve(path));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * Where a path a client sent leads: an absolute path as it is; a relative one against `base`, which it may not
 * leave by `..` (it may name `base` itself). Null when a relative path climbs out.
 */
export function resolveWithin(base: string, path: string): string | null {
  if (isAbsolute(path)) return resolve(path);
  const target = resolve(base, path);
  return target === resolve(base) || isInside(base, target) ? target : null;
}

/**
 * The real path of `file` when it lies inside the real path of `folder` once every symbolic link is followed;
 * null when it leads elsewhere or does not exist.
 */
export async function realpathInside(folder: string, file: string): Promise<string | null> {
  try {
    const [realFolder, realFile] = await Promise.all([realpath(folder), realpath(file)]);
    return isInside(realFolder, realFile) ? realFile : null;
  } catch {
    return null;
  }
}
