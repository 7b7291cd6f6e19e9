import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { ImageBatch } from '../engine/index.js';
import { UserError } from '../util/errors.js';
import type { DatasetManifest } from './types.js';

/** File names inside a dataset folder (docs/architecture.md, "Dataset cache"). */
export const IMAGES_FILE = 'images.u8';
export const MANIFEST_FILE = 'manifest.json';
export const REPORT_FILE = 'import-report.json';

/**
 * Reads and checks `datasetDir/manifest.json` without touching the pixels (cheap: for `info`, listings).
 * Resolves to null when the folder has no dataset yet (no manifest), since "not imported yet" is a normal state.
 *
 * @throws UserError CORRUPT_DATASET (naming the file) when the manifest is unreadable or not a version-1
 *   manifest whose items agree with its count.
 */
export async function readDatasetManifest(datasetDir: string): Promise<DatasetManifest | null> {
  try {
    return await readManifestOrThrow(datasetDir);
  } catch (err) {
    if (err instanceof UserError && err.code === 'NO_DATASET') return null;
    throw err;
  }
}

async function readManifestOrThrow(datasetDir: string): Promise<DatasetManifest> {
  const path = join(datasetDir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new UserError(
        'NO_DATASET',
        `no dataset in ${datasetDir}: ${MANIFEST_FILE} not found (import images first)`,
      );
    }
    throw new UserError('CORRUPT_DATASET', `cannot read ${path}: ${code ?? String(err)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UserError(
      'CORRUPT_DATASET',
      `${path} is not valid JSON (${(err as Error).message}); import again`,
    );
  }
  const problem = manifestProblem(value);
  if (problem)
    throw new UserError(
      'CORRUPT_DATASET',
      `${path} is not a valid dataset manifest: ${problem}; import again`,
    );
  return value as DatasetManifest;
}

/**
 * Loads a dataset cache: the manifest and all pixels as one {@link ImageBatch} (uint8 NHWC, manifest order).
 *
 * @throws UserError NO_DATASET, or CORRUPT_DATASET naming the file at fault — including an images.u8 whose
 *   byte length is not count × size × size × channels.
 */
export async function loadDataset(
  datasetDir: string,
): Promise<{ manifest: DatasetManifest; images: ImageBatch }> {
  const manifest = await readManifestOrThrow(datasetDir);
  const path = join(datasetDir, IMAGES_FILE);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'is missing' : `cannot be read (${code ?? String(err)})`;
    throw new UserError(
      'CORRUPT_DATASET',
      `${path} ${why} but ${MANIFEST_FILE} lists ${manifest.count} images; import again`,
    );
  }
  const { count, size, channels } = manifest;
  const expected = count * size * size * channels;
  if (bytes.length !== expected) {
    throw new UserError(
      'CORRUPT_DATASET',
      `${path} has ${bytes.length} bytes but ${MANIFEST_FILE} says ${count} × ${size} × ${size} × ${channels} = ` +
        `${expected}; import again`,
    );
  }
  const pixels = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  return { manifest, images: { pixels, count, size, channels } };
}

function isPositiveInt(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x > 0;
}

/** The first thing wrong with a parsed manifest, or '' when it is sound. */
function manifestProblem(value: unknown): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  const m = value as Record<string, unknown>;
  if (m.version !== 1) return `unsupported version ${JSON.stringify(m.version)}`;
  if (!isPositiveInt(m.count)) return `count ${JSON.stringify(m.count)} is not a positive integer`;
  if (!isPositiveInt(m.size)) return `size ${JSON.stringify(m.size)} is not a positive integer`;
  if (m.channels !== 1 && m.channels !== 3) return `channels ${JSON.stringify(m.channels)} is not 1 or 3`;
  if (m.fit !== 'cover' && m.fit !== 'contain' && m.fit !== 'fill')
    return `unknown fit ${JSON.stringify(m.fit)}`;
  if (!Array.isArray(m.labels) || !m.labels.every((l) => typeof l === 'string'))
    return 'labels is not a list of strings';
  if (!Array.isArray(m.items)) return 'items is not a list';
  if (m.items.length !== m.count) return `count is ${m.count} but items lists ${m.items.length}`;
  for (const item of m.items as unknown[]) {
    const it = item as Record<string, unknown> | null;
    if (!it || typeof it.path !== 'string' || typeof it.hash !== 'string' || typeof it.label !== 'string') {
      return `an item is not { path, hash, label }: ${JSON.stringify(item)}`;
    }
  }
  return '';
}
