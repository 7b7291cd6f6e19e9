/** Exploring a trained model: the outlier ranking, the traversal sheet, the latent explorer's live decodes. */
export {
  runOutliers,
  MOST_LIKELY_SHOWN,
  type OutliersJobInput,
  type OutliersJobResult,
} from './outliersJob.js';
export { outlierImageFiles, SCORES_CSV_HEADER } from './outlierFiles.js';
export {
  runTraversal,
  SHEET_GAP,
  type TraversalRow,
  type TraverseJobInput,
  type TraverseJobResult,
} from './traverseJob.js';
export {
  runExplorer,
  type ExplorerDecodeAnswer,
  type ExplorerFrom,
  type ExplorerJobInput,
  type ExplorerQuestion,
  type ExplorerSaveAnswer,
  type ExplorerStartAnswer,
} from './explorerJob.js';
export { measureLatentDims, LATENT_DIM_IMAGES } from './latentDims.js';
