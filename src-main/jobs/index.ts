export type { JobEvent, JobEventName, JobEventPayload, EmitJobEvent, JobContext } from './events.js';
export { jobEvent, logEvent } from './events.js';
export { runImport, type ImportJobInput, type ImportJobResult } from './importJob.js';
export {
  runTraining,
  nodeTrainingHost,
  previewFiles,
  type TrainJobInput,
  type TrainJobResult,
  type TrainJobContext,
} from './trainJob.js';
export {
  runGeneration,
  type GenerateJobInput,
  type GenerateJobResult,
  type GeneratedImage,
} from './generateJob.js';
export { readGenerationManifest, type ManifestRow } from './generationManifest.js';
export { listGenerationRuns, manifestClasses } from './generationRuns.js';
export { nearCopies } from './generationFilter.js';
export { REJECTED_JSONL, type RejectedImage } from './rejectedCopies.js';
export {
  runInterpolation,
  type InterpolateJobInput,
  type InterpolateJobResult,
  type InterpolationMode,
} from './interpolateJob.js';
export {
  runInterpolationPreview,
  type InterpolatePreviewJobInput,
  type InterpolatePreviewJobResult,
} from './interpolatePreviewJob.js';
export type { ImageSource } from './latentPath.js';
export { runReconstruction, type ReconstructJobInput, type ReconstructJobResult } from './reconstructJob.js';
export { readDatasetImages } from './datasetPixels.js';
export { runEvaluation, type EvalJobInput, type EvalJobResult } from './evalJob.js';
export { runQuality, type QualityJobInput } from './quality/qualityJob.js';
export { listQualityReports, readQualityReport, qualityDir } from './quality/history.js';
export { loadCopyDetector, COPY_RULE, type CopyCheck, type CopyDetector } from './quality/copyDetector.js';
export { runBenchmark, type BenchArch, type BenchJobInput, type BenchJobResult } from './benchJob.js';
export { formatKernelProfile, type KernelProfile } from './bench/kernelProfile.js';
export { DEMO_EPOCHS, runDemo, type DemoJobInput, type DemoJobResult } from './demoJob.js';
export {
  defaultPeerSettings,
  defaultPython,
  formatElboReport,
  formatSuiteReport,
  runBenchSuite,
  runElboParity,
  SUITE_DEFAULT_REPEATS,
  type PeerSettings,
} from './bench/index.js';
export {
  prepareSampler,
  MIXTURE_COMPONENTS,
  FULL_COVARIANCE_MAX_DIM,
  type PreparedSampler,
  type PrepareSamplerInput,
} from './latentSampler.js';
export * from './explore/index.js';
export { withoutExcluded } from './trainingImages.js';
export { runMap, type MapJobInput } from './map/mapJob.js';
export { readStoredMap, mapDir, MAP_CSV, MAP_JSON, type StoredMap } from './map/mapFiles.js';
export { encodeDatasetLatents } from './datasetLatents.js';
