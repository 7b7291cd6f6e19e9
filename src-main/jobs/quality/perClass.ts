import type { ClassFigures } from '../../contract/index.js';
import type { FeatureSet } from '../../engine/index.js';
import { pickFeatures } from './datasetFeatures.js';
import { sampleFigures } from './sampleFigures.js';

/** A class is scored when both its real and its scored images number at least this many. */
export const MIN_CLASS_IMAGES = 10;

/**
 * Each class's figures: the held-out real images of the class against the scored images of it. A scored image's
 * class is `scoredLabels`: for a conditional model's own samples the class each was generated for (the true
 * condition), for anything else the class of its nearest training image in feature space (an unconditional
 * model's samples carry no label of their own). With `nearestLabels` (a conditional model's samples: the class of
 * each one's nearest training image), each class also reports its `agreement`. A class with fewer than
 * {@link MIN_CLASS_IMAGES} images on either side gets no figures (null).
 */
export function perClassFigures(
  real: FeatureSet,
  realLabels: string[],
  scored: FeatureSet,
  scoredLabels: string[],
  copies: boolean[],
  seed: number,
  nearestLabels?: string[],
): ClassFigures[] {
  const labels = [...new Set([...realLabels, ...scoredLabels])].sort();
  return labels.map((label) => {
    const realRows = rowsOf(realLabels, label);
    const scoredRows = rowsOf(scoredLabels, label);
    const enough = realRows.length >= MIN_CLASS_IMAGES && scoredRows.length >= MIN_CLASS_IMAGES;
    const agreeing = nearestLabels ? scoredRows.filter((i) => nearestLabels[i] === label).length : 0;
    return {
      label,
      realCount: realRows.length,
      scoredCount: scoredRows.length,
      ...(nearestLabels && scoredRows.length > 0 ? { agreement: agreeing / scoredRows.length } : {}),
      realShare: realRows.length / real.count,
      scoredShare: scoredRows.length / scored.count,
      copies: scoredRows.filter((i) => copies[i]).length,
      figures: enough
        ? sampleFigures(pickFeatures(real, realRows), pickFeatures(scored, scoredRows), seed)
        : null,
    };
  });
}

/** The share of `conditions` (the class each sample was generated for) that `nearest` (its nearest training image's) matches. */
export function classAgreement(conditions: readonly string[], nearest: readonly string[]): number {
  const same = conditions.filter((c, i) => c === nearest[i]).length;
  return conditions.length > 0 ? same / conditions.length : 0;
}

function rowsOf(labels: string[], label: string): number[] {
  const rows: number[] = [];
  labels.forEach((l, i) => {
    if (l === label) rows.push(i);
  });
  return rows;
}
