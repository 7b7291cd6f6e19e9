import type { ImageBatch } from '../types.js';
import type { FeatureSet } from './featureSet.js';

/** Pixel vectors longer than this are averaged down (2×2 boxes) before a nearest-neighbour search. */
const MAX_PIXEL_DIM = 1024;

/**
 * Images as vectors of their pixel values in [0, 1], scaled by 1/√(values per image) so that the Euclidean
 * distance of two rows is the root-mean-square difference of the two images' pixels. Images of more than
 * {@link MAX_PIXEL_DIM} values are box-averaged by 2×2 until they fit (64×64×3 → 16×16×3), which keeps a search
 * over thousands of training images to seconds and a near-identical pair near 0.
 */
export function pixelFeatures(batch: ImageBatch): FeatureSet & { side: number } {
  const { count, channels } = batch;
  let side = batch.size;
  let pixels = Float32Array.from(batch.pixels, (v) => v / 255);
  while (side * side * channels > MAX_PIXEL_DIM && side % 2 === 0) {
    const half = side / 2;
    const next = new Float32Array(count * half * half * channels);
    for (let i = 0; i < count; i++) {
      const from = i * side * side * channels;
      const to = i * half * half * channels;
      for (let y = 0; y < half; y++)
        for (let x = 0; x < half; x++)
          for (let c = 0; c < channels; c++) {
            const at = (yy: number, xx: number) => pixels[from + (yy * side + xx) * channels + c]!;
            next[to + (y * half + x) * channels + c] =
              (at(2 * y, 2 * x) + at(2 * y, 2 * x + 1) + at(2 * y + 1, 2 * x) + at(2 * y + 1, 2 * x + 1)) / 4;
          }
    }
    pixels = next;
    side = half;
  }
  const dim = side * side * channels;
  const scale = 1 / Math.sqrt(dim);
  for (let i = 0; i < pixels.length; i++) pixels[i]! *= scale;
  return { count, dim, values: pixels, side };
}
