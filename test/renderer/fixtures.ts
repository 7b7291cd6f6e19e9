import type {
  BackendInfo,
  DatasetSummary,
  EpochMetrics,
  LossTerms,
  ModelSummary,
  ProjectSummary,
  TrainResult,
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
    duplicates: 2,
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
    },
    trainOptions: {
      epochs: epoch,
      batchSize: 32,
      learningRate: 0.002,
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
  return {
    root: options.root ?? '/home/ada/vae-projects/pets',
    name: 'pets',
    createdAt: '2025-01-01T00:00:00Z',
    dataset: options.dataset === undefined ? datasetSummary() : options.dataset,
    model: options.model ?? null,
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
    ...overrides,
  };
}
