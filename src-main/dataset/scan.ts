import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';

import { UserError } from '../util/errors.js';
import { classifyFsError } from '../util/fsErrors.js';
import { mapLimit } from './pool.js';
import type { SkippedFile } from './types.js';

/** A regular file found by {@link scanFolder}; whether it is an image is decided later, by decoding it. */
export interface ScannedFile {
  /** Relative to the scanned folder, with '/' separators (stable across platforms, used in reports). */
  path: string;
  /**
   * The file to read. A Buffer where a name on the way is not valid UTF-8: Node's string for it would name
   * another file (its bytes replaced by U+FFFD), so only the bytes reach it; `path` then shows those bytes as \xHH.
   */
  absPath: string | Buffer;
  /** First-level subfolder, '' at the top level. */
  label: string;
}

export interface ScanResult {
  /** Absolute path of the scanned folder. */
  root: string;
  /** Sorted by `path` (code-unit order, not locale, so the order is the same on every machine). */
  files: ScannedFile[];
  /** Hidden entries, dangling links, symlink loops, unreadable folders, special files; sorted by path. */
  skipped: SkippedFile[];
}

export interface ScanOptions {
  /** Folders read at once. Default 16. */
  concurrency?: number;
  /** Called after each folder is read with the number of entries met so far. */
  onProgress?(entries: number): void;
  /**
   * Folders left out with the reason given, e.g. the project being imported into, when it lies inside the
   * scanned folder: its previews and generated images are not training images.
   */
  exclude?: readonly { folder: string; reason: string }[];
}

interface PendingDir {
  absPath: string | Buffer;
  /** '' for the root. */
  relPath: string;
}

/** Code-unit comparison: locale-independent, so every machine imports in the same order. */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The first-level subfolder of a relative path: 'cats/a/b.png' → 'cats', 'x.png' → ''. */
export function labelOf(relPath: string): string {
  const slash = relPath.indexOf('/');
  return slash < 0 ? '' : relPath.slice(0, slash);
}

function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
}

/** Why a folder or link could not be read, in words for the import report. */
function unreadableWhy(err: unknown): string {
  const code = errnoCode(err);
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'it disappeared during the scan';
    case 'ENAMETOOLONG':
      return 'its path is too long';
    case 'EIO':
      return 'the disk failed to read it';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many files open';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}

/** An entry's name as text, and whether the text names the same bytes (false for a name that is not UTF-8). */
function nameOf(bytes: Buffer): { text: string; exact: boolean } {
  const text = bytes.toString('utf8');
  if (Buffer.from(text, 'utf8').equals(bytes)) return { text, exact: true };
  return { text: escapeInvalidUtf8(bytes), exact: false };
}

/** The name with every byte that is not part of a valid UTF-8 sequence written as \xHH: "caf\xE9.png". */
export function escapeInvalidUtf8(bytes: Buffer): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    const length =
      lead < 0x80
        ? 1
        : lead >= 0xc2 && lead < 0xe0
          ? 2
          : lead >= 0xe0 && lead < 0xf0
            ? 3
            : lead >= 0xf0 && lead < 0xf5
              ? 4
              : 0;
    const sequence = length ? bytes.subarray(i, i + length) : null;
    const text = sequence && sequence.length === length ? sequence.toString('utf8') : null;
    if (text !== null && Buffer.from(text, 'utf8').equals(sequence!)) {
      out += text;
      i += length;
    } else {
      out += `\\x${lead.toString(16).toUpperCase().padStart(2, '0')}`;
      i += 1;
    }
  }
  return out;
}

/** `folder/name`, as a string while every name is text, as bytes once one is not. */
function childPath(folder: string | Buffer, name: Buffer, exact: boolean): string | Buffer {
  if (typeof folder === 'string' && exact) return join(folder, name.toString('utf8'));
  const base = typeof folder === 'string' ? Buffer.from(folder, 'utf8') : folder;
  return Buffer.concat([base, Buffer.from(sep), name]);
}

/** A real path as a key: its text, or its bytes in hex where it is not UTF-8. */
function keyOf(real: Buffer): string {
  const { text, exact } = nameOf(real);
  return exact ? text : `bytes:${real.toString('hex')}`;
}

/**
 * Lists every non-hidden regular file under `folder`, recursively, following symbolic links.
 *
 * Names starting with '.' (files and folders) are skipped and reported, so `.DS_Store`, `.git/` and editor
 * droppings never become training images. Symbolic links are followed; a link whose target is missing is
 * reported as dangling, and a folder whose real path was already visited (a link back to an ancestor, or two
 * links to one folder) is reported instead of walked again, so a loop cannot make the scan run forever.
 * Folders are walked breadth first and each level in sorted order, so which of two links to the same folder is
 * walked is deterministic (the shallowest, then the first by name).
 *
 * @throws UserError NOT_FOUND when `folder` does not exist, NOT_A_FOLDER when it is not a folder.
 */
