import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { mapResultSchema, type MapResult } from '../../contract/index.js';
import type { FeatureSet } from '../../engine/index.js';
import { writeFileAtomic, writeJsonAtomic } from '../../util/atomicWrite.js';
import { UserError } from '../../util/errors.js';

/** `map/` in a project: the app's latest map (map.json) and its CSV (map.csv). */
export function mapDir(projectRoot: string): string {
  return join(projectRoot, 'map');
}
export const MAP_JSON = 'map.json';
export const MAP_CSV = 'map.csv';

/** The CSV's first columns; z0 … z(L−1) follow. A file that starts so is a map this program wrote. */
const CSV_HEAD = 'file,label,x,y';

/** The points of a map: one row per image, in order. */
export interface MapRows {
  /** Paths relative to the mapped folder, '/' separators. */
  files: readonly string[];
  /** Class folders ('' for none). */
  labels: readonly string[];
  /** `count × 2`, row-major. */
  xy: Float32Array;
  latents: FeatureSet;
}

/** Float32 values as text: 7 significant digits hold a float32 exactly enough to read back the same map. */
function num(value: number): string {
  return String(Number(value.toPrecision(7)));
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The map as CSV text: file, label, x, y, z0 … z(L−1). */
export function mapCsv(rows: MapRows): string {
  const { dim, values } = rows.latents;
  const head = [CSV_HEAD, ...Array.from({ length: dim }, (_, j) => `z${j}`)].join(',');
  const lines = [head];
  for (let i = 0; i < rows.files.length; i++) {
    const z: string[] = [];
    for (let j = 0; j < dim; j++) z.push(num(values[i * dim + j]!));
    lines.push(
      [
        csvField(rows.files[i]!),
        csvField(rows.labels[i]!),
        num(rows.xy[i * 2]!),
        num(rows.xy[i * 2 + 1]!),
        ...z,
      ].join(','),
    );
  }
  return lines.join('\n') + '\n';
}

/**
 * Refuses to replace a file at `path` that is not a map CSV (one this program wrote), so `--out` never
 * overwrites a user's own file; a missing file or an earlier map is fine.
 * @throws UserError OUTPUT_EXISTS naming the file, IS_A_FOLDER for a folder.
 */
export async function checkMapCsvTarget(path: string): Promise<void> {
  let head: string;
  try {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(CSV_HEAD.length);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      head = buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    if ((err as NodeJS.ErrnoException).code === 'EISDIR') {
      throw new UserError('IS_A_FOLDER', `out: ${path} is a folder; give the CSV file to write`);
    }
    throw err;
  }
  if (head !== CSV_HEAD) {
    throw new UserError(
      'OUTPUT_EXISTS',
      `${path} already exists and is not a map this program wrote; choose another file or remove it`,
    );
  }
}

/** Writes the CSV whole or not at all. */
export async function writeMapCsv(path: string, rows: MapRows): Promise<void> {
  await writeFileAtomic(path, mapCsv(rows));
}

/** map.json: the map the app draws, what it was made from (to tell when it is stale), and the latents. */
const storedMapSchema = z.object({
  format: z.literal('vae-studio-map'),
  version: z.literal(1),
  createdAt: z.string(),
  result: mapResultSchema.omit({ stored: true, skipped: true }),
  /** The model (its weights' checksum) and the dataset import (its time) the map was made from. */
  weightsSha256: z.string(),
  datasetCreatedAt: z.string(),
  classes: z.array(z.string()),
  points: z.object({
    x: z.array(z.number()),
    y: z.array(z.number()),
    label: z.array(z.number().int()),
    files: z.array(z.string()),
  }),
  /** count × latentDim, row-major. */
  latents: z.array(z.number()),
});
export type StoredMap = z.infer<typeof storedMapSchema>;

/** Writes map.json (atomically) for the app. */
export async function writeStoredMap(
  file: string,
  rows: MapRows,
  about: {
    result: Omit<MapResult, 'stored' | 'skipped'>;
    weightsSha256: string;
    datasetCreatedAt: string;
    createdAt: string;
  },
): Promise<void> {
  const classes = [...new Set(rows.labels.filter((l) => l !== ''))].sort();
  const round = (v: number) => Number(v.toPrecision(7));
  const stored: StoredMap = {
    format: 'vae-studio-map',
    version: 1,
    createdAt: about.createdAt,
    result: about.result,
    weightsSha256: about.weightsSha256,
    datasetCreatedAt: about.datasetCreatedAt,
    classes,
    points: {
      x: Array.from({ length: rows.files.length }, (_, i) => round(rows.xy[i * 2]!)),
      y: Array.from({ length: rows.files.length }, (_, i) => round(rows.xy[i * 2 + 1]!)),
      label: rows.labels.map((l) => (l === '' ? -1 : classes.indexOf(l))),
      files: [...rows.files],
    },
    latents: Array.from(rows.latents.values, round),
  };
  await writeJsonAtomic(file, stored);
}

/**
 * The project's stored map, or null when none was made (or it is of another version, or damaged: the view then
 * offers to make one).
 */
export async function readStoredMap(projectRoot: string): Promise<StoredMap | null> {
  let text: string;
  try {
    text = await readFile(join(mapDir(projectRoot), MAP_JSON), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const parsed = storedMapSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
