import { resolve } from 'node:path';
import { readDatasetManifest, type DatasetManifest } from '../../dataset/index.js';
import type { ImageBatch, VaeConfig } from '../../engine/index.js';
import { excludedIndices, readExclusions, type ProjectLayout } from '../../project/index.js';
import { UserError } from '../../util/errors.js';
import { CLASS_FOLDERS_ADVICE, labelsFor, loadLabelledDataset } from '../datasetLabels.js';
import type { JobContext } from '../events.js';
import { readFolderLikeDataset } from '../folderImages.js';

/** The images a ranking scores: the project's dataset, or another folder read as the dataset was imported. */
export interface ScoredImages {
  source: 'dataset' | 'folder';
  /** The folder `files` are relative to. */
  folder: string;
  images: ImageBatch;
  files: string[];
  labels: string[];
  /** Dataset indices (the dataset's images), else null. */
  indices: number[] | null;
  /** The dataset's images excluded from training now, as indices into `images` (none for a folder). */
  excluded: Set<number>;
  /** How many images of the dataset are excluded (also for a folder, for the report). */
  excludedCount: number;
}

/**
 * The dataset's images as `config`'s model reads them (a conditional model's with their classes), or those of
 * `folder` decoded like the dataset (its size, colour and fit; the model's when the project has no dataset).
 * @throws UserError NO_DATASET, DATASET_CHANGED when the dataset no longer fits the model, NO_IMAGES for an empty
 *   folder.
 */
export async function readScoredImages(
  layout: ProjectLayout,
  config: VaeConfig,
  folder: string | undefined,
  ctx: JobContext,
): Promise<ScoredImages> {
  const manifest = await readDatasetManifest(layout.datasetDir);
  const exclusions = manifest ? excludedIndices(manifest, await readExclusions(layout)) : [];
  if (folder) {
    const read = await readFolderLikeDataset(resolve(folder), likeDataset(manifest, config), ctx);
    if (read.images.count === 0)
      throw new UserError('NO_IMAGES', `data: ${folder} holds no image that could be read`);
    if (config.conditional)
      read.images.labels = labelsFor(read.manifest, config.classes ?? [], CLASS_FOLDERS_ADVICE);
    return {
      source: 'folder',
      folder: resolve(folder),
      images: read.images,
      files: read.manifest.items.map((item) => item.path),
      labels: read.labels,
      indices: null,
      excluded: new Set(),
      excludedCount: exclusions.length,
    };
  }
  if (!manifest) throw new UserError('NO_DATASET', `${layout.root} has no dataset; import images first`);
  if (manifest.size !== config.imageSize || manifest.channels !== config.channels) {
    throw new UserError(
      'DATASET_CHANGED',
      `the dataset's images are ${manifest.size}×${manifest.size}×${manifest.channels} but the model was trained ` +
        `on ${config.imageSize}×${config.imageSize}×${config.channels} images; train again to rank them`,
    );
  }
  const { images } = await loadLabelledDataset(layout.datasetDir, config);
  return {
    source: 'dataset',
    folder: manifest.sourceRoot,
    images,
    files: manifest.items.map((item) => item.path),
    labels: manifest.items.map((item) => item.label),
    indices: manifest.items.map((_, i) => i),
    excluded: new Set(exclusions),
    excludedCount: exclusions.length,
  };
}

/** How another folder is decoded: with the dataset's fit and background (if any) at the model's size. */
function likeDataset(manifest: DatasetManifest | null, config: VaeConfig): DatasetManifest {
  const base: DatasetManifest = manifest ?? {
    version: 1,
    count: 0,
    size: config.imageSize,
    channels: config.channels,
    fit: 'cover',
    background: '#ffffff',
    labels: [],
    items: [],
    sourceRoot: '',
    createdAt: '',
  };
  return { ...base, size: config.imageSize, channels: config.channels };
}
