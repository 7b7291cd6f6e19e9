/**
 * The engine's browser-safe core: tensors only (no file system, no sharp, no Electron, no `node:` module), so it
 * runs alike in a worker, a utility process, a browser page or a test. This file is its door; its sub-doors are
 * host/index.ts (training hosts) and kernels/index.ts (the wasm kernels). What only runs under Node (backend
 * resolution, Dawn's WebGPU, the threaded wasm start-up) is the room next door, engine/node/index.ts.
 */
export type * from './types.js';
export { BackendCache } from './backendCache.js';
export { registerWebGpuKernelFixes } from './webgpu/kernels.js';
// The error the engine throws for what a user can act on; offered here so a page that has only the engine
// (the compute page) throws the same kind.
export { UserError } from '../util/errors.js';
export {
  defaultConfig,
  referenceConfig,
  trainingFlopsPerImage,
  type ReferenceArch,
  resolveTrainSettings,
  DEFAULT_TRAIN_OPTIONS,
  validateConfig,
  validateTrainOptions,
  describeArchitecture,
  countParameters,
  isSupportedImageSize,
  MAX_LATENT_DIM,
} from './config.js';
export { VaeModel } from './model.js';
export {
  Trainer,
  splitIndices,
  benchmarkTraining,
  profileTraining,
  type KernelCall,
  type TrainHooks,
  type TrainResult,
} from './trainer.js';
export { kernelFlops } from './kernelFlops.js';
export {
  latentSeed,
  classLatentSeed,
  sampleLatents,
  priorSampler,
  type LatentSampler,
  type SamplerKind,
  decodeLatents,
  encodeImages,
  reconstructImages,
  interpolateLatents,
  evaluateNegElbo,
  tileImages,
} from './sampler.js';
export { bitsPerDim } from './loss.js';
export { scoreImages, type ImageScores, type ImageScoreOptions } from './imageScores.js';
export {
  importanceWeightedBound,
  latentHealth,
  DEFAULT_IW_SAMPLES,
  DEFAULT_PIXELS_PER_BATCH,
  ACTIVE_UNIT_THRESHOLD,
  COLLAPSED_KL_NATS,
  type ImportanceWeightedBound,
  type ImportanceWeightedOptions,
  type LikelihoodProgress,
  type LatentHealth,
  type LatentHealthOptions,
} from './likelihood.js';
export {
  fitGaussianMixture,
  mixtureLogDensity,
  mixtureSampler,
  DEFAULT_COVARIANCE_FLOOR,
  type CovarianceKind,
  type GaussianMixture,
  type MixtureFit,
  type MixtureFitOptions,
} from './gmm.js';
export { pickImages, type ClassLabels } from './pixels.js';
export { classCount, MAX_CLASSES } from './config.js';
export { Rng, hashSeed, shuffle, SeedTag } from './rng.js';
export * from './quality/index.js';
