import { loadDataset, type ImportReport } from '../dataset/index.js';
import {
  evaluateNegElbo,
  splitIndices,
  type Likelihood,
  type LossTerms,
  type VaeModel,
  pickImages,
} from '../engine/index.js';
import { resolveBackend, type BackendPreference } from '../engine/node/index.js';
import { openProject } from '../project/index.js';
import { ignoreEvents, type JobContext } from './events.js';
import { CLASS_FOLDERS_ADVICE, labelsFor, loadLabelledDataset } from './datasetLabels.js';
import { readFolderLikeDataset } from './folderImages.js';
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
  /** The model's likelihood: its nats are −log of a probability (Bernoulli) or of a density (the Gaussians). */
  likelihood: Likelihood;
  /** The decoder σ the figure used (the fixed setting, or the σ-VAE's stored σ̂); null for Bernoulli. */
  decoderSigma: number | null;
}

function decoderSigma(model: VaeModel): number | null {
  const { likelihood, gaussianSigma } = model.config;
  if (likelihood === 'gaussian-optimal') return Math.exp(model.decoderLogSigma);
  return likelihood === 'gaussian' ? gaussianSigma : null;
}

/**
 * −ELBO (nats/image, bits/dim) of the project's model on held-out images; a conditional model's of each image given
 * its class (its class folder).
 */
export async function runEvaluation(input: EvalJobInput, ctx: JobContext = {}): Promise<EvalJobResult> {
  const emit = ctx.emit ?? ignoreEvents;
  const project = await openProject(input.project);
  await resolveBackend(input.backend ?? 'auto');
  const { model, checkpoint } = await loadTrainedModel(project.layout, emit);
  const batchSize = input.batchSize ?? 256;
  const seed = input.seed ?? 0;
  const about = { likelihood: model.config.likelihood, decoderSigma: decoderSigma(model) };
  try {
    if (input.data) {
      const { manifest } = await loadDataset(project.layout.datasetDir);
      const read = await readFolderLikeDataset(input.data, manifest, ctx);
      const { images, skipped } = read;
      if (model.config.conditional)
        images.labels = labelsFor(read.manifest, model.config.classes ?? [], CLASS_FOLDERS_ADVICE);
      return {
        source: 'folder',
        images: images.count,
        loss: await evaluateNegElbo(model, images, batchSize, seed),
        epoch: checkpoint.meta.epoch,
        skipped,
        ...about,
      };
    }
    const { images } = await loadLabelledDataset(project.layout.datasetDir, model.config);
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
      ...about,
    };
  } finally {
    model.dispose();
  }
}
