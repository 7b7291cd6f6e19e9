/**
 * A dataset's classes as a conditional model sees them: the first-level subfolders of the imported folder, each
 * image's label the index of its folder in the sorted class list (the one-hot order). An image at the top level
 * has no class.
 */
import type { DatasetManifest } from './types.js';

/** The classes of a dataset, and how many of its images are in none (at the top level of the imported folder). */
export interface DatasetClasses {
  /** The class folders, sorted. */
  classes: string[];
  /** Images of each class, parallel to `classes`. */
  counts: number[];
  /** Images at the top level: no class. */
  unlabelled: number;
}

/** The class folders of `manifest` and their image counts. */
export function datasetClasses(manifest: Pick<DatasetManifest, 'labels' | 'items'>): DatasetClasses {
  const classes = manifest.labels.filter((label) => label !== '');
  const index = new Map(classes.map((name, i) => [name, i]));
  const counts = classes.map(() => 0);
  let unlabelled = 0;
  for (const item of manifest.items) {
    const i = index.get(item.label);
    if (i === undefined) unlabelled++;
    else counts[i]!++;
  }
  return { classes, counts, unlabelled };
}

/**
 * Each image's class as its index into `classes` (a conditional model's `config.classes`), or the first image
 * whose label is not one of them.
 */
export function classIndices(
  manifest: Pick<DatasetManifest, 'items'>,
  classes: readonly string[],
): { labels: Uint16Array } | { unknown: { path: string; label: string } } {
  const index = new Map(classes.map((name, i) => [name, i]));
  const labels = new Uint16Array(manifest.items.length);
  for (let i = 0; i < manifest.items.length; i++) {
    const item = manifest.items[i]!;
    const k = index.get(item.label);
    if (k === undefined) return { unknown: { path: item.path, label: item.label } };
    labels[i] = k;
  }
  return { labels };
}
