import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClassCount, GenerationRun } from '../contract/index.js';
import { MANIFEST_JSONL, readGenerationManifest, type ManifestRow } from './generationManifest.js';

/**
 * The generation folders of a project (`generated/*`), read from their manifests: what the Generate view lists
 * as past runs, so they are found again after a reload or on another day. A folder without a manifest, or whose
 * manifest lists no image (a run that failed before its first file), is no run and is left out.
 */
export async function listGenerationRuns(generatedDir: string): Promise<GenerationRun[]> {
  let entries: string[];
  try {
    entries = (await readdir(generatedDir, { withFileTypes: true }))
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const runs: GenerationRun[] = [];
  for (const name of entries) {
    const out = join(generatedDir, name);
    const written = await stat(join(out, MANIFEST_JSONL)).catch(() => null);
    if (!written) continue;
    // A line being appended while we read, or one that cannot be read, is passed over.
    const rows = await readGenerationManifest(out).catch(() => []);
    if (rows.length === 0) continue;
    runs.push(describeRun(out, name, rows, written.mtime));
  }
  return runs.sort((a, b) => b.writtenAt.localeCompare(a.writtenAt) || b.name.localeCompare(a.name));
}

function describeRun(
  out: string,
  name: string,
  rows: readonly ManifestRow[],
  writtenAt: Date,
): GenerationRun {
  const distinct = <T>(pick: (row: ManifestRow) => T | undefined): T[] => {
    const seen = new Set<T>();
    for (const row of rows) {
      const value = pick(row);
      if (value !== undefined) seen.add(value);
    }
    return [...seen].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  };
  const classes = manifestClasses(rows);
  return {
    out,
    name,
    count: rows.length,
    ...(classes.length > 0 ? { classes } : {}),
    seeds: distinct((row) => row.seed),
    // A row written before the sampler was recorded is the prior's.
    samplers: distinct((row) => row.sampler ?? 'prior'),
    temperatures: distinct((row) => row.temperature),
    epochs: distinct((row) => row.epoch),
    writtenAt: writtenAt.toISOString(),
  };
}

/** The classes a conditional generation's rows name, each with its image count, in the model's class order. */
export function manifestClasses(rows: readonly ManifestRow[]): ClassCount[] {
  const byName = new Map<string, { name: string; count: number; order: number }>();
  for (const row of rows) {
    if (typeof row.class !== 'string') continue;
    const entry = byName.get(row.class) ?? { name: row.class, count: 0, order: row.classIndex ?? Infinity };
    entry.count++;
    byName.set(row.class, entry);
  }
  return [...byName.values()]
    .sort((a, b) => a.order - b.order || a.name.localeCompare(b.name))
    .map(({ name, count }) => ({ name, count }));
}
