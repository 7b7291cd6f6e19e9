export { projectLayout, type ProjectLayout } from './layout.js';
export { openProject, openOrCreateProject, type Project, type ProjectFile } from './projectFolder.js';
export {
  saveCheckpoint,
  loadCheckpoint,
  loadLatestCheckpoint,
  readLatestCheckpointMeta,
  requireLatestCheckpoint,
  archiveCheckpoints,
  type Checkpoint,
  type CheckpointMeta,
  type SaveCheckpointInput,
} from './checkpoint.js';
export { projectInfo, modelSummary, type ProjectInfo, type ModelSummary } from './info.js';
