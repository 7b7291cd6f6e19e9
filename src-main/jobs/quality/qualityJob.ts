import { join } from 'node:path';
import { defaultsOf, QUALITY_SETTINGS, type NearCopy, type QualityReport } from '../../contract/index.js';
import {
  dataCopyingZ,
  decodeLatents,
  evaluateNegElbo,
  importanceWeightedBound,
  latentHealth,
  nearestOnBackend,
  pickImages,
  pixelFeatures,
  splitIndices,
  VaeModel,
  type FeatureNetwork,
  type ImageBatch,
  type SamplerKind,
} from '../../engine/index.js';
import {
  loadFeatureNetwork,
  nativeDecoder,
  resolveBackend,
  type BackendPreference,
} from '../../engine/node/index.js';
import {
  excludedIndices,
  listArchivedModels,
  readExclusions,
  loadCheckpoint,
  openProject,
  type Checkpoint,
  type ProjectLayout,
} from '../../project/index.js';
import { throwIfCancelled, UserError } from '../../util/errors.js';
import { makeFolder } from '../../util/folders.js';
import { ignoreEvents, logEvent, type EmitJobEvent, type JobContext } from '../events.js';
import { CLASS_FOLDERS_ADVICE, labelsFor, loadLabelledDataset } from '../datasetLabels.js';
import { readFolderLikeDataset } from '../folderImages.js';
import { prepareSampler } from '../latentSampler.js';
import { loadTrainedModel } from '../loadModel.js';
import { checkCopies, trainingNeighbourhood, type CopyCheck } from './copyDetector.js';
import { datasetFeatures, pickFeatures } from './datasetFeatures.js';
import { Phases } from './phases.js';
import { listQualityReports, qualityDir } from './history.js';
import { generatedConditions, sampleByClass } from './conditionalSamples.js';
import { classAgreement, perClassFigures } from './perClass.js';
import { CLOSEST_SHOWN, writeNeighboursCsv, writeReportDocuments, writeReportImages } from './reportFiles.js';
import { sampleFigures } from './sampleFigures.js';
import { verdictOf } from './verdict.js';

export interface QualityJobInput {
  project: string;
  /** Images to sample from the model when `generated` is not given (QUALITY_SETTINGS). */
  count?: number;
  /** A folder of generated images to score instead (a `generate` output), read like a dataset import. */
  generated?: string;
  /** A folder of held-out real images; default: the project's validation split. */
  data?: string;
  /** Held-out images the importance-weighted bound uses (it costs k decodes each). */
  likelihoodImages?: number;
  /** Importance samples per image (1000 is stable to about 0.1 nats; engine/likelihood.ts). */
  likelihoodSamples?: number;
  seed?: number;
  /** Where the sampled images' latents come from (QUALITY_SETTINGS: the prior, or the checkpoint's mixture). */
  sampler?: SamplerKind;
  /** Score every archived model of the project too, each in a report of its own, before the current one. */
  allModels?: boolean;
  backend?: BackendPreference;
}

/** Fewest images a set may have: the k-NN figures need k + 1 of each. */
const MIN_IMAGES = 10;

/**
 * Scores the project's current model (or a folder of its generated images) against held-out real images and
 * writes `quality/<time>/` in the project: report.json, report.md and report.html with the sample grid, the
 * near-copies beside their training images, neighbours.csv and the trend across the project's reports. With
 * `allModels`, every archived model is scored first (each against its own dataset's held-out images). The
 * features come from the shipped network (engine/node/featureNetwork.ts), so the figures compare this project's
 * sets with each other and are not comparable with published FID numbers. Resolves to the current model's report.
 */
