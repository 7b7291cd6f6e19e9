import type {
  BackendInfo,
  DatasetSummary,
  EpochMetrics,
  LossTerms,
  ModelSummary,
  ProjectSummary,
  QualityHistoryEntry,
  QualityReport,
  TrainResult,
  TrainRun,
} from '../../src-renderer/src/api/contract';

export function backendInfo(overrides: Partial<BackendInfo> = {}): BackendInfo {
  return {
    backend: 'wasm',
    device: 'cpu',
    package: '@tensorflow/tfjs-backend-wasm',
    reason: 'No native TensorFlow binding is installed, so the WebAssembly backend runs on the CPU.',
    attempts: [
      { backend: 'tensorflow', ok: false, detail: 'not installed' },
      { backend: 'wasm', ok: true, detail: 'loaded' },
    ],
    threads: 8,
    ...overrides,
  };
}

export function loss(negElbo: number): LossTerms {
  return { reconstruction: negElbo * 0.8, kl: negElbo * 0.2, negElbo, bitsPerDim: negElbo / 1000 };
}

export function epochMetrics(epoch: number, withVal = true): EpochMetrics {
  const train = 200 / epoch;
  return {
    epoch,
    train: loss(train),
    val: withVal ? loss(train * 1.1) : null,
    beta: 1,
    seconds: 2,
    imagesPerSec: 500,
  };
}

export function datasetSummary(overrides: Partial<DatasetSummary> = {}): DatasetSummary {
  return {
    count: 120,
    size: 28,
    channels: 1,
    fit: 'cover',
    labels: ['cats', 'dogs'],
    perLabel: { cats: 70, dogs: 50 },
    sourceRoot: '/data/pets',
    skipped: [{ path: 'notes.txt', reason: 'not an image' }],
    duplicates: [
      { path: 'cats/copy of tom.png', duplicateOf: 'cats/tom.png' },
      { path: 'dogs/tom again.png', duplicateOf: 'cats/tom.png' },
    ],
    ...overrides,
  };
}

export function modelSummary(epoch: number, overrides: Partial<ModelSummary> = {}): ModelSummary {
  return {
    checkpoint: '/p/checkpoints/latest',
    epoch,
    config: {
      imageSize: 28,
      channels: 1,
      latentDim: 16,
      beta: 2,
      width: 32,
      likelihood: 'bernoulli',
      gaussianSigma: 0.1,
      conditional: false,
    },
    trainOptions: {
      epochs: epoch,
      batchSize: 32,
      learningRate: 0.002,
      lrWarmupSteps: 0,
      seed: 7,
      valFraction: 0.1,
      klWarmupEpochs: 0,
      freeBits: 0,
      gradClipNorm: 0,
    },
    backend: 'wasm',
    savedAt: '2025-01-01T00:00:00Z',
    last: epoch > 0 ? epochMetrics(epoch) : null,
    ...overrides,
  };
}

export function projectSummary(
  options: { dataset?: DatasetSummary | null; model?: ModelSummary | null; root?: string } = {},
): ProjectSummary {
  const root = options.root ?? '/home/ada/vae-projects/pets';
  return {
    root,
    name: 'pets',
    createdAt: '2025-01-01T00:00:00Z',
    dataset: options.dataset === undefined ? datasetSummary() : options.dataset,
    model: options.model ?? null,
    modelArchive: `${root}/checkpoints/archive`,
  };
}

export function trainResult(overrides: Partial<TrainResult> = {}): TrainResult {
  return {
    backend: backendInfo({
      backend: 'tensorflow',
      device: 'gpu',
      package: '@tensorflow/tfjs-node-gpu',
      reason: 'CUDA found.',
    }),
    config: modelSummary(1).config,
    options: modelSummary(1).trainOptions,
    startEpoch: 0,
    epochs: 3,
    final: epochMetrics(3),
    cancelled: false,
    checkpoint: '/p/checkpoints/latest',
    archivedPrevious: null,
    imagesPerSec: 480,
    guidance: [],
    ...overrides,
  };
}

/** A run as `training.run` and `training.status` describe it: latent 12, β 0.5, 40 epochs on 28×28×1 images. */
export function trainRun(overrides: Partial<TrainRun> = {}): TrainRun {
  const base = modelSummary(0);
  return {
    config: { ...base.config, latentDim: 12, beta: 0.5 },
    options: { ...base.trainOptions, epochs: 40, batchSize: 16, seed: 3 },
    startEpoch: 0,
    backend: backendInfo(),
    ...overrides,
  };
}

