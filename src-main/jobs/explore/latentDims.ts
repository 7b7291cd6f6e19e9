import type { LatentDim } from '../../contract/index.js';
import { latentHealth, pickImages, type ImageBatch, type VaeModel } from '../../engine/index.js';

/** Most images the dimensions are measured on (evenly spread over the dataset): enough for a mean KL to ±few %. */
export const LATENT_DIM_IMAGES = 2000;

/**
 * Each latent dimension's mean KL and the spread of its posterior mean over the images (at most
 * {@link LATENT_DIM_IMAGES} of them, evenly spread), most active first (by KL, then by index).
 */
export async function measureLatentDims(
  model: VaeModel,
  images: ImageBatch,
  signal?: AbortSignal,
): Promise<{ dims: LatentDim[]; measuredOn: number }> {
  const n = Math.min(images.count, LATENT_DIM_IMAGES);
  const picked =
    n === images.count
      ? images
      : pickImages(
          images,
          Array.from({ length: n }, (_, i) => Math.floor((i * images.count) / n)),
        );
  const health = await latentHealth(model, picked, signal ? { signal } : {});
  const dims = health.klPerDim.map((kl, dim) => ({
    dim,
    kl,
    sd: Math.sqrt(health.meanVariance[dim]!),
    active: health.activeDims.includes(dim),
  }));
  dims.sort((a, b) => b.kl - a.kl || a.dim - b.dim);
  return { dims, measuredOn: health.count };
}