export async function runQuality(input: QualityJobInput, ctx: JobContext = {}): Promise<QualityReport> {
  const emit = ctx.emit ?? ignoreEvents;
  const project = await openProject(input.project);
  const { layout } = project;
  await resolveBackend(input.backend ?? 'auto');
  const network = await loadFeatureNetwork();
  emit(logEvent(`quality features computed on ${network.runtime}`));
  try {
    if (input.allModels) {
      if (input.generated)
        throw new UserError(
          'INVALID_INPUT',
          'generated: a folder of images belongs to one model; score all models by sampling',
        );
      for (const archived of await listArchivedModels(layout)) {
        emit(logEvent(`scoring the archived model in ${archived.name}`));
        const checkpoint = await loadCheckpoint(archived.checkpointDir);
        const model = modelOf(checkpoint);
        try {
          await scoreModel(
            layout,
            archived.datasetDir,
            checkpoint,
            archived.name,
            model,
            network,
            input,
            ctx,
          );
        } finally {
          model.dispose();
        }
      }
    }
    const { model, checkpoint } = await loadTrainedModel(layout, emit);
    try {
      return await scoreModel(layout, layout.datasetDir, checkpoint, null, model, network, input, ctx);
    } finally {
      model.dispose();
    }
  } finally {
    network.dispose();
  }
}

function modelOf(checkpoint: Checkpoint): VaeModel {
  const model = VaeModel.create(checkpoint.meta.config, checkpoint.meta.trainOptions.seed);
  try {
    model.setWeights(checkpoint.weights);
    return model;
  } catch (err) {
    model.dispose();
    throw err;
  }
}

