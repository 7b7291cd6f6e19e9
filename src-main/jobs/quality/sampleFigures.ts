import type { SampleFigures } from '../../contract/index.js';
import { fid, kid, manifoldMetrics, type FeatureSet } from '../../engine/index.js';

/** FID, KID ± its standard error, precision/recall and density/coverage of `scored` against `real`. */
export function sampleFigures(real: FeatureSet, scored: FeatureSet, seed: number): SampleFigures {
  const k = kid(real, scored, { seed });
  const manifold = manifoldMetrics(real, scored);
  return {
    fid: fid(real, scored),
    kid: k.mean,
    kidStandardError: k.standardError,
    precision: manifold.precision,
    recall: manifold.recall,
    density: manifold.density,
    coverage: manifold.coverage,
  };
}
