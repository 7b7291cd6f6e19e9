/**
 * The quality room: distribution metrics between two sets of feature vectors (real and generated), in plain
 * float64 JavaScript with no tensors, so they run alike in a worker, a page or a test. The features themselves
 * (a pretrained network's) come from elsewhere.
 */
export { checkFeatureSet, type FeatureSet } from './featureSet.js';
export { symmetricEigen, type SymmetricEigen } from './symmetricEigen.js';
export { pivotedCholesky, type PivotedCholesky } from './cholesky.js';
export {
  featureStatistics,
  frechetDistance,
  fid,
  fidMethodFor,
  traceSqrtProduct,
  type FeatureStatistics,
  type FidMethod,
} from './fid.js';
export { kid, polynomialMmd2, MAX_KERNEL_ENTRIES, type KidOptions, type KidResult } from './kid.js';
export {
  manifoldMetrics,
  precisionRecall,
  densityCoverage,
  DEFAULT_PRECISION_RECALL_K,
  DEFAULT_DENSITY_COVERAGE_K,
  type ManifoldMetrics,
} from './manifold.js';
export { nearestNeighbours, pairwiseSquaredDistances, type NearestNeighbours } from './neighbours.js';
export {
  createFeatureNetwork,
  DEFAULT_FEATURE_BATCH,
  FEATURE_TOPOLOGY_FORMAT,
  type FeatureAddOp,
  type FeatureConvOp,
  type FeatureExtractOptions,
  type FeatureNetwork,
  type FeatureTopology,
} from './features.js';
export { copyThreshold, dataCopyingZ } from './dataCopying.js';
export { pixelFeatures } from './pixelFeatures.js';
export { nearestOnBackend } from './nearestOnBackend.js';
