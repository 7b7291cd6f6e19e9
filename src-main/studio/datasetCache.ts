import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MANIFEST_FILE, readDatasetManifest, type DatasetManifest } from '../dataset/index.js';

/**
 * The current dataset's manifest, parsed once and reused while `manifest.json` keeps its modification time and
 * size: paging a 10k-image list must not parse a megabyte of JSON per page. An import replaces the file, which
 * changes both, so the next read sees the new dataset.
 */
export class DatasetCache {
  private cached: { dir: string; mtimeMs: number; size: number; manifest: DatasetManifest } | null = null;

  /** The manifest of `datasetDir`, or null when it has no dataset. */
  async manifest(datasetDir: string): Promise<DatasetManifest | null> {
    let file: { mtimeMs: number; size: number };
    try {
      file = await stat(join(datasetDir, MANIFEST_FILE));
    } catch {
      this.cached = null;
      return readDatasetManifest(datasetDir);
    }
    const hit = this.cached;
    if (hit && hit.dir === datasetDir && hit.mtimeMs === file.mtimeMs && hit.size === file.size) {
      return hit.manifest;
    }
    const manifest = await readDatasetManifest(datasetDir);
    this.cached = manifest ? { dir: datasetDir, mtimeMs: file.mtimeMs, size: file.size, manifest } : null;
    return manifest;
  }
}
