import { encodeImages, type FeatureSet, type ImageBatch, type VaeModel } from '../engine/index.js';
import { throwIfCancelled } from '../util/errors.js';

/** Images per encoder call, and between two progress reports and cancel checks. */
const BATCH = 256;

/**
 * The latent mean μ(x) of every image of `images` (a conditional model's under each image's own label,
 * `images.labels`), as one `count × latentDim` set, in the images' order. Encoded a batch at a time, with
 * `onProgress(done, total)` after each and a cancel check before it.
 *
 * @throws CancelledError when `signal` aborts.
 */
export async function encodeDatasetLatents(
  model: VaeModel,
  images: ImageBatch,
  options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): Promise<FeatureSet> {
  const dim = model.config.latentDim;
  const { count } = images;
  const values = new Float32Array(count * dim);
  const per = images.size * images.size * images.channels;
  options.onProgress?.(0, count);
  for (let start = 0; start < count; start += BATCH) {
    throwIfCancelled(options.signal);
    const n = Math.min(BATCH, count - start);
    const batch: ImageBatch = {
      pixels: images.pixels.subarray(start * per, (start + n) * per),
      count: n,
      size: images.size,
      channels: images.channels,
      ...(images.labels ? { labels: images.labels.subarray(start, start + n) } : {}),
    };
    const { mu } = await encodeImages(model, batch, BATCH);
    mu.forEach((m, i) => values.set(m, (start + i) * dim));
    options.onProgress?.(start + n, count);
  }
  return { count, dim, values };
}
