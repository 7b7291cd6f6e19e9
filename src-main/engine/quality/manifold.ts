/**
 * k-NN estimates of how a generated set covers the real one, each from the balls that reach a point's k-th nearest
 * neighbour in its own set:
 *
 * - precision and recall (Kynkäänniemi et al. 2019, "Improved precision and recall metric for assessing
 *   generative models", k = 3): precision is the share of generated rows inside some real ball, recall the share
 *   of real rows inside some generated ball. Mode dropping lowers recall; samples off the data lower precision.
 * - density and coverage (Naeem et al. 2020, "Reliable fidelity and diversity metrics for generative models",
 *   k = 5, real balls only): density = Σⱼ #{real balls holding generated row j} / (k·m), about 1 when the sets
 *   share a distribution and above 1 where generated rows crowd dense real regions; coverage is the share of real
 *   balls holding at least one generated row.
 *
 * "Inside" is a squared distance strictly below the ball's squared radius, as in the authors' code (prdc), so a
 * set compared with itself gives precision = recall = coverage = 1 and density exactly 1 (each ball holds its
 * centre and its k − 1 nearer neighbours). One pass over each set's own distances and one over the cross distances
 * give all four numbers.
 */
import { checkFeatureSet, checkSameDim, type FeatureSet } from './featureSet.js';
import { distanceOperand, forEachDistanceBlock, kNearest, type DistanceOperand } from './neighbours.js';

/** The four k-NN metrics, each in [0, 1] except density (≥ 0, about 1 for matching distributions). */
export interface ManifoldMetrics {
  precision: number;
  recall: number;
  density: number;
  coverage: number;
  /** The k of precision and recall, and of density and coverage. */
  precisionRecallK: number;
  densityCoverageK: number;
}

/** Defaults of the papers: k = 3 for precision/recall, k = 5 for density/coverage. */
export const DEFAULT_PRECISION_RECALL_K = 3;
export const DEFAULT_DENSITY_COVERAGE_K = 5;

/** Precision, recall, density and coverage of `generated` against `real` in one go. */
export function manifoldMetrics(
  real: FeatureSet,
  generated: FeatureSet,
  options: { precisionRecallK?: number; densityCoverageK?: number } = {},
): ManifoldMetrics {
  const kPr = options.precisionRecallK ?? DEFAULT_PRECISION_RECALL_K;
  const kDc = options.densityCoverageK ?? DEFAULT_DENSITY_COVERAGE_K;
  const kMax = Math.max(kPr, kDc);
  checkFeatureSet(real, 'manifoldMetrics: real', kMax + 1);
  checkFeatureSet(generated, 'manifoldMetrics: generated', kPr + 1);
  checkSameDim(real, generated);
  for (const k of [kPr, kDc]) {
    if (!Number.isInteger(k) || k < 1)
      throw new RangeError(`manifoldMetrics: k must be a positive integer, got ${k}`);
  }
  const x = distanceOperand(real);
  const y = distanceOperand(generated);
  const realRadii = radii(x, kMax, [kPr, kDc]);
  const realRadiiPr = realRadii[0]!;
  const realRadiiDc = realRadii[1]!;
  const generatedRadii = radii(y, kPr, [kPr])[0]!;

  const n = x.count;
  const m = y.count;
  const generatedInReal = new Uint8Array(m);
  let realInGenerated = 0;
  let covered = 0;
  let ballHits = 0;
  forEachDistanceBlock(x, y, (first, rows, block) => {
    for (let r = 0; r < rows; r++) {
      const i = first + r;
      const rPr = realRadiiPr[i]!;
      const rDc = realRadiiDc[i]!;
      let inGenerated = false;
      let hits = 0;
      for (let j = 0; j < m; j++) {
        const dist = block[r * m + j]!;
        if (dist < rPr) generatedInReal[j] = 1;
        if (dist < generatedRadii[j]!) inGenerated = true;
        if (dist < rDc) hits++;
      }
      if (inGenerated) realInGenerated++;
      if (hits > 0) covered++;
      ballHits += hits;
    }
  });
  let precisionCount = 0;
  for (let j = 0; j < m; j++) precisionCount += generatedInReal[j]!;
  return {
    precision: precisionCount / m,
    recall: realInGenerated / n,
    density: ballHits / (kDc * m),
    coverage: covered / n,
    precisionRecallK: kPr,
    densityCoverageK: kDc,
  };
}

/** k-NN precision and recall (Kynkäänniemi et al. 2019), k = 3 by default. */
export function precisionRecall(
  real: FeatureSet,
  generated: FeatureSet,
  k = DEFAULT_PRECISION_RECALL_K,
): { precision: number; recall: number } {
  const { precision, recall } = manifoldMetrics(real, generated, {
    precisionRecallK: k,
    densityCoverageK: k,
  });
  return { precision, recall };
}

/** Density and coverage (Naeem et al. 2020), k = 5 by default. */
export function densityCoverage(
  real: FeatureSet,
  generated: FeatureSet,
  k = DEFAULT_DENSITY_COVERAGE_K,
): { density: number; coverage: number } {
  const { density, coverage } = manifoldMetrics(real, generated, {
    precisionRecallK: k,
    densityCoverageK: k,
  });
  return { density, coverage };
}

/** Squared k-th neighbour radii of a set for each k of `ks`, read from one k-NN pass of size `kPass` ≥ every k. */
function radii(set: DistanceOperand, kPass: number, ks: number[]): Float64Array[] {
  const { squared } = kNearest(set, set, kPass, true);
  return ks.map((k) => {
    const out = new Float64Array(set.count);
    for (let i = 0; i < set.count; i++) out[i] = squared[i * kPass + k - 1]!;
    return out;
  });
}
