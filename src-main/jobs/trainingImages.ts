import type { DatasetManifest } from '../dataset/index.js';
import { pickImages, type ImageBatch } from '../engine/index.js';
import { excludedIndices, readExclusions, type ProjectLayout } from '../project/index.js';
import { UserError } from '../util/errors.js';

/**
 * The dataset as training sees it: without the images the user excluded (project/exclusions.ts). The manifest's
 * items, count and the pixels are those of the images kept, in dataset order; `excluded` says how many were left
 * out. A project without exclusions gets its dataset as it is.
 * @throws UserError DATASET_EMPTY when every image is excluded.
 */
export async function withoutExcluded(
  layout: ProjectLayout,
  manifest: DatasetManifest,
  images: ImageBatch,
): Promise<{ manifest: DatasetManifest; images: ImageBatch; excluded: number; kept: number[] }> {
  const out = new Set(excludedIndices(manifest, await readExclusions(layout)));
  const all = manifest.items.map((_, i) => i);
  if (out.size === 0) return { manifest, images, excluded: 0, kept: all };
  const kept = all.filter((i) => !out.has(i));
  if (kept.length === 0)
    throw new UserError(
      'DATASET_EMPTY',
      `all ${manifest.count} images of the dataset are excluded from training; include some again first`,
    );
  const items = kept.map((i) => manifest.items[i]!);
  const labels = [...new Set(items.map((item) => item.label))].sort();
  return {
    manifest: { ...manifest, count: kept.length, items, labels },
    images: pickImages(images, kept),
    excluded: out.size,
    kept,
  };
}
