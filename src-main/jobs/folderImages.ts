import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importFolder, loadDataset, type DatasetManifest, type ImportReport } from '../dataset/index.js';
import type { ImageBatch } from '../engine/index.js';
import { ignoreEvents, jobEvent, type JobContext } from './events.js';

/**
 * The images of a folder decoded exactly as the project's dataset was (its size, colour, fit and background),
 * through a scratch import that is removed afterwards, so held-out or generated images are compared like with
 * like and the project is not touched. `labels` are the images' class folders (first-level subfolders), in order.
 */
export async function readFolderLikeDataset(
  folder: string,
  manifest: DatasetManifest,
  ctx: JobContext = {},
): Promise<{
  images: ImageBatch;
  labels: string[];
  skipped: ImportReport['skipped'];
  /** The scratch import's manifest: the folder's images, paths relative to it, in order. */
  manifest: DatasetManifest;
}> {
  const emit = ctx.emit ?? ignoreEvents;
  const scratch = await mkdtemp(join(tmpdir(), 'vae-studio-folder-'));
  try {
    const report = await importFolder(folder, scratch, {
      size: manifest.size,
      channels: manifest.channels,
      fit: manifest.fit,
      ...(manifest.background ? { background: manifest.background } : {}),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      onProgress: (p) => emit(jobEvent('dataset.importProgress', p)),
    });
    const read = await loadDataset(scratch);
    return {
      images: read.images,
      labels: read.manifest.items.map((item) => item.label),
      skipped: report.skipped,
      manifest: read.manifest,
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
