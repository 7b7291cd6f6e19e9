import { classIndices, loadDataset, type DatasetManifest } from '../dataset/index.js';
import type { ImageBatch, VaeConfig } from '../engine/index.js';
import { UserError } from '../util/errors.js';

/** What a folder of images that is not the model's own dataset needs, for {@link labelsFor}'s message. */
export const CLASS_FOLDERS_ADVICE = "put each image in the folder of its class (the model's class names)";

/**
 * Each image's class index into a conditional model's classes (its `config.classes`, the one-hot order).
 * @throws UserError DATASET_CHANGED when an image's folder is not one of them (the dataset was re-imported with
 *   other classes since the model was trained), ending with `advice`.
 */
export function labelsFor(
  manifest: Pick<DatasetManifest, 'items'>,
  classes: readonly string[],
  advice = 'the dataset was imported again since the model was trained; train a new model',
): Uint16Array {
  const found = classIndices(manifest, classes);
  if ('labels' in found) return found.labels;
  const { path, label } = found.unknown;
  const where = label === '' ? 'is at the top level of the imported folder' : `is in the folder "${label}"`;
  throw new UserError(
    'DATASET_CHANGED',
    `the model is conditional on the classes ${classes.join(', ')}, but ${path} ${where}, which is none of ` +
      `them; ${advice}`,
  );
}

/**
 * The dataset of `datasetDir` as a model of `config` reads it: its images, and for a conditional model each one's
 * class index (`images.labels`).
 * @throws UserError as loadDataset does, or DATASET_CHANGED (see {@link labelsFor}).
 */
export async function loadLabelledDataset(
  datasetDir: string,
  config: VaeConfig,
): Promise<{ manifest: DatasetManifest; images: ImageBatch }> {
  const { manifest, images } = await loadDataset(datasetDir);
  if (config.conditional) images.labels = labelsFor(manifest, config.classes ?? []);
  return { manifest, images };
}
