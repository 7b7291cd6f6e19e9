import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadDataset } from '../dataset/index.js';
import {
  decodeLatents,
  evaluateNegElbo,
  fid,
  importanceWeightedBound,
  kid,
  latentHealth,
  manifoldMetrics,
  nearestNeighbours,
  pickImages,
  sampleLatents,
  splitIndices,
  type ImageBatch,
} from '../engine/index.js';
import { loadFeatureNetwork, resolveBackend, type BackendPreference } from '../engine/node/index.js';
import { openProject, type ProjectLayout } from '../project/index.js';
import { throwIfCancelled } from '../util/errors.js';
import { makeFolder } from '../util/folders.js';
import { writeJsonAtomic } from '../util/atomicWrite.js';
import { ignoreEvents, logEvent, type EmitJobEvent, type JobContext } from './events.js';
import { readFolderLikeDataset } from './folderImages.js';
import { loadTrainedModel } from './loadModel.js';

export interface QualityJobInput {
  project: string;
  /** Images to sample from the model when `generated` is not given (QUALITY_SETTINGS: default 1000). */
  count?: number;
  /** A folder of generated images to score instead (a `generate` output), read like a dataset import. */
  generated?: string;
  /** A folder of held-out real images; default: the project's validation split. */
  data?: string;
  /** Held-out images the importance-weighted bound uses (it costs k decodes each). Default 100. */
  likelihoodImages?: number;
  /** Importance samples per image. Default 1000 (stable to about 0.1 nats; engine/likelihood.ts). */
  likelihoodSamples?: number;
  seed?: number;
  backend?: BackendPreference;
}

/** One scored image judged a near-copy of a training image. */
export interface NearCopy {
  /** Index among the scored images (the sampled ones, or the files of `generated` in sorted order). */
  index: number;
  /** The training image's path in the dataset. */
  training: string;
  /** Distance in feature space to that training image. */
  distance: number;
}

/** The report's figures; numbers are plain numbers. */
export interface QualityJobResult {
  report: string;
  markdown: string;
  scored: { source: 'model' | 'folder'; count: number };
  real: { source: 'validation-split' | 'training-set' | 'folder'; count: number };
  featureNetwork: string;
  fid: number;
  kid: number;
  kidStandardError: number;
  precision: number;
  recall: number;
  density: number;
  coverage: number;
  copies: { count: number; fraction: number; threshold: number; rule: string; files: NearCopy[] };
  negElbo: number;
  negElboBitsPerDim: number;
  iwNll: number;
  /** The one-sample −ELBO on the images of the bound, which the bound never exceeds (in expectation). */
  iwNegElbo: number;
  iwBitsPerDim: number;
  iwSamples: number;
  iwImages: number;
  activeUnits: number;
  latentDim: number;
  klPerDim: number[];
  collapsed: boolean;
  epoch: number;
  seconds: number;
  verdict: string[];
}

const COPY_RULE =
  'a scored image is a near-copy when its nearest training image (in feature space) is closer than every ' +
  'held-out real image is to its own nearest training image';

/**
 * Scores the project's current model (or a folder of its generated images) against held-out real images and
 * writes `quality/<time>/report.json` and `report.md` in the project. The features come from the shipped network
 * (engine/node/featureNetwork.ts), so the figures compare this project's sets with each other and are not
 * comparable with published FID numbers.
 */