async function scoreModel(
  layout: ProjectLayout,
  datasetDir: string,
  checkpoint: Checkpoint,
  archived: string | null,
  model: VaeModel,
  network: FeatureNetwork,
  input: QualityJobInput,
  ctx: JobContext,
): Promise<QualityReport> {
  const emit: EmitJobEvent = ctx.emit ?? ignoreEvents;
  const started = performance.now();
  const phases = new Phases(emit);
  const defaults = defaultsOf(QUALITY_SETTINGS, {
    imageSize: model.config.imageSize,
    channels: model.config.channels,
  });
  const seed = input.seed ?? defaults.seed;
  const signal = ctx.signal ? { signal: ctx.signal } : {};
  const { manifest, images } = await loadLabelledDataset(datasetDir, model.config);
  const paths = manifest.items.map((item) => item.path);
  const datasetLabels = manifest.items.map((item) => item.label);

  phases.start(
    'dataset features',
    `features of the ${images.count} dataset images (cached after the first report)`,
  );
  const all = await datasetFeatures(layout, datasetDir, images, network, {
    ...ctx,
    onProgress: (p) => phases.advance(p.images, p.count),
  });
  const { valFraction, seed: trainSeed } = checkpoint.meta.trainOptions;
  // The trainer split the images it trained on: the dataset without the images the user excluded.
  const kept = await trainedIndices(layout, datasetDir, manifest);
  const keptSplit = splitIndices(kept.length, valFraction, trainSeed);
  const split = { val: Array.from(keptSplit.val, (i) => kept[i]!) };

  let real: ImageBatch;
  let realLabels: string[];
  let realSource: QualityReport['real']['source'];
  let realFeatures;
  if (input.data) {
    const read = await readFolderLikeDataset(input.data, manifest, ctx);
    enough(read.images.count, `data: ${input.data}`);
    real = read.images;
    // A conditional model's likelihood is that of each image given its class: the folder's class folders.
    if (model.config.conditional)
      real.labels = labelsFor(read.manifest, model.config.classes ?? [], CLASS_FOLDERS_ADVICE);
    realLabels = read.labels;
    realSource = 'folder';
    phases.start('real features', `features of the ${real.count} real images of ${input.data}`, real.count);
    realFeatures = await network.extract(real, {
      ...signal,
      onProgress: (p) => phases.advance(p.images, p.count),
    });
  } else if (split.val.length >= MIN_IMAGES) {
    real = pickImages(images, split.val);
    realLabels = Array.from(split.val, (i) => datasetLabels[i]!);
    realSource = 'validation-split';
    realFeatures = pickFeatures(all, split.val);
  } else {
    enough(images.count, `the dataset in ${datasetDir}`);
    real = images;
    realLabels = datasetLabels;
    realSource = 'training-set';
    realFeatures = all;
    emit(
      logEvent('the model was trained without a validation split: the real images are the training images'),
    );
  }
  const near = await trainingNeighbourhood(
    all,
    paths,
    checkpoint.meta,
    realSource === 'training-set' ? null : realFeatures,
    ctx.signal,
  );

  let scored: ImageBatch;
  let sampler: SamplerKind | null = null;
  /** A conditional model's own samples: the class each was generated for. */
  let conditions: string[] | null = null;
  if (input.generated) {
    const read = await readFolderLikeDataset(input.generated, manifest, ctx);
    scored = read.images;
    enough(scored.count, `generated: ${input.generated}`);
    // A conditional generation's folder (generate's ImageFolder layout) says each image's condition.
    conditions = generatedConditions(model.config.classes, read.labels);
  } else {
    const count = input.count ?? defaults.count;
    enough(count, 'count');
    phases.start('sampling', `sampling ${count} images from the model`);
    sampler = input.sampler ?? defaults.sampler;
    const prepared = await prepareSampler({ kind: sampler, checkpoint, model, datasetDir, images }, ctx);
    if (model.config.conditional) {
      ({ scored, conditions } = await sampleByClass(model, prepared, count, seed, checkpoint));
    } else {
      scored = await decodeLatents(model, prepared.samplerOf(null).sample(count, seed, 1), 64);
    }
  }
  throwIfCancelled(ctx.signal);
  phases.start('scored features', `features of the ${scored.count} scored images`, scored.count);
  const scoredFeatures = await network.extract(scored, {
    ...signal,
    onProgress: (p) => phases.advance(p.images, p.count),
  });

  phases.start('figures and neighbours', 'sample quality, near-copies and nearest training images');
  const figures = sampleFigures(realFeatures, scoredFeatures, seed);
  const checks = await checkCopies(scoredFeatures, near, ctx.signal);
  const trainingImages = pickImages(images, near.trainingIndices);
  const pixelNearest = await nearestOnBackend(pixelFeatures(scored), pixelFeatures(trainingImages), signal);
  const pixelOf = (i: number) => {
    const trainingIndex = near.trainingIndices[pixelNearest.indices[i]!]!;
    return {
      pixelTrainingIndex: trainingIndex,
      pixelTraining: paths[trainingIndex]!,
      pixelDistance: pixelNearest.distances[i]!,
    };
  };
  const flagged = checks.flatMap((c, index) =>
    c.copy
      ? [
          {
            index,
            trainingIndex: c.trainingIndex,
            training: c.training,
            distance: c.distance,
            ...pixelOf(index),
          },
        ]
      : [],
  );
  const labelled = manifest.labels.filter((l) => l !== '').length > 1;
  const nearestLabels = checks.map((c) => datasetLabels[c.trainingIndex]!);
  const perClass = labelled
    ? perClassFigures(
        realFeatures,
        realLabels,
        scoredFeatures,
        conditions ?? nearestLabels,
        checks.map((c) => c.copy),
        seed,
        ...(conditions ? [nearestLabels] : []),
      )
    : [];
  throwIfCancelled(ctx.signal);

  phases.start('likelihood', 'likelihood and latent health on the held-out images');
  const negElbo = await evaluateNegElbo(model, real, 256, seed);
  const iwSet = pickImages(
    real,
    Array.from(
      {
        length: Math.min(real.count, input.likelihoodImages ?? defaults.likelihoodImages),
      },
      (_, i) => i,
    ),
  );
  // The bound and the one-sample −ELBO on the same images, so the two can be compared.
  const negElboOnIwSet = await evaluateNegElbo(model, iwSet, 256, seed);
  const decoder = await nativeDecoder(model);
  let iw: Awaited<ReturnType<typeof importanceWeightedBound>>;
  try {
    iw = await importanceWeightedBound(model, iwSet, {
      k: input.likelihoodSamples ?? defaults.likelihoodSamples,
      seed,
      ...signal,
      decoder,
      onProgress: (p) => phases.advance(p.decodes, p.totalDecodes),
    });
  } finally {
    decoder?.dispose();
  }
  const health = await latentHealth(model, real, signal);

  phases.start('report files', 'writing the report');
  const dir = join(qualityDir(layout.root), new Date().toISOString().replace(/[:.]/g, '-'));
  await makeFolder(dir);
  const shown = await writeReportImages(dir, scored, images, flagged, closestInPixels(checks, pixelOf));
  await writeNeighboursCsv(
    dir,
    checks.map((c, i) => ({ training: c.training, distance: c.distance, copy: c.copy, ...pixelOf(i) })),
  );
  const copies = {
    count: flagged.length,
    fraction: flagged.length / scored.count,
    threshold: near.threshold,
    rule: near.rule,
    dataCopyingZ: dataCopyingZ(
      checks.map((c) => c.distance),
      near.realDistances,
    ),
    files: shown.copies,
    closest: shown.closest,
  };
  const body = {
    createdAt: new Date().toISOString(),
    model: {
      checkpoint: checkpoint.dir,
      epoch: checkpoint.meta.epoch,
      archived,
      savedAt: checkpoint.meta.savedAt,
    },
    scored: {
      source: input.generated ? ('folder' as const) : ('model' as const),
      count: scored.count,
      folder: input.generated ?? null,
      sampler,
    },
    real: { source: realSource, count: real.count },
    featureNetwork: network.name,
    ...figures,
    copies,
    negElbo: negElbo.negElbo,
    negElboBitsPerDim: negElbo.bitsPerDim,
    iwNll: iw.negLogLikelihood,
    iwNegElbo: negElboOnIwSet.negElbo,
    iwBitsPerDim: iw.bitsPerDim,
    iwSamples: iw.k,
    iwImages: iw.count,
    iwStandardError: iw.standardError,
    activeUnits: health.activeUnits,
    latentDim: model.config.latentDim,
    klPerDim: health.klPerDim,
    collapsed: health.collapsed,
    perClass,
    ...(conditions ? { classAgreement: classAgreement(conditions, nearestLabels) } : {}),
    samples: shown.samples,
  };
  const trend = await listQualityReports(layout.root);
  const verdict = verdictOf(body, trend.at(-1) ?? null);
  const report = await writeReportDocuments(
    dir,
    { ...body, verdict, seconds: (performance.now() - started) / 1000, timings: phases.timings() },
    trend,
  );
  emit(logEvent(`report: ${report.markdown}`));
  return report;
}

