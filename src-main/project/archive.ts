import { randomBytes } from 'node:crypto';
import { copyFile, link, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { faultPoint } from '../util/faultPoint.js';
import { EPOCH_FOLDER, epochFolders, readPointer, writePointer } from './checkpoint.js';
import type { ProjectLayout } from './layout.js';
import { makeFolder } from '../util/folders.js';

/**
 * Moving a model (and a dataset) aside so that nothing a user has is lost: every step leaves each model findable
 * — current (`checkpoints/latest.json` names it, wherever it is) or archived (an archive's own `latest.json` names
 * it inside that archive) — so a kill at any point loses nothing, and nothing is removed before its copy is whole.
 */

/** A fresh archive folder name: the time, with characters every file system accepts. */
export function archiveStamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-');
}

/**
 * Moves every checkpoint out of `checkpoints/` into `target` (created; it ends holding `epoch-*` folders and its
 * own `latest.json`). The current checkpoint is first copied whole (hard links: its files never change) and
 * `latest.json` repointed at the copy, and only then are the folders in `checkpoints/` moved or removed; so the
 * previous model stays current throughout and a caller commits its replacement by repointing `latest.json`.
 * Returns the folder the model went to, or null when there was none.
 *
 * A model that an interrupted earlier move left current inside an archive stays there; leftover folders of that
 * move join it.
 */
export async function moveModelAside(layout: ProjectLayout, target: string): Promise<string | null> {
  const names = await epochFolders(layout.checkpointsDir);
  const read = await readPointer(layout);
  const pointer = read.kind === 'ok' && (await exists(read.dir)) ? read : null;
  const inCheckpoints = pointer !== null && dirname(pointer.dir) === layout.checkpointsDir;
  let archive = target;
  if (pointer && !inCheckpoints) {
    // The pointer already names an archived copy (an earlier move was interrupted): that archive is the place.
    archive = dirname(pointer.dir);
    if (names.length === 0) return archive;
  } else if (names.length === 0) {
    return null;
  }
  await makeFolder(archive);
  faultPoint('archive-mkdir');
  if (pointer && inCheckpoints) {
    const name = basename(pointer.dir);
    const copy = join(archive, name);
    await copyFolder(pointer.dir, copy);
    await writePointer(layout, copy, pointer.epoch, join(archive, 'latest.json'));
    faultPoint('archive-pointer');
    // From here the previous model is current in its archived copy.
    await writePointer(layout, copy, pointer.epoch);
    faultPoint('archive-repoint');
  }
  if (!pointer) {
    // No usable pointer: the archive's names the newest folder (as the project's fallback did), which moves first,
    // so a kill during the moves leaves it named by the archive or still in `checkpoints/`.
    await writePointer(layout, join(archive, names[0]!), 0, join(archive, 'latest.json'));
    faultPoint('archive-pointer');
  }
  for (const name of names) {
    const from = join(layout.checkpointsDir, name);
    if (pointer && inCheckpoints && from === pointer.dir) {
      await rm(from, { recursive: true, force: true });
    } else {
      await rename(from, join(archive, await freeName(archive, name)));
    }
    faultPoint('archive-move');
  }
  return archive;
}

/**
 * Moves every existing checkpoint into `target` (by default `checkpoints/archive/<time>/`) so that nothing
 * destroys a model the user trained before; the project then has no current model. `latest.json` is removed last.
 * Returns the archive folder, or null when there was nothing to move.
 */
export async function archiveCheckpoints(
  layout: ProjectLayout,
  target = join(layout.archiveDir, archiveStamp()),
): Promise<string | null> {
  const archived = await moveModelAside(layout, target);
  await rm(layout.latestPointer, { force: true });
  faultPoint('archive-unpoint');
  return archived;
}

/**
 * Copies the files of the dataset folder into `target` (hard links: the import replaces files by renaming new ones
 * over them, never by writing into them). The copy is made under a temporary name and renamed when whole.
 */
