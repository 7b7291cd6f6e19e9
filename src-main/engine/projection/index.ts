/**
 * The projection room: a set of vectors (a dataset's latent means) laid out in 2-D for the latent map, by PCA
 * (exact, no randomness) or UMAP (typed arrays after umap-learn, seeded by the engine's Rng), and a figure of how well a layout keeps
 * known classes apart. Plain JavaScript, no tensors, so it runs alike in a worker, a page or a test.
 */
import type { FeatureSet } from '../quality/featureSet.js';
import { principalComponents, projectOnto } from './pca.js';
import { umapLayout, type UmapOptions } from './umap.js';

export { principalComponents, projectOnto, type PrincipalComponents } from './pca.js';
export {
  umapLayout,
  defaultUmapEpochs,
  DEFAULT_UMAP_MIN_DIST,
  DEFAULT_UMAP_NEIGHBOURS,
  UMAP_INPUT_DIMS,
  type UmapOptions,
  type UmapPhase,
} from './umap.js';
export { neighbourClassAgreement, AGREEMENT_NEIGHBOURS } from './classAgreement.js';

/** How a map is laid out. */
export type ProjectionMethod = 'umap' | 'pca';

/**
 * `set` laid out in 2-D: `count × 2` float32, row-major. PCA takes the two leading principal components (the seed
 * plays no part); UMAP is reproducible by its seed.
 */
export async function projectTo2d(
  set: FeatureSet,
  method: ProjectionMethod,
  options: UmapOptions,
): Promise<Float32Array> {
  if (method === 'umap') return umapLayout(set, options);
  const flat = projectOnto(set, principalComponents(set, 2));
  if (flat.dim === 2) return flat.values;
  // A 1-D set: its one component, on the x axis.
  const out = new Float32Array(set.count * 2);
  for (let i = 0; i < set.count; i++) out[i * 2] = flat.values[i]!;
  return out;
}
