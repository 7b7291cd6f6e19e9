/**
 * Dataset images the user left out of training (`<project>/exclusions.json`): a scraped folder's junk found by the
 * outlier ranking, say. The dataset itself is never changed; an exclusion is undone by including the image again.
 * An image is named by the sha256 of its source file (the dataset manifest's `hash`), so an exclusion survives a
 * re-import of the same folder at another size; its path is kept for people. A project without the file excludes
 * nothing, as before the file existed.
 */
import { readFile } from 'node:fs/promises';
import type { DatasetManifest } from '../dataset/index.js';
import { writeJsonAtomic } from '../util/atomicWrite.js';
import { UserError } from '../util/errors.js';
import type { ProjectLayout } from './layout.js';

export const EXCLUSIONS_FORMAT = 'vae-studio-exclusions';

/** One excluded image. */
export interface ExcludedImage {
  /** Its path in the imported folder when it was excluded, '/' separators. */
  path: string;
  /** sha256 of the source file's bytes: what it is matched by. */
  hash: string;
  /** ISO 8601. */
  excludedAt: string;
}

/** `exclusions.json`. */
export interface ExclusionsFile {
  format: typeof EXCLUSIONS_FORMAT;
  version: 1;
  images: ExcludedImage[];
}

/**
 * The project's excluded images; none when it has no exclusions.json.
 * @throws UserError UNREADABLE naming the file when it is not an exclusions file of this version.
 */
export async function readExclusions(layout: ProjectLayout): Promise<ExcludedImage[]> {
  let text: string;
  try {
    text = await readFile(layout.exclusionsFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  let value: Partial<ExclusionsFile> | null;
  try {
    value = JSON.parse(text) as Partial<ExclusionsFile> | null;
  } catch {
    throw unreadable(layout, 'it is not valid JSON');
  }
  if (value?.format !== EXCLUSIONS_FORMAT || value.version !== 1 || !Array.isArray(value.images))
    throw unreadable(layout, `it is not a version-1 ${EXCLUSIONS_FORMAT} file`);
  for (const image of value.images as unknown[]) {
    const it = image as Partial<ExcludedImage> | null;
    if (typeof it?.path !== 'string' || typeof it.hash !== 'string' || typeof it.excludedAt !== 'string')
      throw unreadable(layout, `an entry is not { path, hash, excludedAt }: ${JSON.stringify(image)}`);
  }
  return value.images;
}

function unreadable(layout: ProjectLayout, why: string): UserError {
  return new UserError(
    'UNREADABLE',
    `cannot read the excluded images of ${layout.root} from ${layout.exclusionsFile}: ${why}; move the file ` +
      'away to include every image again',
  );
}

/** The indices of `manifest`'s items that are excluded, ascending. */
export function excludedIndices(
  manifest: { items: readonly { hash: string }[] },
  excluded: readonly ExcludedImage[],
): number[] {
  const hashes = new Set(excluded.map((e) => e.hash));
  return manifest.items.flatMap((item, index) => (hashes.has(item.hash) ? [index] : []));
}

/** What {@link setExcluded} changed. */
export interface ExclusionChange {
  /** The files whose state changed (the others already were as asked). */
  changed: string[];
  /** Images of the dataset excluded now. */
  excluded: number;
}

/** One read-modify-write at a time per project, so two quick clicks cannot lose one of them. */
const writes = new Map<string, Promise<unknown>>();

/**
 * Excludes the dataset images `files` (paths in the imported folder, as the dataset lists them) from training, or
 * includes them again (`exclude` false); writes exclusions.json atomically. Excluded images of an earlier dataset
 * that are not in this one stay listed, so a re-import of that folder finds them excluded again.
 * @throws UserError INVALID_INPUT naming a file the dataset does not have (and nothing is written).
 */
export function setExcluded(
  layout: ProjectLayout,
  manifest: Pick<DatasetManifest, 'items'>,
  files: readonly string[],
  exclude: boolean,
): Promise<ExclusionChange> {
  const previous = writes.get(layout.exclusionsFile) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => changeExclusions(layout, manifest, files, exclude));
  writes.set(layout.exclusionsFile, next);
  return next;
}

async function changeExclusions(
  layout: ProjectLayout,
  manifest: Pick<DatasetManifest, 'items'>,
  files: readonly string[],
  exclude: boolean,
): Promise<ExclusionChange> {
  const byPath = new Map(manifest.items.map((item) => [item.path, item]));
  const items = files.map((file) => {
    const item = byPath.get(file);
    if (!item)
      throw new UserError(
        'INVALID_INPUT',
        `files: ${file} is not an image of the dataset (give its path inside the imported folder)`,
      );
    return item;
  });
  const current = await readExclusions(layout);
  const listed = new Map(current.map((e) => [e.hash, e]));
  const changed: string[] = [];
  const now = new Date().toISOString();
  for (const item of items) {
    if (listed.has(item.hash) === exclude) continue;
    if (exclude) listed.set(item.hash, { path: item.path, hash: item.hash, excludedAt: now });
    else listed.delete(item.hash);
    changed.push(item.path);
  }
  if (changed.length > 0) {
    const file: ExclusionsFile = { format: EXCLUSIONS_FORMAT, version: 1, images: [...listed.values()] };
    await writeJsonAtomic(layout.exclusionsFile, file);
  }
  return { changed, excluded: excludedIndices(manifest, [...listed.values()]).length };
}
