import { loadDataset } from '../../dataset/index.js';
import {
  copyThreshold,
  nearestNeighbours,
  nearestOnBackend,
  splitIndices,
  type FeatureNetwork,
  type FeatureSet,
  type ImageBatch,
} from '../../engine/index.js';
import { loadFeatureNetwork } from '../../engine/node/index.js';
import type { CheckpointMeta, ProjectLayout } from '../../project/index.js';
import { UserError } from '../../util/errors.js';
import type { JobContext } from '../events.js';
import { datasetFeatures, pickFeatures } from './datasetFeatures.js';

/** The near-copy rule in words, as reports and messages state it. */
export const COPY_RULE =
  'a scored image is a near-copy when its nearest training image (in feature space) is closer than every ' +
  'held-out real image is to its own nearest training image';

/** The rule when the model was trained without held-out images. */
export const COPY_RULE_NO_HELD_OUT =
  'a scored image is a near-copy when its nearest training image (in feature space) is closer than any two ' +
  'different training images are to each other (the model was trained without held-out images)';

export interface CopyCheck {
  /** Index of the nearest training image in the dataset, and its path there. */
  trainingIndex: number;
  training: string;
  /** Feature distance to it. */
  distance: number;
  copy: boolean;
}

/** The project's training images in feature space, and the distance under which an image copies one. */
export interface TrainingNeighbourhood {
  /** Dataset indices of the training images, and their features (rows in that order). */
  trainingIndices: Uint32Array;
  training: FeatureSet;
  trainingPaths: string[];
  /** Distance of each held-out image to its nearest training image (leave-one-out training ones without). */
  realDistances: Float64Array;
  threshold: number;
  rule: string;
}

/**
 * The training split of the checkpoint `meta` over the dataset's features, and the near-copy threshold from the
 * held-out images `real` (their features), or, when the model had none, from the training images' distances to
 * each other.
 */
export async function trainingNeighbourhood(
  all: FeatureSet,
  paths: string[],
  meta: CheckpointMeta,
  real: FeatureSet | null,
  signal?: AbortSignal,
): Promise<TrainingNeighbourhood> {
  const split = splitIndices(all.count, meta.trainOptions.valFraction, meta.trainOptions.seed);
  const trainingIndices = split.train.length > 0 ? split.train : Uint32Array.from(paths, (_, i) => i);
  const training = pickFeatures(all, trainingIndices);
  const trainingPaths = Array.from(trainingIndices, (i) => paths[i]!);
  const held = real ?? (split.val.length > 0 ? pickFeatures(all, split.val) : null);
  let realDistances: Float64Array;
  let rule = COPY_RULE;
  if (held) {
    realDistances = (await nearestOnBackend(held, training, signal ? { signal } : {})).distances;
  } else {
    if (training.count < 2)
      throw new UserError(
        'INVALID_INPUT',
        'near-copies cannot be judged: the dataset has fewer than 2 images',
      );
    realDistances = nearestNeighbours(training, training, 1, { excludeSelf: true }).distances;
    rule = COPY_RULE_NO_HELD_OUT;
  }
  return {
    trainingIndices,
    training,
    trainingPaths,
    realDistances,
    threshold: copyThreshold(realDistances),
    rule,
  };
}

/** Nearest training image of each scored feature row, and whether it is a near-copy. */
export async function checkCopies(
  scored: FeatureSet,
  near: TrainingNeighbourhood,
  signal?: AbortSignal,
): Promise<CopyCheck[]> {
  const nn = await nearestOnBackend(scored, near.training, signal ? { signal } : {});
  return Array.from(nn.distances, (distance, i) => {
    const row = nn.indices[i]!;
    return {
      trainingIndex: near.trainingIndices[row]!,
      training: near.trainingPaths[row]!,
      distance,
      copy: distance < near.threshold,
    };
  });
}

/** Judges images one batch at a time against the project's training set (for `generate --reject-copies`). */
export interface CopyDetector {
  readonly threshold: number;
  readonly rule: string;
  /** Nearest training image of each image (feature space) and whether it is a near-copy. */
  check(images: ImageBatch, signal?: AbortSignal): Promise<CopyCheck[]>;
  dispose(): void;
}

/**
 * A detector over the project's dataset and the checkpoint's split; the dataset's features come from the cache in
 * `quality/.features/` when a report or an earlier run made them.
 */
export async function loadCopyDetector(
  layout: ProjectLayout,
  meta: CheckpointMeta,
  ctx: JobContext = {},
): Promise<CopyDetector> {
  const network: FeatureNetwork = await loadFeatureNetwork();
  try {
    const { manifest, images } = await loadDataset(layout.datasetDir);
    const all = await datasetFeatures(layout, layout.datasetDir, images, network, ctx);
    const near = await trainingNeighbourhood(
      all,
      manifest.items.map((item) => item.path),
      meta,
      null,
      ctx.signal,
    );
    return {
      threshold: near.threshold,
      rule: near.rule,
      async check(batch, signal) {
        const features = await network.extract(batch, signal ? { signal } : {});
        return checkCopies(features, near, signal);
      },
      dispose: () => network.dispose(),
    };
  } catch (err) {
    network.dispose();
    throw err;
  }
}