export async function copyDatasetAside(layout: ProjectLayout, target: string): Promise<void> {
  await copyFolder(layout.datasetDir, target);
}

/** Copies the plain files of `from` (no temporary files) to a new folder `to`, whole or not at all. */
async function copyFolder(from: string, to: string): Promise<void> {
  const tmp = join(to, '..', `.tmp-copy-${randomBytes(4).toString('hex')}`);
  await makeFolder(tmp);
  try {
    for (const entry of await readdir(from, { withFileTypes: true })) {
      if (!entry.isFile() || isTemporaryName(entry.name)) continue;
      try {
        await link(join(from, entry.name), join(tmp, entry.name));
      } catch {
        await copyFile(join(from, entry.name), join(tmp, entry.name));
      }
      faultPoint('archive-copy-file');
    }
    await rename(tmp, to);
    faultPoint('archive-copy');
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

async function freeName(folder: string, name: string): Promise<string> {
  const taken = new Set(await readdir(folder));
  if (!taken.has(name)) return name;
  for (let i = 2; ; i++) if (!taken.has(`${name}-${i}`)) return `${name}-${i}`;
}

/** Names the write paths use for files and folders that are not whole yet. */
function isTemporaryName(name: string): boolean {
  return (
    name.startsWith('.tmp-') || // checkpoint and copy folders
    (name.startsWith('.') && name.endsWith('.tmp')) || // util/atomicWrite.ts, the lock's private file
    name.endsWith('.incoming') // dataset/importFolder.ts: the staged pixels
  );
}

/**
 * Removes what killed imports, trainings and sampler fits left half-written: temporary files and folders in the
 * project, its dataset, checkpoints (and their folders), previews and archives. Only under the writer lock, when no other writer can be using them.
 * Returns how many were removed.
 */
export async function removeTemporaryFiles(layout: ProjectLayout): Promise<number> {
  const folders = [layout.root, layout.datasetDir, layout.checkpointsDir, layout.previewsDir];
  // A checkpoint folder may hold the temporary file of a sampler fit being saved (project/samplerFile.ts).
  for (const name of await epochFolders(layout.checkpointsDir))
    folders.push(join(layout.checkpointsDir, name));
  for (const archives of [layout.archiveDir, layout.projectArchiveDir]) {
    folders.push(archives);
    for (const name of await list(archives)) {
      folders.push(
        join(archives, name),
        join(archives, name, 'checkpoints'),
        join(archives, name, 'dataset'),
      );
    }
  }
  let removed = 0;
  for (const folder of folders) {
    for (const name of await list(folder)) {
      if (!isTemporaryName(name) || EPOCH_FOLDER.test(name)) continue;
      await rm(join(folder, name), { recursive: true, force: true });
      removed++;
    }
  }
  return removed;
}

async function list(folder: string): Promise<string[]> {
  try {
    return await readdir(folder);
  } catch {
    return [];
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Before an import replaces the dataset of a project that has a model: moves the model and a copy of the old
 * dataset together into `<project>/archive/<time>/` (`dataset/`, `checkpoints/`), the model last, so the project
 * is left with no current model (the import then swaps the new dataset in). Returns the archive folder, or null
 * when the project has no model (the old dataset alone is just replaced).
 */
export async function archiveDatasetAndModel(layout: ProjectLayout): Promise<string | null> {
  const pointer = await readPointer(layout);
  if (pointer.kind === 'none' && (await epochFolders(layout.checkpointsDir)).length === 0) return null;
  const archive = join(layout.projectArchiveDir, archiveStamp());
  await makeFolder(archive);
  if ((await list(layout.datasetDir)).length > 0)
    await copyFolder(layout.datasetDir, join(archive, 'dataset'));
  const moved = await archiveCheckpoints(layout, join(archive, 'checkpoints'));
  // An interrupted earlier import may have put the model into its own archive already.
  return moved && dirname(moved) !== archive ? dirname(moved) : archive;
}
