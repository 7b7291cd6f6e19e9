import { readFile } from 'node:fs/promises';
import type { RecentProject } from '../contract/index.js';
import { encodeImage, readDatasetManifest, resizeToThumbnail } from '../dataset/index.js';
import { previewFiles, readDatasetImages } from '../jobs/index.js';
import { projectLayout, readLatestCheckpointMeta } from '../project/index.js';
import { toDataUrl } from './dataUrl.js';

/** Longest side of a recent project's thumbnail, in pixels. */
export const THUMBNAIL_SIDE = 96;

/** What the project chooser shows of a recent project besides its name: its counts and a picture. */
export type ProjectCard = Pick<RecentProject, 'images' | 'epochs' | 'thumbnail'>;

const EMPTY: ProjectCard = { images: null, epochs: null, thumbnail: null };

/**
 * Reads a project folder's card: the dataset's image count, the model's epochs, and a thumbnail (the model's
 * latest sample grid, else the dataset's first image). A part that cannot be read is left out (null): the card
 * is a convenience, never worth failing the list over.
 */
export async function readProjectCard(root: string): Promise<ProjectCard> {
  const layout = projectLayout(root);
  const manifest = await readDatasetManifest(layout.datasetDir).catch(() => null);
  const model = await readLatestCheckpointMeta(layout).catch(() => null);
  let thumbnail: Uint8Array | null = null;
  if (model) {
    const samples = await readFile(previewFiles(layout, model.meta.epoch).samples).catch(() => null);
    thumbnail = samples && (await resizeToThumbnail(samples, THUMBNAIL_SIDE).catch(() => null));
  }
  if (!thumbnail && manifest && manifest.count > 0) {
    thumbnail = await readDatasetImages(layout.datasetDir, manifest, [0])
      .then(([pixels]) => encodeImage(pixels!, manifest.size, manifest.size, manifest.channels, 'png'))
      .catch(() => null);
  }
  return {
    ...EMPTY,
    images: manifest?.count ?? null,
    epochs: model?.meta.epoch ?? null,
    thumbnail: thumbnail ? toDataUrl(thumbnail) : null,
  };
}

/** The card of a folder that is gone. */
export function missingProjectCard(): ProjectCard {
  return { ...EMPTY };
}
