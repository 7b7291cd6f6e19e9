/**
 * The dataset module's vocabulary: what an import is asked to do, what it reports, and the on-disk manifest.
 * The JSON shapes here are the formats described in docs/architecture.md ("Dataset cache"); changing a field
 * changes a file format.
 */

/** How a non-square image is made square: centre crop, pad with the background, or stretch. */
export type Fit = 'cover' | 'contain' | 'fill';
/** Alias of {@link Fit}. */
export type FitMode = Fit;

/** How every image of a dataset is decoded. */
export interface DecodeOptions {
  /** Side of the square output, in pixels. */
  size: number;
  /** 1 = grayscale (CIE L* as libvips computes it), 3 = sRGB. */
  channels: 1 | 3;
  fit: FitMode;
  /**
   * Colour that transparent pixels are flattened onto and that `contain` pads with, as any CSS colour string.
   * Default {@link DEFAULT_BACKGROUND} (white), because most transparent images (logos, icons, line art) are
   * drawn to be seen on white.
   */
  background?: string;
  /**
   * Images with more pixels (width × height, from the header) are refused before they are decoded, so a
   * decompression bomb cannot exhaust memory. Default {@link DEFAULT_MAX_PIXELS}.
   */
  maxPixels?: number;
}

/**
 * A file that was not imported and why; a file left out as a byte-for-byte copy of an earlier one (in sorted
 * order). Declared once, in the contract, since the import report crosses to the UI as it is.
 */
import type { DuplicateFile, SkippedFile } from '../contract/models.js';

export type { DuplicateFile, SkippedFile };

/** One imported image, in the order of the pixel cache. */
export interface ManifestItem {
  /** Relative to `sourceRoot`, with '/' separators. */
  path: string;
  /** sha256 of the source file's bytes, lowercase hex. */
  hash: string;
  /** First-level subfolder of the source folder; '' for files at the top level. */
  label: string;
}

/** `dataset/manifest.json`. */
export interface DatasetManifest {
  version: 1;
  count: number;
  size: number;
  channels: 1 | 3;
  fit: FitMode;
  background: string;
  /** Distinct labels of `items`, sorted. */
  labels: string[];
  items: ManifestItem[];
  /** Absolute path of the imported folder. */
  sourceRoot: string;
  /** ISO 8601. */
  createdAt: string;
}

/** `dataset/import-report.json`, also what {@link importFolder} resolves to. */
export interface ImportReport {
  /** Absolute path of the imported folder. */
  sourceRoot: string;
  /** Entries the scan met: imported + skipped.length + duplicates.length. */
  scanned: number;
  imported: number;
  skipped: SkippedFile[];
  duplicates: DuplicateFile[];
  /** Wall time of the whole import (scan, decode, write). */
  seconds: number;
  /** imported / seconds. */
  imagesPerSec: number;
}

/** Emitted while an import runs (throttled, plus one event at each phase change and at the end). */
export interface ImportProgress {
  phase: 'scanning' | 'decoding' | 'writing' | 'done';
  /** Entries met by the scan so far. */
  scanned: number;
  /** Files to decode (known once scanning is done; 0 before). */
  total: number;
  /** Files decoded or rejected so far, out of `total`. */
  processed: number;
  /** Distinct images decoded so far. */
  imported: number;
  /** Entries skipped so far (scan and decode). */
  skipped: number;
  duplicates: number;
  /** Files processed per second since decoding began. */
  imagesPerSec: number;
}

/** Options of {@link importFolder}. */
export interface ImportOptions extends DecodeOptions {
  /** Files read and decoded at once. Default min(16, max(4, 2 × CPU cores)). */
  concurrency?: number;
  /** Aborting stops the import with a CancelledError and leaves an existing dataset untouched. */
  signal?: AbortSignal;
  onProgress?: (progress: ImportProgress) => void;
}

/** Default {@link DecodeOptions.background}. */
export const DEFAULT_BACKGROUND = '#ffffff';

/** Default {@link DecodeOptions.maxPixels}: 100 megapixels, far above any photo, far below a bomb. */
export const DEFAULT_MAX_PIXELS = 100_000_000;
