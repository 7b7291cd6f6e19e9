import type { DatasetManifest } from '../dataset/index.js';
import { readDatasetManifest } from '../dataset/index.js';
import type { EpochMetrics, VaeConfig, TrainOptions } from '../engine/index.js';
import { readLatestCheckpointMeta, type CheckpointMeta } from './checkpoint.js';
import type { Project } from './projectFolder.js';

/** What `vae-studio info` shows: the dataset, the model and its training history. */
export interface ProjectInfo {
  root: string;
  name: string;
  createdAt: string;
  dataset:
    | (Pick<DatasetManifest, 'count' | 'size' | 'channels' | 'fit' | 'labels' | 'sourceRoot'> & {
        perLabel: Record<string, number>;
      })
    | null;
  model: (ModelSummary & { history: EpochMetrics[] }) | null;
}

/** What a checkpoint says of its model, without the history and the arrays. */
export interface ModelSummary {
  checkpoint: string;
  epoch: number;
  config: VaeConfig;
  /** A conditional model's classes in one-hot order, with the training images of each; absent otherwise. */
  classes?: { name: string; images: number }[];
  trainOptions: TrainOptions;
  backend: string;
  savedAt: string;
  last: EpochMetrics | null;
  /** Why this is not the checkpoint `latest.json` names (it was missing or damaged), when it is not. */
  note?: string;
}

/** The summary of the checkpoint in `dir` whose model.json is `meta`. */
export function modelSummary(dir: string, meta: CheckpointMeta): ModelSummary {
  const counts = meta.dataset.classCounts;
  return {
    checkpoint: dir,
    epoch: meta.epoch,
    config: meta.config,
    ...(meta.config.conditional
      ? { classes: (meta.config.classes ?? []).map((name, k) => ({ name, images: counts?.[k] ?? 0 })) }
      : {}),
    trainOptions: meta.trainOptions,
    backend: meta.backend,
    savedAt: meta.savedAt,
    last: meta.history.at(-1) ?? null,
  };
}

/** Reads a project's dataset manifest and latest checkpoint metadata (no weight arrays are read). */
export async function projectInfo(project: Project): Promise<ProjectInfo> {
  const manifest = await readDatasetManifest(project.layout.datasetDir);
  const checkpoint = await readLatestCheckpointMeta(project.layout);
  let dataset: ProjectInfo['dataset'] = null;
  if (manifest) {
    const perLabel: Record<string, number> = {};
    for (const item of manifest.items) perLabel[item.label] = (perLabel[item.label] ?? 0) + 1;
    dataset = {
      count: manifest.count,
      size: manifest.size,
      channels: manifest.channels,
      fit: manifest.fit,
      labels: manifest.labels,
      sourceRoot: manifest.sourceRoot,
      perLabel,
    };
  }
  return {
    root: project.layout.root,
    name: project.meta.name,
    createdAt: project.meta.createdAt,
    dataset,
    model: checkpoint
      ? {
          ...modelSummary(checkpoint.dir, checkpoint.meta),
          ...(checkpoint.note ? { note: checkpoint.note } : {}),
          history: checkpoint.meta.history,
        }
      : null,
  };
}
