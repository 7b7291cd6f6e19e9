import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importFolder, loadDataset, type ImportReport } from '../dataset/index.js';
import { evaluateNegElbo, splitIndices, type LossTerms, pickImages } from '../engine/index.js';
import { resolveBackend, type BackendPreference } from '../engine/node/index.js';
import { openProject } from '../project/index.js';
import { ignoreEvents, jobEvent, type JobContext } from './events.js';
import { loadTrainedModel } from './loadModel.js';

export interface EvalJobInput {
  project: string;
  /** A folder of held-out images, preprocessed like the project's dataset; default: the validation split. */
  data?: string;
  seed?: number;
  batchSize?: number;
  backend?: BackendPreference;
}

export interface EvalJobResult {
  source: 'validation-split' | 'folder' | 'training-set';
  images: number;
  loss: LossTerms;
  epoch: number;
  skipped: ImportReport['skipped'];
}

/** −ELBO (nats/image, bits/dim) of the project's model on held-out images. */
export async function runEvaluation(input: EvalJobInput, ctx: JobContext = {}): Promise<EvalJobResult> {
  const emit = ctx.emit ?? ignoreEvents;
  const project = await openProject(input.project);
  await resolveBackend(input.backend ?? 'auto');
  const { model, checkpoint } = await loadTrainedModel(project.layout, emit);
  const batchSize = input.batchSize ?? 256;
  const seed = input.seed ?? 0;
  try {
    if (input.data) {
      const { manifest } = await loadDataset(project.layout.datasetDir);
      const scratch = await mkdtemp(join(tmpdir(), 'vae-studio-eval-'));
      try {
        const report = await importFolder(input.data, scratch, {
          size: manifest.size,
          channels: manifest.channels,
          fit: manifest.fit,
          ...(manifest.background ? { background: manifest.background } : {}),
          ...(ctx.signal ? { signal: ctx.signal } : {}),
          onProgress: (p) => emit(jobEvent('dataset.importProgress', p)),
        });
        const { images } = await loadDataset(scratch);
        return {
          source: 'folder',
          images: images.count,
          loss: await evaluateNegElbo(model, images, batchSize, seed),
          epoch: checkpoint.meta.epoch,
          skipped: report.skipped,
        };
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    }
    const { images } = await loadDataset(project.layout.datasetDir);
    const { valFraction, seed: trainSeed } = checkpoint.meta.trainOptions;
    const { val } = splitIndices(images.count, valFraction, trainSeed);
    const source = val.length > 0 ? 'validation-split' : 'training-set';
    const subset = val.length > 0 ? pickImages(images, val) : images;
    return {
      source,
      images: subset.count,
      loss: await evaluateNegElbo(model, subset, batchSize, seed),
      epoch: checkpoint.meta.epoch,
      skipped: [],
    };
  } finally {
    model.dispose();
  }
}
