/**
 * The engine: tensors only (no file system, no sharp, no Electron), so it runs alike in a worker, a utility
 * process, a browser worker or a test. This file is its door.
 */
export type * from './types.js';
export {
  resolveBackend,
  BACKEND_ENV_VAR,
  type BackendChoice,
  type BackendAttempt,
  type BackendPreference,
} from './backend.js';
export {
  defaultConfig,
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
export { Trainer, splitIndices, benchmarkTraining, type TrainHooks, type TrainResult } from './trainer.js';
export {
  latentSeed,
  sampleLatents,
  decodeLatents,
  encodeImages,
  reconstructImages,
  interpolateLatents,
  evaluateNegElbo,
  tileImages,
} from './sampler.js';
export { bitsPerDim } from './loss.js';
export { pickImages } from './pixels.js';
export { Rng, hashSeed, SeedTag } from './rng.js';
