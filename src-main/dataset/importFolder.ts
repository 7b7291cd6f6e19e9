import { constants as bufferConstants } from 'node:buffer';
import { createHash } from 'node:crypto';
import { readFile, rename, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { writeFileAtomic, writeJsonAtomic } from '../util/atomicWrite.js';
import { UserError, throwIfCancelled } from '../util/errors.js';
import { faultPoint } from '../util/faultPoint.js';
import { IMAGES_FILE, MANIFEST_FILE, REPORT_FILE } from './cache.js';
import { ImageDecodeError, checkBackground, decodeImage, validateDecodeOptions } from './decode.js';
import { mapLimit } from './pool.js';
import { comparePaths, scanFolder } from './scan.js';
import type { ScannedFile } from './scan.js';
import { DEFAULT_BACKGROUND } from './types.js';
import type {
  DatasetManifest,
  DecodeOptions,
  DuplicateFile,
  ImportOptions,
  ImportProgress,
  ImportReport,
  ManifestItem,
  SkippedFile,
} from './types.js';
import { makeFolder } from '../util/folders.js';

/** What happened to one scanned file. */
type Outcome = { ok: true; hash: string } | { ok: false; reason: string };

/** Progress is throttled to this interval so a UI or a JSON-lines stream is not flooded. */
const PROGRESS_INTERVAL_MS = 100;

/** {@link ImportOptions} plus a hook into the commit. */
export interface ImportFolderOptions extends ImportOptions {
  /**
   * Runs once the new pixels are staged whole, just before the dataset is swapped in (no cancellation after):
   * the import job moves the old dataset and the model trained on it into an archive here.
   */
  beforeCommit?: () => Promise<void>;
}

/** Default number of files read and decoded at once. */
export function defaultImportConcurrency(): number {
  return Math.min(16, Math.max(4, 2 * availableParallelism()));
}

/**
 * Imports every image under `sourceRoot` into the packed cache in `datasetDir` (images.u8, manifest.json,
 * import-report.json; see docs/architecture.md).
 *
 * Each file is read once: its bytes are hashed (sha256, for the manifest and for de-duplication) and decoded
 * from the same buffer. Files with identical bytes are imported once, the first in sorted order, and the others
 * are reported as duplicates. A file that cannot be imported (not an image, corrupt, empty, too many pixels,
 * unreadable, a dangling link, hidden…) is reported in `skipped` with its reason and never stops the import.
 *
 * Nothing in `datasetDir` changes until every image is decoded; the pixels are then written to a staging file
 * and the three files are swapped in one after another, so an existing dataset survives a cancellation, a
 * failure or a full disk.
 *
 * @throws UserError NOT_FOUND (missing folder), NO_IMAGES (nothing importable, with an example reason),
 *   BAD_OPTION, TOO_LARGE; CancelledError when `signal` aborts.
 */
export async function importFolder(
  sourceRoot: string,
  datasetDir: string,
  options: ImportFolderOptions,
): Promise<ImportReport> {
  validateDecodeOptions(options);
  const { size, channels, fit, signal, onProgress } = options;
  const background = options.background ?? DEFAULT_BACKGROUND;
  const decodeOptions = { size, channels, fit, background, maxPixels: options.maxPixels };
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? defaultImportConcurrency()));
  await checkBackground(background);
  const started = performance.now();
  throwIfCancelled(signal);

  const progress: ImportProgress = {
    phase: 'scanning',
    scanned: 0,
    total: 0,
    processed: 0,
    imported: 0,
    skipped: 0,
    duplicates: 0,
    imagesPerSec: 0,
  };
  let lastEmit = 0;
  let decodeStarted = started;
  const emit = (force: boolean): void => {
    if (!onProgress) return;
    const now = performance.now();
    if (!force && now - lastEmit < PROGRESS_INTERVAL_MS) return;
    lastEmit = now;
    const seconds = (now - decodeStarted) / 1000;
    progress.imagesPerSec = progress.phase === 'scanning' || seconds <= 0 ? 0 : progress.processed / seconds;
    onProgress({ ...progress });
  };
  emit(true);

  const scan = await scanFolder(sourceRoot, {
    // The dataset lives in its project's folder: a source folder holding the project leaves it out.
    exclude: [
      { folder: dirname(datasetDir), reason: 'the project folder itself (its previews and outputs)' },
    ],
    onProgress: (entries) => {
      progress.scanned = entries;
      emit(false);
    },
  });
  throwIfCancelled(signal);
  const { files } = scan;
  const bytesPerImage = size * size * channels;
  if (files.length * bytesPerImage > bufferConstants.MAX_LENGTH) {
    throw new UserError(
      'TOO_LARGE',
      `${files.length} images of ${size}×${size}×${channels} do not fit in memory; choose a smaller size`,
    );
  }

  progress.phase = 'decoding';
  progress.scanned = files.length + scan.skipped.length;
  progress.total = files.length;
  progress.skipped = scan.skipped.length;
  decodeStarted = performance.now();
  emit(true);

  // Every file decodes straight into its own slot; de-duplication compacts the buffer in place afterwards, so
  // the pixels are held once, whatever the concurrency.
  const pixels = new Uint8Array(files.length * bytesPerImage);
  const hashesSeen = new Set<string>();
  const outcomes = await mapLimit(files, concurrency, async (file, index): Promise<Outcome> => {
    throwIfCancelled(signal);
    const slot = pixels.subarray(index * bytesPerImage, (index + 1) * bytesPerImage);
    const outcome = await importOne(file, slot, decodeOptions);
    progress.processed++;
    if (!outcome.ok) progress.skipped++;
    else if (hashesSeen.has(outcome.hash)) progress.duplicates++;
    else {
      hashesSeen.add(outcome.hash);
      progress.imported++;
    }
    emit(false);
    return outcome;
  });
  throwIfCancelled(signal);

  // Walk in sorted order so "the first copy wins" does not depend on which decode finished first.
  const items: ManifestItem[] = [];
  const skipped: SkippedFile[] = [...scan.skipped];
  const duplicates: DuplicateFile[] = [];
  const firstPathByHash = new Map<string, string>();
  files.forEach((file, i) => {
    const outcome = outcomes[i] as Outcome;
    if (!outcome.ok) {
      skipped.push({ path: file.path, reason: outcome.reason });
      return;
    }
    const original = firstPathByHash.get(outcome.hash);
    if (original !== undefined) {
      duplicates.push({ path: file.path, duplicateOf: original });
      return;
    }
    firstPathByHash.set(outcome.hash, file.path);
    const k = items.length;
    if (k !== i) pixels.copyWithin(k * bytesPerImage, i * bytesPerImage, (i + 1) * bytesPerImage);
    items.push({ path: file.path, hash: outcome.hash, label: file.label });
  });
  skipped.sort((a, b) => comparePaths(a.path, b.path));

  if (items.length === 0) throw noImagesError(scan.root, skipped);

  progress.phase = 'writing';
  emit(true);
  const manifest: DatasetManifest = {
    version: 1,
    count: items.length,
    size,
    channels,
    fit,
    background,
    labels: [...new Set(items.map((item) => item.label))].sort(comparePaths),
    items,
    sourceRoot: scan.root,
    createdAt: new Date().toISOString(),
  };
  const makeReport = (): ImportReport => {
    const seconds = (performance.now() - started) / 1000;
    return {
      sourceRoot: scan.root,
      scanned: items.length + skipped.length + duplicates.length,
      imported: items.length,
      skipped,
      duplicates,
      seconds: round3(seconds),
      imagesPerSec: round3(items.length / Math.max(seconds, 1e-6)),
    };
  };
  const report = await writeDataset(
    datasetDir,
    pixels.subarray(0, items.length * bytesPerImage),
    manifest,
    makeReport,
    signal,
    options.beforeCommit,
  );

  progress.phase = 'done';
  progress.scanned = report.scanned;
  progress.imported = report.imported;
  progress.skipped = report.skipped.length;
  progress.duplicates = report.duplicates.length;
  emit(true);
  return report;
}

