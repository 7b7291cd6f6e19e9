export { projectLayout, type ProjectLayout } from './layout.js';
export { openProject, openOrCreateProject, type Project, type ProjectFile } from './projectFolder.js';
export {
  saveCheckpoint,
  loadCheckpoint,
  loadLatestCheckpoint,
  readLatestCheckpointMeta,
  requireLatestCheckpoint,
  type Checkpoint,
  type CheckpointMeta,
  type SaveCheckpointInput,
  type SaveCheckpointOptions,
} from './checkpoint.js';
export { projectInfo, modelSummary, type ProjectInfo, type ModelSummary } from './info.js';
export {
  archiveCheckpoints,
  archiveDatasetAndModel,
  archiveStamp,
  copyDatasetAside,
  moveModelAside,
  removeTemporaryFiles,
} from './archive.js';
export { withProjectLock, acquireProjectLock, type ProjectLock, type ProjectLockHolder } from './lock.js';
export { listArchivedModels, type ArchivedModel } from './archivedModels.js';
export {
  MIXTURE_SAMPLER_FILE,
  MIXTURE_SAMPLER_VERSION,
  fittedMixture,
  mixtureSamplerFile,
  mixtureSamplerPath,
  mixtureSha256,
  readMixtureSampler,
  samplerSha256,
  writeMixtureSampler,
  type ClassMixture,
  type ClassMixturesFile,
  type FittedMixture,
  type SingleMixtureFile,
  type MixtureFitRecord,
  type MixtureSamplerFile,
} from './samplerFile.js';
export {
  EXCLUSIONS_FORMAT,
  excludedIndices,
  readExclusions,
  setExcluded,
  type ExcludedImage,
  type ExclusionChange,
  type ExclusionsFile,
} from './exclusions.js';
