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
  fittedMixture,
  mixtureSamplerFile,
  readMixtureSampler,
  samplerSha256,
  writeMixtureSampler,
  type Checkpoint,
  type ClassMixture,
  type FittedMixture,
  type MixtureSamplerFile,
} from '../project/index.js';
import { throwIfCancelled, UserError } from '../util/errors.js';
import { loadLabelledDataset } from './datasetLabels.js';
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
/**
 * Latents per component a class's mixture asks for: a class of n training images gets
 * min(MIXTURE_COMPONENTS, max(1, ⌊n / (LATENTS_PER_COMPONENT·(d + 1))⌋)) components for latents of d dimensions,
 * so no component's (full) covariance rests on fewer than about 2(d + 1) latents.
 */
export const LATENTS_PER_COMPONENT = 2;
/** Images encoded per call while collecting the training latents. */
const ENCODE_CHUNK = 512;

/** Components of the mixture of one class of `count` training latents of `dim` dimensions. */
export function classComponents(count: number, dim: number): number {
  return Math.min(MIXTURE_COMPONENTS, Math.max(1, Math.floor(count / (LATENTS_PER_COMPONENT * (dim + 1)))));
}

/** A sampler ready to draw, with what names it in a manifest row. */
export interface PreparedSampler {
  kind: SamplerKind;
  /**
   * The sampler of an unconditional model (`null`), or of class `classIndex` of a conditional one (its index in
   * `config.classes`): the prior for every class, or that class's mixture.
   * @throws Error for a class index the model lacks, or a model of the other kind.
   */
  samplerOf(classIndex: number | null): LatentSampler;
  /** sha256 of the mixture, or of a conditional model's list of mixtures (`gmm` only): the manifest's `samplerSha256`. */
  sha256: string | null;
  /** The fitted mixture's file as read or fitted (`gmm` only). */
  file: MixtureSamplerFile | null;
}

/** {@link PreparedSampler.samplerOf} for `samplers`: one (unconditional) or one per class. */
function samplersOf(samplers: LatentSampler[], conditional: boolean): PreparedSampler['samplerOf'] {
  return (classIndex) => {
    if ((classIndex === null) === conditional) {
      throw new Error(
        conditional ? 'a conditional model samples per class' : 'an unconditional model has no classes',
      );
    }
    const sampler = samplers[classIndex ?? 0];
    if (!sampler) throw new Error(`class ${classIndex} is not one of the model's ${samplers.length}`);
    return sampler;
  };
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
  const classes = model.config.conditional ? (model.config.classes ?? []) : null;
  if (kind === 'prior') {
    const prior = priorSampler(latentDim);
    const samplers = classes ? classes.map(() => prior) : [prior];
    return { kind, samplerOf: samplersOf(samplers, classes !== null), sha256: null, file: null };
  }
  const emit = ctx.emit ?? ignoreEvents;
  const stored = await readMixtureSampler(checkpoint.dir, {
    weightsSha256: checkpoint.meta.weightsSha256,
    latentDim,
    ...(classes ? { classes } : {}),
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
  const mixtures = file.classes ? file.classes.map((c) => c.mixture) : [file.mixture];
  return {
    kind,
    samplerOf: samplersOf(mixtures.map(mixtureSampler), file.classes !== undefined),
    sha256: samplerSha256(file),
    file,
  };
}

/**
 * Fits the mixture to the posterior means μ(x) of the checkpoint's training split (the split `splitIndices` gave
 * its run), seeded by the run's seed; a conditional model's one mixture per class, to the means μ(x, y) of that
 * class's training images.
 */
async function fitCheckpointMixture(
  input: PrepareSamplerInput,
  ctx: JobContext,
): Promise<MixtureSamplerFile> {
  const { checkpoint, model } = input;
  const emit = ctx.emit ?? ignoreEvents;
  const started = performance.now();
  const images = input.images ?? (await loadLabelledDataset(input.datasetDir, model.config)).images;
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
        'the mixture sampler is fitted to the training images, so use --sampler prior or train again',
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
  const classes = model.config.conditional ? (model.config.classes ?? []) : null;
  emit(
    logEvent(
      classes
        ? `fitting the mixture sampler (one per class, up to ${MIXTURE_COMPONENTS} components each, ${covariance} ` +
            `covariances) to the latents of ${train.length} training images of ${classes.length} classes; once per checkpoint`
        : `fitting the mixture sampler (${MIXTURE_COMPONENTS} components, ${covariance} covariances) to the ` +
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
  let fitted: FittedMixture | ClassMixture[];
  if (classes) {
    const labels = images.labels!;
    fitted = classes.map((name, k) => {
      const own = latents.filter((_, i) => labels[train[i]!] === k);
      if (own.length === 0) {
        throw new UserError(
          'DATASET_CHANGED',
          `class ${name} has no training images to fit its mixture to; use --sampler prior or train again`,
        );
      }
      const components = classComponents(own.length, latentDim);
      const fit = fitGaussianMixture(own, { components, covariance, seed: hashSeed(seed, k) });
      return { name, ...fittedMixture(own.length, fit) };
    });
  } else {
    fitted = fittedMixture(
      train.length,
      fitGaussianMixture(latents, { components: MIXTURE_COMPONENTS, covariance, seed }),
    );
  }
  const seconds = (performance.now() - started) / 1000;
  const all = Array.isArray(fitted) ? fitted : [fitted];
  const steps = all.reduce((n, f) => n + f.iterations, 0);
  const logLikelihood = all.reduce((s, f) => s + f.logLikelihood * f.trainingImages, 0) / train.length;
  emit(
    logEvent(
      `fitted in ${seconds.toFixed(1)} s: ${steps} EM steps, mean log-likelihood ` +
        `${logLikelihood.toFixed(3)} nats per latent${all.every((f) => f.converged) ? '' : ' (stopped at the step limit)'}` +
        (Array.isArray(fitted)
          ? ` (components per class: ${fitted.map((f) => f.components).join(', ')})`
          : ''),
    ),
  );
  return mixtureSamplerFile({ weightsSha256: checkpoint.meta.weightsSha256, seed, seconds, fitted });
}
