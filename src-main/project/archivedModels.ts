import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { readPointer } from './checkpoint.js';
import type { ProjectLayout } from './layout.js';

/** A model moved aside by a new training run or by an import that replaced the dataset. */
export interface ArchivedModel {
  /** The archive folder relative to the project, '/' separators (e.g. `checkpoints/archive/2026-…`). */
  name: string;
  /** The checkpoint folder the archive's `latest.json` names. */
  checkpointDir: string;
  /** The dataset the model was trained on: the archive's own copy, or the project's (a retrain keeps it). */
  datasetDir: string;
}

/**
 * Every archived model of the project whose archive names a checkpoint, oldest first: `checkpoints/archive/<time>/`
 * (a retrain on the same dataset) and `archive/<time>/checkpoints/` (with that archive's `dataset/`).
 */
export async function listArchivedModels(layout: ProjectLayout): Promise<ArchivedModel[]> {
  const found: (ArchivedModel & { stamp: string })[] = [];
  for (const stamp of await folders(layout.archiveDir)) {
    const dir = join(layout.archiveDir, stamp);
    const pointer = await readPointer(layout, join(dir, 'latest.json'));
    if (pointer.kind === 'ok')
      found.push({
        stamp,
        name: rel(layout, dir),
        checkpointDir: pointer.dir,
        datasetDir: layout.datasetDir,
      });
  }
  for (const stamp of await folders(layout.projectArchiveDir)) {
    const dir = join(layout.projectArchiveDir, stamp);
    const pointer = await readPointer(layout, join(dir, 'checkpoints', 'latest.json'));
    if (pointer.kind === 'ok')
      found.push({
        stamp,
        name: rel(layout, dir),
        checkpointDir: pointer.dir,
        datasetDir: join(dir, 'dataset'),
      });
  }
  return found
    .sort((a, b) => a.stamp.localeCompare(b.stamp))
    .map(({ name, checkpointDir, datasetDir }) => ({ name, checkpointDir, datasetDir }));
}

async function folders(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name);
  } catch {
    return [];
  }
}

function rel(layout: ProjectLayout, dir: string): string {
  return relative(layout.root, dir).split(sep).join('/');
}
