import { createHash } from 'node:crypto';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MANIFEST_FILE } from '../../dataset/index.js';
import type { FeatureExtractOptions, FeatureNetwork, FeatureSet, ImageBatch } from '../../engine/index.js';
import type { ProjectLayout } from '../../project/index.js';
import { writeFileAtomic } from '../../util/atomicWrite.js';
import { makeFolder } from '../../util/folders.js';
import { log } from '../../util/log.js';
import type { JobContext } from '../events.js';

/** Feature caches kept in `quality/.features/`. */
const KEEP_CACHES = 4;

/** Where the features of the project's dataset are kept between reports: `quality/.features/`. */
export function featureCacheDir(layout: ProjectLayout): string {
  return join(layout.root, 'quality', '.features');
}

/**
 * The features of every image of the project's dataset, in dataset order, from the cache when the dataset and the
 * network are the ones it was made from (keyed by a hash of the dataset's manifest and the network's name), else
 * extracted and cached. Training and validation images are rows of it, so a report only extracts what it scores.
 * The newest {@link KEEP_CACHES} cache files are kept (the current dataset's and archived models' datasets').
 */
export async function datasetFeatures(
  layout: ProjectLayout,
  datasetDir: string,
  images: ImageBatch,
  network: FeatureNetwork,
  ctx: JobContext & Pick<FeatureExtractOptions, 'onProgress'> = {},
): Promise<FeatureSet> {
  const manifest = await readFile(join(datasetDir, MANIFEST_FILE));
  const key = createHash('sha256')
    .update(manifest)
    .update('\0')
    .update(network.name)
    .digest('hex')
    .slice(0, 16);
  const dir = featureCacheDir(layout);
  const file = join(dir, `dataset-${key}.f32`);
  const expected = images.count * network.dim * 4;
  try {
    const bytes = await readFile(file);
    if (bytes.length === expected) {
      const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
      return { count: images.count, dim: network.dim, values };
    }
  } catch {
    // No cache yet: extract below.
  }
  const features = await network.extract(images, {
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}),
  });
  try {
    await makeFolder(dir);
    await writeFileAtomic(file, new Uint8Array(features.values.buffer, features.values.byteOffset, expected));
    const caches = await Promise.all(
      (await readdir(dir))
        .filter((name) => name.startsWith('dataset-') && name.endsWith('.f32'))
        .map(async (name) => ({ name, time: (await stat(join(dir, name))).mtimeMs })),
    );
    for (const old of caches.sort((a, b) => b.time - a.time).slice(KEEP_CACHES))
      await rm(join(dir, old.name), { force: true });
  } catch (err) {
    // A cache that cannot be written only costs time next report.
    log.warn('quality', `cannot cache dataset features in ${dir}`, err);
  }
  return features;
}

/** The rows `indices` of a feature set, as a new set. */
export function pickFeatures(set: FeatureSet, indices: ArrayLike<number>): FeatureSet {
  const values = new Float32Array(indices.length * set.dim);
  for (let r = 0; r < indices.length; r++) {
    const from = indices[r]! * set.dim;
    values.set(set.values.subarray(from, from + set.dim), r * set.dim);
  }
  return { count: indices.length, dim: set.dim, values };
}