export async function scanFolder(folder: string, options: ScanOptions = {}): Promise<ScanResult> {
  const root = resolve(folder);
  const concurrency = options.concurrency ?? 16;
  try {
    const info = await stat(root);
    if (!info.isDirectory()) throw new UserError('NOT_A_FOLDER', `not a folder: ${root}`);
  } catch (err) {
    if (err instanceof UserError) throw err;
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new UserError('NOT_FOUND', `folder not found: ${root}`);
    throw (
      classifyFsError(err) ??
      new UserError('UNREADABLE', `cannot read the folder ${root}: ${unreadableWhy(err)}`)
    );
  }

  const files: ScannedFile[] = [];
  const skipped: SkippedFile[] = [];
  const visited = new Set<string>([keyOf(await realpath(root, { encoding: 'buffer' }))]);
  const excluded = new Map<string, string>();
  for (const { folder: dir, reason } of options.exclude ?? []) {
    excluded.set(await realpath(dir).catch(() => resolve(dir)), reason);
  }
  let entries = 0;
  let level: PendingDir[] = [{ absPath: root, relPath: '' }];

  while (level.length > 0) {
    const listings = await mapLimit(level, concurrency, async (dir) => {
      try {
        // Names as bytes: a name that is not UTF-8 would come back as text that names no file.
        return await readdir(dir.absPath, { withFileTypes: true, encoding: 'buffer' });
      } catch (err) {
        skipped.push({ path: dir.relPath || '.', reason: `unreadable folder (${unreadableWhy(err)})` });
        return [] as Dirent<Buffer>[];
      }
    });

    // Classify every entry of this level; links need a stat to know what they point to.
    const candidates: PendingDir[] = [];
    await mapLimit(
      level.flatMap((dir, i) => (listings[i] ?? []).map((entry) => ({ dir, entry }))),
      concurrency,
      async ({ dir, entry }) => {
        entries++;
        const name = nameOf(entry.name);
        const relPath = dir.relPath ? `${dir.relPath}/${name.text}` : name.text;
        const absPath = childPath(dir.absPath, entry.name, name.exact);
        if (name.text.startsWith('.')) {
          skipped.push({ path: relPath, reason: entry.isDirectory() ? 'hidden folder' : 'hidden file' });
          return;
        }
        let isDir = entry.isDirectory();
        let isFile = entry.isFile();
        if (entry.isSymbolicLink()) {
          try {
            const target = await stat(absPath);
            isDir = target.isDirectory();
            isFile = target.isFile();
          } catch (err) {
            const code = errnoCode(err);
            const reason =
              code === 'ENOENT' || code === 'ENOTDIR'
                ? 'dangling symlink (target does not exist)'
                : code === 'ELOOP'
                  ? 'symlink loop'
                  : `unreadable symlink (${unreadableWhy(err)})`;
            skipped.push({ path: relPath, reason });
            return;
          }
        }
        if (isDir) candidates.push({ absPath, relPath });
        else if (isFile) files.push({ path: relPath, absPath, label: labelOf(relPath) });
        else skipped.push({ path: relPath, reason: 'not a regular file' });
      },
    );
    options.onProgress?.(entries);

    // Resolve real paths in parallel, then claim them in sorted order so the choice is deterministic.
    candidates.sort((a, b) => comparePaths(a.relPath, b.relPath));
    const reals = await mapLimit(candidates, concurrency, async (dir) => {
      try {
        return keyOf(await realpath(dir.absPath, { encoding: 'buffer' }));
      } catch (err) {
        return err as Error;
      }
    });
    level = [];
    candidates.forEach((dir, i) => {
      const real = reals[i];
      if (real instanceof Error || real === undefined) {
        skipped.push({ path: dir.relPath, reason: `unreadable folder (${unreadableWhy(real)})` });
      } else if (excluded.has(real)) {
        skipped.push({ path: dir.relPath, reason: excluded.get(real)! });
      } else if (visited.has(real)) {
        skipped.push({
          path: dir.relPath,
          reason: 'folder already scanned (symlink loop or second link to it)',
        });
      } else {
        visited.add(real);
        level.push(dir);
      }
    });
  }

  files.sort((a, b) => comparePaths(a.path, b.path));
  skipped.sort((a, b) => comparePaths(a.path, b.path));
  return { root, files, skipped };
}
