import type { ImageFormat } from '../dataset/index.js';
import type { SamplerKind } from '../engine/index.js';
import { UserError } from '../util/errors.js';
import type { GenerationManifest } from './generationManifest.js';
import { REJECTED_JSONL, type RejectedList } from './rejectedCopies.js';

/*
 * What a generation refuses before it writes anything into a folder that already holds images: images of one
 * (seed, index) from two models, temperatures, samplers or formats, and images with classes beside images without.
 */

/**
 * Refuses a conditional run into a folder of images without classes, and the other way round: a conditional
 * generation's folder is a labelled dataset, in which an image without a class would belong nowhere.
 */
export function refuseMixedKinds(
  manifest: GenerationManifest,
  rejected: RejectedList,
  out: string,
  conditional: boolean,
): void {
  const other = [...manifest.rows, ...rejected.rows].find((row) => (row.class !== undefined) !== conditional);
  if (!other) return;
  throw new UserError(
    'OUTPUT_EXISTS',
    conditional
      ? `${out} already holds images without classes (seed ${other.seed}), and this model draws them by class ` +
          'into class folders; nothing was written. Generate into another folder.'
      : `${out} already holds images by class (class folders, seed ${other.seed}), and this model has no ` +
          'classes; nothing was written. Generate into another folder.',
  );
}

/**
 * Refuses a run whose seed the folder already holds images of from another model, temperature, sampler or format: one
 * (seed, index) means one image in a manifest, so a second model's image of it would have to replace the first
 * or sit beside it under the same key. The near-copies rejected.jsonl lists count too (not their format: they
 * have no file), since another model's verdict on an index says nothing about this model's image of it.
 */
export function refuseMixedSeed(
  manifest: GenerationManifest,
  rejected: RejectedList,
  out: string,
  run: {
    seed: number;
    temperature: number;
    sampler: SamplerKind;
    samplerSha256?: string;
    format: ImageFormat;
    weightsSha256: string;
    epoch: number;
  },
): void {
  const ofSeed = manifest.rows.filter((row) => row.seed === run.seed);
  const leftOut = rejected.rows.filter((row) => row.seed === run.seed);
  // A row from before the sampler was recorded was drawn from the prior.
  const samplerOf = (row: DrawnRow) => row.sampler ?? 'prior';
  const otherSampler = (row: DrawnRow) =>
    samplerOf(row) !== run.sampler || row.samplerSha256 !== run.samplerSha256;
  const otherModel = (row: DrawnRow) =>
    row.weightsSha256 !== run.weightsSha256 || row.temperature !== run.temperature || otherSampler(row);
  const other =
    ofSeed.find((row) => otherModel(row) || !row.file.endsWith(`.${run.format}`)) ?? leftOut.find(otherModel);
  if (!other) return;
  const why =
    other.weightsSha256 !== run.weightsSha256
      ? `another model (weights ${other.weightsSha256?.slice(0, 12) ?? 'unknown'}…, epoch ${other.epoch ?? '?'}; the project's model ` +
        `is now ${run.weightsSha256.slice(0, 12)}…, epoch ${run.epoch})`
      : other.temperature !== run.temperature
        ? `temperature ${other.temperature} (this run: ${run.temperature})`
        : otherSampler(other)
          ? samplerOf(other) !== run.sampler
            ? `the ${samplerOf(other)} sampler (this run: ${run.sampler})`
            : `another fit of the gmm sampler (${other.samplerSha256?.slice(0, 12) ?? 'unknown'}…; this run: ` +
              `${run.samplerSha256?.slice(0, 12) ?? 'unknown'}…)`
          : `another format (${'file' in other ? other.file : '?'}; this run: ${run.format})`;
  const held = [
    ofSeed.length || !leftOut.length ? `${ofSeed.length} images` : '',
    leftOut.length ? `${leftOut.length} near-copies left out (${REJECTED_JSONL})` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  throw new UserError(
    'OUTPUT_EXISTS',
    `${out} already holds ${held} of seed ${run.seed} made with ${why}; nothing was written. ` +
      `Generate into another folder, or with another seed.`,
  );
}

/** What the refusal compares of a manifest row or a rejected row. */
interface DrawnRow {
  weightsSha256?: string;
  temperature?: number;
  sampler?: SamplerKind;
  samplerSha256?: string;
  epoch?: number;
}
