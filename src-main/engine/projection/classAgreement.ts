import type { FeatureSet } from '../quality/featureSet.js';
import { exactNeighbours } from './exactNeighbours.js';

/** Neighbours that vote in {@link neighbourClassAgreement}. */
export const AGREEMENT_NEIGHBOURS = 5;

/**
 * How well a map keeps the classes apart: the leave-one-out k-nearest-neighbour accuracy of the points' classes
 * in the map's own coordinates (each point's class guessed by the majority of its k nearest other points, ties to
 * the nearest of the tied classes), beside the accuracy of always guessing the commonest class (chance).
 *
 * @param labels each point's class index; points with a negative label are left out (no class).
 * @returns null when fewer than k + 1 points have a class, or they all have the same one.
 */
export function neighbourClassAgreement(
  points: FeatureSet,
  labels: ArrayLike<number>,
  k = AGREEMENT_NEIGHBOURS,
): { accuracy: number; chance: number; k: number } | null {
  const kept: number[] = [];
  for (let i = 0; i < points.count; i++) if (labels[i]! >= 0) kept.push(i);
  if (kept.length < k + 1) return null;
  const counts = new Map<number, number>();
  for (const i of kept) counts.set(labels[i]!, (counts.get(labels[i]!) ?? 0) + 1);
  if (counts.size < 2) return null;
  const { dim } = points;
  const values = new Float32Array(kept.length * dim);
  kept.forEach((i, row) => values.set(points.values.subarray(i * dim, (i + 1) * dim), row * dim));
  const set = { count: kept.length, dim, values };
  const { indices } = exactNeighbours(set, k);
  let right = 0;
  for (let row = 0; row < kept.length; row++) {
    const votes = new Map<number, number>();
    for (let j = 0; j < k; j++) {
      const label = labels[kept[indices[row * k + j]!]!]!;
      votes.set(label, (votes.get(label) ?? 0) + 1);
    }
    const most = Math.max(...votes.values());
    // Of the classes with the most votes, the one met first among the neighbours (nearest first).
    let best = -1;
    for (let j = 0; j < k && best < 0; j++) {
      const label = labels[kept[indices[row * k + j]!]!]!;
      if (votes.get(label) === most) best = label;
    }
    if (best === labels[kept[row]!]) right++;
  }
  return { accuracy: right / kept.length, chance: Math.max(...counts.values()) / kept.length, k };
}