/** Reads, hashes and decodes one file into `slot`; every failure becomes a reason, never an exception. */
async function importOne(
  file: ScannedFile,
  slot: Uint8Array,
  decodeOptions: DecodeOptions,
): Promise<Outcome> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file.absPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return { ok: false, reason: 'unreadable (permission denied)' };
    if (code === 'ENOENT') return { ok: false, reason: 'unreadable (file disappeared during import)' };
    return { ok: false, reason: `unreadable (${code ?? String(err)})` };
  }
  if (bytes.length === 0) return { ok: false, reason: 'empty file' };
  const hash = createHash('sha256').update(bytes).digest('hex');
  try {
    slot.set(await decodeImage(bytes, decodeOptions));
  } catch (err) {
    if (err instanceof ImageDecodeError) return { ok: false, reason: err.reason };
    return { ok: false, reason: `could not decode (${err instanceof Error ? err.message : String(err)})` };
  }
  return { ok: true, hash };
}

/**
 * Swaps the new dataset in. The big pixel file is written first under a staging name (a full disk fails here,
 * leaving the old dataset as it was); then the old manifest is removed, the pixels renamed into place and the
 * new manifest and report written. A crash inside that short commit leaves no manifest — "no dataset, import
 * again" — rather than an old manifest describing new pixels.
 */
async function writeDataset(
  datasetDir: string,
  pixels: Uint8Array,
  manifest: DatasetManifest,
  makeReport: () => ImportReport,
  signal: AbortSignal | undefined,
  beforeCommit: (() => Promise<void>) | undefined,
): Promise<ImportReport> {
  await makeFolder(datasetDir);
  const staging = join(datasetDir, `.${IMAGES_FILE}.incoming`);
  try {
    faultPoint('import-stage');
    await writeFileAtomic(staging, pixels);
    faultPoint('import-staged');
    throwIfCancelled(signal);
  } catch (err) {
    await rm(staging, { force: true });
    throw err;
  }
  // Commit: no cancellation from here on.
  await beforeCommit?.();
  await rm(join(datasetDir, MANIFEST_FILE), { force: true });
  faultPoint('import-unmanifest');
  await rename(staging, join(datasetDir, IMAGES_FILE));
  faultPoint('import-pixels');
  await writeJsonAtomic(join(datasetDir, MANIFEST_FILE), manifest);
  faultPoint('import-manifest');
  const report = makeReport();
  await writeJsonAtomic(join(datasetDir, REPORT_FILE), report);
  return report;
}

function noImagesError(root: string, skipped: SkippedFile[]): UserError {
  if (skipped.length === 0)
    return new UserError('NO_IMAGES', `no images found in ${root}: the folder is empty`);
  // Hidden files are rarely what the user meant to import; a real rejected file makes the better example.
  const example = skipped.find((s) => !s.reason.startsWith('hidden')) ?? skipped[0]!;
  const noun = skipped.length === 1 ? 'file' : 'files';
  return new UserError(
    'NO_IMAGES',
    `no images found in ${root}: ${skipped.length} ${noun} skipped (e.g. ${example.path}: ${example.reason})`,
  );
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
