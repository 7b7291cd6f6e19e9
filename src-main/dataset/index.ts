/**
 * Dataset: folder scan, sharp decode/resize, de-duplication, the packed uint8 cache, image/animation encoding and
 * the built-in sample dataset. This file is the module's only door; import from here.
 */
export type {
  DatasetManifest,
  DecodeOptions,
  DuplicateFile,
  Fit,
  FitMode,
  ImportOptions,
  ImportProgress,
  ImportReport,
  ManifestItem,
  SkippedFile,
} from './types.js';
export { DEFAULT_BACKGROUND, DEFAULT_MAX_PIXELS } from './types.js';
export { scanFolder } from './scan.js';
export type { ScanOptions, ScanResult, ScannedFile } from './scan.js';
export { decodeImage, decodeImageFile, ImageDecodeError } from './decode.js';
export type { ImageDecodeCode } from './decode.js';
export { importFolder, defaultImportConcurrency, type ImportFolderOptions } from './importFolder.js';
export { loadDataset, readDatasetManifest, IMAGES_FILE, MANIFEST_FILE, REPORT_FILE } from './cache.js';
export { encodeImage, encodeAnimation } from './encode.js';
export type { AnimationFormat, ImageFormat } from './encode.js';
export { writeSampleDataset, SAMPLE_CLASSES } from './sampleDataset.js';
export { classIndices, datasetClasses, type DatasetClasses } from './classes.js';
export type { SampleDatasetOptions } from './sampleDataset.js';
