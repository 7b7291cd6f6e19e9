import { classLatentSeed, decodeLatents, type ImageBatch, type VaeModel } from '../../engine/index.js';
import type { Checkpoint } from '../../project/index.js';
import { generationFolders, splitByWeights } from '../generationClasses.js';
import type { PreparedSampler } from '../latentSampler.js';

/* A conditional model's samples in a quality report: drawn per class, each knowing the class it was asked for. */

/**
 * The class each image of a scored folder was generated for, when the folder is a conditional model's generation
 * (every image in the class folder `generate` gives one of the model's classes), else null.
 */
export function generatedConditions(
  classes: readonly string[] | undefined,
  folders: readonly string[],
): string[] | null {
  if (!classes) return null;
  const byFolder = new Map(generationFolders(classes).map((folder, k) => [folder, classes[k]!]));
  const conditions: string[] = [];
  for (const folder of folders) {
    const name = byFolder.get(folder);
    if (name === undefined) return null;
    conditions.push(name);
  }
  return conditions;
}

/**
 * `count` samples of a conditional model, split over its classes by the training data's proportions (as
 * `generate --count` splits them): class k's are its stream of `seed` (classLatentSeed), decoded under k. Returns
 * the images, class after class, and the class each one was generated for.
 */
export async function sampleByClass(
  model: VaeModel,
  prepared: PreparedSampler,
  count: number,
  seed: number,
  checkpoint: Checkpoint,
): Promise<{ scored: ImageBatch; conditions: string[] }> {
  const classes = model.config.classes ?? [];
  const weights = checkpoint.meta.dataset.classCounts ?? classes.map(() => 1);
  const counts = splitByWeights(count, weights);
  const z: Float32Array[] = [];
  const labels: number[] = [];
  counts.forEach((n, k) => {
    z.push(...prepared.samplerOf(k).sample(n, classLatentSeed(seed, k), 1));
    for (let i = 0; i < n; i++) labels.push(k);
  });
  const scored = await decodeLatents(model, z, 64, labels);
  return { scored, conditions: labels.map((k) => classes[k]!) };
}
