import { loadDataset } from '../dataset/index.js';
import {
  encodeImages,
  fitGaussianMixture,
  mixtureSampler,
  pickImages,
  priorSampler,
  shuffle,
  splitIndices,
  hashSeed,
  SeedTag,
  type CovarianceKind,
  type ImageBatch,
  type LatentSampler,
  type SamplerKind,
  type VaeModel,
} from '../engine/index.js';
import {
  mixtureSamplerFile,
  mixtureSha256,
  readMixtureSampler,
  writeMixtureSampler,
  type Checkpoint,
  type MixtureSamplerFile,
} from '../project/index.js';
import { throwIfCancelled, UserError } from '../util/errors.js';
import { ignoreEvents, logEvent, type JobContext } from './events.js';

/**
 * The latent sampler a generation or a quality report draws from. `prior` is N(0, I). `gmm` is the checkpoint's
 * fitted mixture (ex-post density estimation, Ghosh et al. 2019): read from `sampler-gmm.json` beside the
 * checkpoint, or — on first use, or when that file is damaged or belongs to other weights — fitted to the posterior
 * means of the checkpoint's training split and saved there. Generation takes no project lock (it only reads a
 * model), and neither does this: the fit is the same whoever makes it, the file is written atomically, and a
 * save that fails (a read-only project, a folder a training run just pruned) is said in the log while the images
 * are drawn from the mixture fitted now.
 */

/** Components of the fitted mixture: Ghosh et al.'s K = 10 (measured in docs/architecture.md). */
export const MIXTURE_COMPONENTS = 10;
/** Up to this latent size the mixture has full covariances, above it diagonal ones (EM costs N·K·d² per step). */
export const FULL_COVARIANCE_MAX_DIM = 64;
/** A training split above this many images is fitted on a seeded subset of this size (EM costs N per step). */
export const MAX_FIT_LATENTS = 50_000;
/** Images encoded per call while collecting the training latents. */
const ENCODE_CHUNK = 512;

/** A sampler ready to draw, with what names it in a manifest row. */
export interface PreparedSampler {
  kind: SamplerKind;
  sampler: LatentSampler;
  /** sha256 of the mixture (`gmm` only): the manifest's `samplerSha256`. */
  sha256: string | null;
  /** The fitted mixture's file as read or fitted (`gmm` only). */
  file: MixtureSamplerFile | null;
}

export interface PrepareSamplerInput {
  kind: SamplerKind;
  checkpoint: Checkpoint;
  model: VaeModel;
  /** The dataset folder the checkpoint was trained on; read only when a mixture has to be fitted. */
  datasetDir: string;
  /** Its images, when the caller has them loaded already. */
  images?: ImageBatch;
}

/** The sampler `kind` for the checkpoint's model, fitting and saving the mixture when it has none yet. */
export async function prepareSampler(
  input: PrepareSamplerInput,
  ctx: JobContext = {},
): Promise<PreparedSampler> {
  const { kind, checkpoint, model } = input;
  const latentDim = model.config.latentDim;
  if (kind === 'prior') return { kind, sampler: priorSampler(latentDim), sha256: null, file: null };
  const emit = ctx.emit ?? ignoreEvents;
  const stored = await readMixtureSampler(checkpoint.dir, {
    weightsSha256: checkpoint.meta.weightsSha256,
    latentDim,
  });
  let file: MixtureSamplerFile;
  if (typeof stored === 'object' && !('problem' in stored)) {
    file = stored;
  } else {
    if (stored !== 'missing') emit(logEvent(`${stored.problem}; fitting it again`));
    file = await fitCheckpointMixture(input, ctx);
    try {
      const path = await writeMixtureSampler(checkpoint.dir, file);
      emit(logEvent(`saved the fitted mixture to ${path}`));
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      emit(
        logEvent(
          `could not save the fitted mixture in ${checkpoint.dir} (${e.code ?? e.message}); drawing from the ` +
            'mixture fitted now, which the next run fits again',
        ),
      );
    }
  }
  return { kind, sampler: mixtureSampler(file.mixture), sha256: mixtureSha256(file.mixture), file };
}

/**
 * Fits the mixture to the posterior means μ(x) of the checkpoint's training split (the split `splitIndices` gave
 * its run), seeded by the run's seed.
 */
async function fitCheckpointMixture(
  input: PrepareSamplerInput,
  ctx: JobContext,
): Promise<MixtureSamplerFile> {
  const { checkpoint, model } = input;
  const emit = ctx.emit ?? ignoreEvents;
  const started = performance.now();
  const images = input.images ?? (await loadDataset(input.datasetDir)).images;
  const trained = checkpoint.meta.dataset;
  if (
    images.count !== trained.count ||
    images.size !== trained.size ||
    images.channels !== trained.channels
  ) {
    throw new UserError(
      'DATASET_CHANGED',
      `the model was trained on ${trained.count} images of ${trained.size}×${trained.size}×${trained.channels}, ` +
        `but ${input.datasetDir} now holds ${images.count} of ${images.size}×${images.size}×${images.channels}; ` +
        'the mixture sampler is fitted to the training images, so choose the prior sampler or train again',
    );
  }
  const { valFraction, seed } = checkpoint.meta.trainOptions;
  let train = splitIndices(images.count, valFraction, seed).train;
  if (train.length > MAX_FIT_LATENTS) {
    const pick = shuffle(train.length, hashSeed(seed, SeedTag.mixture, train.length)).slice(
      0,
      MAX_FIT_LATENTS,
    );
    train = pick.map((i) => train[i]!).sort();
  }
  const latentDim = model.config.latentDim;
  const covariance: CovarianceKind = latentDim <= FULL_COVARIANCE_MAX_DIM ? 'full' : 'diagonal';
  emit(
    logEvent(
      `fitting the mixture sampler (${MIXTURE_COMPONENTS} components, ${covariance} covariances) to the ` +
        `latents of ${train.length} training images; once per checkpoint`,
    ),
  );
  const latents: Float32Array[] = [];
  for (let start = 0; start < train.length; start += ENCODE_CHUNK) {
    throwIfCancelled(ctx.signal);
    const chunk = pickImages(images, train.subarray(start, start + ENCODE_CHUNK));
    latents.push(...(await encodeImages(model, chunk, 256)).mu);
  }
  throwIfCancelled(ctx.signal);
  const fit = fitGaussianMixture(latents, { components: MIXTURE_COMPONENTS, covariance, seed });
  const seconds = (performance.now() - started) / 1000;
  emit(
    logEvent(
      `fitted in ${seconds.toFixed(1)} s: ${fit.iterations} EM steps, mean log-likelihood ` +
        `${fit.logLikelihood.toFixed(3)} nats per latent${fit.converged ? '' : ' (stopped at the step limit)'}`,
    ),
  );
  return mixtureSamplerFile({
    weightsSha256: checkpoint.meta.weightsSha256,
    seed,
    trainingImages: train.length,
    seconds,
    fit,
  });
}
