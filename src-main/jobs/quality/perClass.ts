import type { ClassFigures } from '../../contract/index.js';
import type { FeatureSet } from '../../engine/index.js';
import { pickFeatures } from './datasetFeatures.js';
import { sampleFigures } from './sampleFigures.js';

/** A class is scored when both its real and its scored images number at least this many. */
export const MIN_CLASS_IMAGES = 10;

/**
 * Each class's figures: the held-out real images of the class against the scored images assigned to it. A scored
 * image belongs to the class of its nearest training image in feature space (the model is unconditional, so its
 * samples carry no label of their own). A class with fewer than {@link MIN_CLASS_IMAGES} images on either side
 * gets no figures (null).
 */
export function perClassFigures(
  real: FeatureSet,
  realLabels: string[],
  scored: FeatureSet,
  scoredLabels: string[],
  copies: boolean[],
  seed: number,
): ClassFigures[] {
  const labels = [...new Set([...realLabels, ...scoredLabels])].sort();
  return labels.map((label) => {
    const realRows = rowsOf(realLabels, label);
    const scoredRows = rowsOf(scoredLabels, label);
    const enough = realRows.length >= MIN_CLASS_IMAGES && scoredRows.length >= MIN_CLASS_IMAGES;
    return {
      label,
      realCount: realRows.length,
      scoredCount: scoredRows.length,
      realShare: realRows.length / real.count,
      scoredShare: scoredRows.length / scored.count,
      copies: scoredRows.filter((i) => copies[i]).length,
      figures: enough
        ? sampleFigures(pickFeatures(real, realRows), pickFeatures(scored, scoredRows), seed)
        : null,
    };
  });
}

function rowsOf(labels: string[], label: string): number[] {
  const rows: number[] = [];
  labels.forEach((l, i) => {
    if (l === label) rows.push(i);
  });
  return rows;
}