export async function runQuality(input: QualityJobInput, ctx: JobContext = {}): Promise<QualityJobResult> {
  const emit = ctx.emit ?? ignoreEvents;
  const started = performance.now();
  const project = await openProject(input.project);
  const { layout } = project;
  await resolveBackend(input.backend ?? 'auto');
  const { model, checkpoint } = await loadTrainedModel(layout, emit);
  const network = await loadFeatureNetwork();
  const seed = input.seed ?? 0;
  try {
    const { manifest, images } = await loadDataset(layout.datasetDir);
    const { valFraction, seed: trainSeed } = checkpoint.meta.trainOptions;
    const split = splitIndices(images.count, valFraction, trainSeed);
    const trainIndices =
      split.train.length > 0 ? split.train : Array.from({ length: images.count }, (_, i) => i);
    const training = pickImages(images, trainIndices);
    const trainingPaths = Array.from(trainIndices, (i) => manifest.items[i]!.path);

    let real: ImageBatch;
    let realSource: QualityJobResult['real']['source'];
    if (input.data) {
      real = (await readFolderLikeDataset(input.data, manifest, ctx)).images;
      realSource = 'folder';
    } else if (split.val.length > 0) {
      real = pickImages(images, split.val);
      realSource = 'validation-split';
    } else {
      real = images;
      realSource = 'training-set';
      emit(logEvent('the model was trained without a validation split: real images are the training images'));
    }

    let scored: ImageBatch;
    if (input.generated) {
      scored = (await readFolderLikeDataset(input.generated, manifest, ctx)).images;
    } else {
      const count = input.count ?? 1000;
      emit(logEvent(`sampling ${count} images from the model`));
      scored = await decodeLatents(model, sampleLatents(count, model.config.latentDim, seed, 1), 64);
    }
    throwIfCancelled(ctx.signal);

    emit(
      logEvent(
        `features of ${real.count} real, ${scored.count} scored and ${training.count} training images`,
      ),
    );
    const extract = (batch: ImageBatch) => network.extract(batch, ctx.signal ? { signal: ctx.signal } : {});
    const realFeatures = await extract(real);
    const scoredFeatures = await extract(scored);
    const trainingFeatures = await extract(training);

    const k = kid(realFeatures, scoredFeatures, { seed });
    const manifold = manifoldMetrics(realFeatures, scoredFeatures);
    const copies = nearCopies(realFeatures, scoredFeatures, trainingFeatures, trainingPaths);

    emit(logEvent('likelihood and latent health on the held-out images'));
    const negElbo = await evaluateNegElbo(model, real, 256, seed);
    const iwImages = Math.min(real.count, input.likelihoodImages ?? 100);
    const iwSet = pickImages(
      real,
      Array.from({ length: iwImages }, (_, i) => i),
    );
    // The bound and the one-sample −ELBO on the same images, so the two can be compared.
    const negElboOnIwSet = await evaluateNegElbo(model, iwSet, 256, seed);
    const iw = await importanceWeightedBound(model, iwSet, {
      ...(input.likelihoodSamples ? { k: input.likelihoodSamples } : {}),
      seed,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    const health = await latentHealth(model, real, ctx.signal ? { signal: ctx.signal } : {});

    const figures = {
      scored: { source: input.generated ? ('folder' as const) : ('model' as const), count: scored.count },
      real: { source: realSource, count: real.count },
      featureNetwork: network.name,
      fid: fid(realFeatures, scoredFeatures),
      kid: k.mean,
      kidStandardError: k.standardError,
      precision: manifold.precision,
      recall: manifold.recall,
      density: manifold.density,
      coverage: manifold.coverage,
      copies,
      negElbo: negElbo.negElbo,
      negElboBitsPerDim: negElbo.bitsPerDim,
      iwNll: iw.negLogLikelihood,
      iwNegElbo: negElboOnIwSet.negElbo,
      iwBitsPerDim: iw.bitsPerDim,
      iwSamples: iw.k,
      iwImages: iw.count,
      activeUnits: health.activeUnits,
      latentDim: model.config.latentDim,
      klPerDim: health.klPerDim,
      collapsed: health.collapsed,
      epoch: checkpoint.meta.epoch,
    };
    const verdict = verdictOf(figures);
    const seconds = (performance.now() - started) / 1000;
    const paths = await writeReport(
      layout,
      { ...figures, verdict, seconds, checkpoint: checkpoint.dir },
      emit,
    );
    return { ...figures, ...paths, verdict, seconds };
  } finally {
    network.dispose();
    model.dispose();
  }
}

function nearCopies(
  real: Parameters<typeof nearestNeighbours>[0],
  scored: Parameters<typeof nearestNeighbours>[0],
  training: Parameters<typeof nearestNeighbours>[1],
  trainingPaths: string[],
): QualityJobResult['copies'] {
  const realToTraining = nearestNeighbours(real, training, 1).distances;
  const threshold = Math.min(...realToTraining);
  const nearest = nearestNeighbours(scored, training, 1);
  const files: NearCopy[] = [];
  nearest.distances.forEach((distance, index) => {
    if (distance < threshold)
      files.push({ index, training: trainingPaths[nearest.indices[index]!]!, distance });
  });
  return { count: files.length, fraction: files.length / scored.count, threshold, rule: COPY_RULE, files };
}

type Figures = Omit<QualityJobResult, 'report' | 'markdown' | 'verdict' | 'seconds'>;

/** What the figures mean, in words for a person, most useful first. */
function verdictOf(f: Figures): string[] {
  const pct = (x: number) => `${Math.round(x * 100)} %`;
  const lines = [
    `The samples cover ${pct(f.coverage)} of the real images' variety (coverage) and ${pct(f.precision)} of them look like real images (precision).`,
    f.copies.count === 0
      ? `No near-copies of training images among ${f.scored.count} images.`
      : `${f.copies.count} of ${f.scored.count} images (${pct(f.copies.fraction)}) are near-copies of training images.`,
    `${f.activeUnits} of ${f.latentDim} latent dimensions are in use.`,
  ];
  if (f.collapsed)
    lines.push('The posterior has collapsed (the model ignores its latent code): lower β or use KL warm-up.');
  else if (f.recall < 0.2 && f.precision < 0.5)
    lines.push('The model is underfit: train longer, or raise the width or the latent size.');
  else if (f.recall < 0.2)
    lines.push('The samples miss much of the real variety: lower β or raise the latent size.');
  return lines;
}

async function writeReport(
  layout: ProjectLayout,
  report: Figures & { verdict: string[]; seconds: number; checkpoint: string },
  emit: EmitJobEvent,
): Promise<{ report: string; markdown: string }> {
  const dir = join(layout.root, 'quality', new Date().toISOString().replace(/[:.]/g, '-'));
  await makeFolder(dir);
  const json = join(dir, 'report.json');
  const markdown = join(dir, 'report.md');
  await writeJsonAtomic(json, report);
  const n = (x: number, digits = 3) => x.toFixed(digits);
  await writeFile(
    markdown,
    [
      `# Quality of the model at epoch ${report.epoch}`,
      '',
      ...report.verdict.map((l) => `- ${l}`),
      '',
      `Scored: ${report.scored.count} images (${report.scored.source === 'model' ? 'sampled from the model' : 'from a folder'}); real: ${report.real.count} held-out images (${report.real.source}).`,
      `Features: ${report.featureNetwork}.`,
      '',
      '| figure | value |',
      '| --- | ---: |',
      `| FID (these features) | ${n(report.fid)} |`,
      `| KID | ${n(report.kid, 4)} ± ${n(report.kidStandardError, 4)} |`,
      `| precision / recall (k = 3) | ${n(report.precision)} / ${n(report.recall)} |`,
      `| density / coverage (k = 5) | ${n(report.density)} / ${n(report.coverage)} |`,
      `| near-copies | ${report.copies.count} (${n(report.copies.fraction * 100, 1)} %) |`,
      `| −ELBO, nats/image (bits/dim) | ${n(report.negElbo, 2)} (${n(report.negElboBitsPerDim, 4)}) |`,
      `| importance-weighted −log p(x), k = ${report.iwSamples}, on ${report.iwImages} images (their −ELBO: ${n(report.iwNegElbo, 2)}) | ${n(report.iwNll, 2)} (${n(report.iwBitsPerDim, 4)}) |`,
      `| active latent units | ${report.activeUnits} of ${report.latentDim} |`,
      '',
      `Near-copy rule: ${report.copies.rule} (${n(report.copies.threshold, 4)}).`,
      '',
      `Checkpoint: ${report.checkpoint}. Took ${report.seconds.toFixed(1)} s.`,
      '',
    ].join('\n'),
  );
  emit(logEvent(`report: ${markdown}`));
  return { report: json, markdown };
}
