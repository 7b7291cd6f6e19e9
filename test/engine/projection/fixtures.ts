import { Rng } from '../../../src-main/engine/rng.js';
import type { FeatureSet } from '../../../src-main/engine/index.js';

/**
 * `perCluster` points around each of `clusters` centres in `dim` dimensions: centres a few units apart, unit
 * noise, so a good 2-D layout keeps them apart. Row i belongs to cluster i % clusters.
 */
export function clusteredPoints(
  clusters: number,
  perCluster: number,
  dim: number,
  seed: number,
): { set: FeatureSet; labels: number[] } {
  const rng = new Rng(seed);
  const centres = Array.from({ length: clusters }, () => Array.from({ length: dim }, () => rng.normal() * 6));
  const count = clusters * perCluster;
  const values = new Float32Array(count * dim);
  const labels: number[] = [];
  for (let i = 0; i < count; i++) {
    const k = i % clusters;
    labels.push(k);
    for (let c = 0; c < dim; c++) values[i * dim + c] = centres[k]![c]! + rng.normal();
  }
  return { set: { count, dim, values }, labels };
}