/** A report of `quality/<stamp>/` in the project of {@link projectSummary}, with `copies` near-copies. */
export function qualityReport(
  options: { stamp?: string; epoch?: number; copies?: number } = {},
  overrides: Partial<QualityReport> = {},
): QualityReport {
  const folder = `/home/ada/vae-projects/pets/quality/${options.stamp ?? '2025-01-02T10-00-00-000Z'}`;
  const copies = options.copies ?? 0;
  return {
    report: `${folder}/report.json`,
    markdown: `${folder}/report.md`,
    html: `${folder}/report.html`,
    createdAt: '2025-01-02T10:00:00.000Z',
    model: {
      checkpoint: '/p/checkpoints/epoch-0005',
      epoch: options.epoch ?? 5,
      archived: null,
      savedAt: '2025-01-01T00:00:00Z',
    },
    scored: { source: 'model', count: 40, folder: null },
    real: { source: 'validation-split', count: 12 },
    featureNetwork: 'nsfwjs MobileNetV2 (not Inception/FID-comparable)',
    fid: 12.345678,
    kid: 0.0123,
    kidStandardError: 0.0021,
    precision: 0.734,
    recall: 0.41,
    density: 0.912,
    coverage: 0.583,
    copies: {
      count: copies,
      fraction: copies / 40,
      threshold: 0.5,
      rule: 'closer than every held-out image',
      dataCopyingZ: 0.4,
      files: Array.from({ length: copies }, (_, i) => ({
        index: i * 3,
        image: `${folder}/copies/copy-${i}.png`,
        trainingIndex: i,
        training: `a/img-${i}.png`,
        distance: 0.1 + i / 100,
        pixelTrainingIndex: i + 1,
        pixelTraining: `b/img-${i + 1}.png`,
        pixelDistance: 0.05,
      })),
      // The three samples nearest a training image in pixels: indices 0, 3, 6 (the first copies among them).
      closest: Array.from({ length: 3 }, (_, i) => ({
        index: i * 3,
        image: `${folder}/closest/${i * 3}.png`,
        trainingIndex: i,
        training: `a/img-${i}.png`,
        distance: 0.1 + i / 100,
        pixelTrainingIndex: i + 5,
        pixelTraining: `b/img-${i + 5}.png`,
        pixelDistance: 0.02 + i / 100,
      })),
    },
    negElbo: 123.45,
    negElboBitsPerDim: 0.0712,
    iwNll: 120.1,
    iwNegElbo: 124.0,
    iwBitsPerDim: 0.069,
    iwSamples: 20,
    iwImages: 5,
    iwStandardError: 1.5,
    activeUnits: 3,
    latentDim: 4,
    klPerDim: [1, 0.8, 0.5, 0],
    collapsed: false,
    perClass: [],
    verdict: [
      "The samples cover 58 % of the real images' variety (coverage) and 73 % of them look like real images (precision).",
      copies === 0
        ? 'No near-copies of training images among 40 images.'
        : `${copies} of 40 images are near-copies.`,
      '3 of 4 latent dimensions are in use.',
    ],
    samples: `${folder}/samples.png`,
    seconds: 4.2,
    timings: [{ phase: 'likelihood', seconds: 1 }],
    ...overrides,
  };
}

/** The trend entry of a report. */
export function qualityHistoryEntry(r: QualityReport): QualityHistoryEntry {
  return {
    report: r.report,
    createdAt: r.createdAt,
    model: r.model,
    scoredCount: r.scored.count,
    fid: r.fid,
    kid: r.kid,
    kidStandardError: r.kidStandardError,
    precision: r.precision,
    recall: r.recall,
    density: r.density,
    coverage: r.coverage,
    copiesFraction: r.copies.fraction,
    negElbo: r.negElbo,
    iwNll: r.iwNll,
    activeUnits: r.activeUnits,
  };
}

/** A conditional model of `classes` (name and training images each), as the project summary gives it. */
export function conditionalModel(
  epoch: number,
  classes: { name: string; images: number }[] = [
    { name: 'bag', images: 60 },
    { name: 'coat', images: 30 },
    { name: 'shoe', images: 10 },
  ],
): ModelSummary {
  const base = modelSummary(epoch);
  return {
    ...base,
    config: { ...base.config, conditional: true, classes: classes.map((c) => c.name) },
    classes,
  };
}