/** The dataset indices a model of the current dataset trained on (all but the excluded); all for an archived one. */
async function trainedIndices(
  layout: ProjectLayout,
  datasetDir: string,
  manifest: { items: readonly { hash: string }[] },
): Promise<number[]> {
  const excluded =
    datasetDir === layout.datasetDir
      ? new Set(excludedIndices(manifest, await readExclusions(layout)))
      : new Set();
  return manifest.items.flatMap((_, i) => (excluded.has(i) ? [] : [i]));
}

function enough(count: number, what: string): void {
  if (count < MIN_IMAGES)
    throw new UserError(
      'INVALID_INPUT',
      `${what}: ${count} image${count === 1 ? '' : 's'}; the quality report needs at least ${MIN_IMAGES}`,
    );
}

/** The {@link CLOSEST_SHOWN} scored images nearest a training image in pixels, closest first (ties by index). */
function closestInPixels(
  checks: CopyCheck[],
  pixelOf: (i: number) => { pixelTrainingIndex: number; pixelTraining: string; pixelDistance: number },
): Omit<NearCopy, 'image'>[] {
  return checks
    .map((c, index) => ({
      index,
      trainingIndex: c.trainingIndex,
      training: c.training,
      distance: c.distance,
      ...pixelOf(index),
    }))
    .sort((a, b) => a.pixelDistance - b.pixelDistance || a.index - b.index)
    .slice(0, CLOSEST_SHOWN);
}
