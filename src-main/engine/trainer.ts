/**
 * The training loop: seeded split and shuffles, batches straight from the uint8 cache, Adam with global-norm
 * clipping, KL warm-up and free bits, divergence detection, per-epoch validation and previews, cancellation
 * between steps, and a state that resumes a run bit-for-bit (same shuffles, same noise, same Adam moments).
 */
import * as tf from '@tensorflow/tfjs-core';
import { TRAIN_SETTINGS } from '../contract/settings/index.js';
import { UserError } from '../util/errors.js';
import { Adam, clipScale, globalNorm } from './adam.js';
import { validateTrainOptions } from './config.js';
import { registerVaeGradients } from './gradients.js';
import { calibratedLogSigma, lossTerms, meanNegElbo, negElboTerms, noise } from './loss.js';
import type { VaeModel } from './model.js';
import { bytesToTensor, gatherImages, imageBytes, labelsToTensor, pickImages } from './pixels.js';
import { hashSeed, Rng, SeedTag, shuffle } from './rng.js';
import { fitAggregateGaussian, shapeLatents } from './aggregatePosterior.js';
import { decodeLatents, encodeImages, reconstructImages, sampleLatents, tileImages } from './sampler.js';
import type {
  EpochMetrics,
  EpochPreview,
  ImageBatch,
  NamedArray,
  NativeTraining,
  TrainerState,
  TrainOptions,
  TrainProgress,
} from './types.js';

/** Images in the fixed-z sample grid of each epoch's preview (8 × 8; a conditional model's: a row per class). */
export const PREVIEW_SAMPLES = 64;
/** Columns of the sample grid: a conditional model's rows, one per class, share these columns' z. */
const PREVIEW_COLUMNS = 8;
/** Validation images reconstructed in each epoch's preview. */
export const PREVIEW_RECONSTRUCTIONS = 8;
/** Most images whose latents shape each epoch's sample grid (the validation images, else training images). */
export const PREVIEW_FIT_IMAGES = 512;
/** Least time between two progress reports, ms. */
export const PROGRESS_INTERVAL_MS = 250;
/** With this many steps per epoch or fewer, every step is reported. */
const REPORT_EVERY_STEP_BELOW = 20;

/** Callbacks of {@link Trainer.run}. */
export interface TrainHooks {
  /** Checked between steps; when aborted, `run` resolves with `cancelled: true`. */
  signal?: AbortSignal;
  /** Called every few steps (at most every 250 ms, and at each epoch's last step). */
  onProgress?(p: TrainProgress): void;
  /** Called after each completed epoch, with finite metrics and the weights of that epoch; awaited. */
  onEpoch?(m: EpochMetrics, preview: EpochPreview, state: TrainerState): void | Promise<void>;
}

/** What {@link Trainer.run} resolves to. */
export interface TrainResult {
  /** Every completed epoch, including those of earlier runs this state resumed. */
  history: EpochMetrics[];
  /** State after the last completed epoch. */
  state: TrainerState;
  /** True when stopped by the signal; the model then holds the weights of the last completed epoch. */
  cancelled: boolean;
}

/**
 * Seeded split of `count` image indices into train and validation. round(count·valFraction) images (at least
 * one when valFraction > 0 and count ≥ 2, never all of them) go to validation. Both lists are sorted, and the
 * split depends only on (count, valFraction, seed), so a resumed run and `eval` see the same held-out images.
 */
export function splitIndices(
  count: number,
  valFraction: number,
  seed: number,
): { train: Uint32Array; val: Uint32Array } {
  const nVal =
    valFraction > 0 && count >= 2 ? Math.min(count - 1, Math.max(1, Math.round(count * valFraction))) : 0;
  const perm = shuffle(count, hashSeed(seed, SeedTag.split));
  return { val: perm.slice(0, nVal).sort(), train: perm.slice(nVal).sort() };
}

/**
 * `count` of `indices` (ascending), spread over the classes: the first image of each class in class order, then
 * the second of each, and so on; without classes, evenly spaced through `indices`. Deterministic, so every epoch
 * (and a resumed run) reconstructs the same images.
 *
 * @param classes the class of every image of the dataset, by image index.
 */
export function pickAcrossClasses(
  indices: Uint32Array,
  classes: Uint32Array | undefined,
  count: number,
): number[] {
  const n = Math.min(count, indices.length);
  if (!classes)
    return Array.from({ length: n }, (_, k) => indices[Math.floor(((k + 0.5) * indices.length) / n)]!);
  const byClass = new Map<number, number[]>();
  for (const index of indices) {
    const cls = classes[index] ?? 0;
    const members = byClass.get(cls);
    if (members) members.push(index);
    else byClass.set(cls, [index]);
  }
  const groups = [...byClass.entries()].sort(([a], [b]) => a - b).map(([, members]) => members);
  const picked: number[] = [];
  for (let round = 0; picked.length < n; round++) {
    for (const members of groups)
      if (round < members.length && picked.length < n) picked.push(members[round]!);
  }
  return picked;
}

interface StepResult {
  loss: number;
  reconstruction: number;
  kl: number;
  gradNorm: number;
  /** σ-VAE only: the batch's mean squared error, σ*² (0 for the other likelihoods). */
  meanSquaredError: number;
}

/**
 * One optimisation step on `n` images whose bytes start `bytes` (and, for a conditional model, whose class
 * indices are `labels`). With `native`, the objective, gradients and Adam's update come from outside tfjs (ONNX
 * Runtime) for the same inputs. Gradients are checked for NaN/Inf before Adam
 * sees them: when anything is not finite, nothing is applied and the raw figures are returned for the caller
 * to report.
 */
async function trainStep(
  model: VaeModel,
  adam: Adam,
  bytes: Uint8Array,
  labels: Uint16Array | null,
  n: number,
  beta: number,
  freeBits: number,
  noiseSeed: number,
  clipNorm: number,
  native: NativeTraining | null,
): Promise<StepResult> {
  const { imageSize: size, channels, latentDim } = model.config;
  const x = bytesToTensor(bytes, n, size, channels);
  const eps = noise(n, latentDim, noiseSeed);
  const y = labels ? labelsToTensor(labels, 0, n, model.labelSize) : undefined;
  try {
    return native
      ? await nativeStep(model, adam, native, { x, eps, y, n, beta, clipNorm })
      : await tfjsStep(model, adam, { x, eps, y, beta, freeBits, clipNorm });
  } finally {
    tf.dispose([x, eps, ...(y ? [y] : [])]);
  }
}

interface StepTensors {
  x: tf.Tensor4D;
  eps: tf.Tensor2D;
  y: tf.Tensor2D | undefined;
  beta: number;
  clipNorm: number;
}

/** {@link trainStep} on tfjs: its gradients, then {@link Adam.apply}. */
async function tfjsStep(
  model: VaeModel,
  adam: Adam,
  { x, eps, y, beta, freeBits, clipNorm }: StepTensors & { freeBits: number },
): Promise<StepResult> {
  const kept: { rec?: tf.Scalar; kl?: tf.Scalar; mse?: tf.Scalar } = {};
  const { value, grads } = tf.variableGrads(() => {
    // The σ-VAE trains with its batch's own σ* (loss.ts); every other figure uses the model's stored σ.
    const t = negElboTerms(model, x, eps, beta, freeBits, 'batch', y);
    // Kept past variableGrads' internal tidy so the terms come out of the same forward pass; disposed below.
    kept.rec = tf.keep(t.reconstruction);
    kept.kl = tf.keep(t.kl);
    if (t.meanSquaredError) kept.mse = tf.keep(t.meanSquaredError);
    return t.loss;
  }, model.variables);
  const gradList = model.variables.map((v) => grads[v.name]!);
  try {
    const packed = tf.tidy(() =>
      tf.stack([value, kept.rec!, kept.kl!, globalNorm(gradList), kept.mse ?? tf.scalar(0)]),
    );
    const values = await packed.data();
    packed.dispose();
    const result = {
      loss: values[0]!,
      reconstruction: values[1]!,
      kl: values[2]!,
      gradNorm: values[3]!,
      meanSquaredError: values[4]!,
    };
    if (Number.isFinite(result.loss) && Number.isFinite(result.gradNorm))
      adam.apply(gradList, clipScale(result.gradNorm, clipNorm));
    return result;
  } finally {
    tf.dispose([value, kept.rec!, kept.kl!, ...(kept.mse ? [kept.mse] : []), ...gradList]);
  }
}

/**
 * {@link trainStep} outside tfjs: the same pixels, noise and labels, the weights and moments read from tfjs, and
 * the update written back only when the step's figures are finite.
 */
async function nativeStep(
  model: VaeModel,
  adam: Adam,
  native: NativeTraining,
  { x, eps, y, n, beta, clipNorm }: StepTensors & { n: number },
): Promise<StepResult> {
  const [params, moments, xs, es, ys] = await Promise.all([
    Promise.all(model.variables.map((v) => v.data() as Promise<Float32Array>)),
    adam.readMoments(),
    x.data() as Promise<Float32Array>,
    eps.data() as Promise<Float32Array>,
    y?.data() as Promise<Float32Array> | undefined,
  ]);
  const r = await native.step({
    params,
    ...moments,
    x: xs,
    eps: es,
    ...(ys ? { y: ys } : {}),
    n,
    beta,
    ...adam.nextStep(),
    clipNorm,
  });
  if (Number.isFinite(r.loss) && Number.isFinite(r.gradNorm)) adam.applyComputed(r);
  const { loss, reconstruction, kl, gradNorm, meanSquaredError } = r;
  return { loss, reconstruction, kl, gradNorm, meanSquaredError };
}

const macrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A conditional model (label width K > 0) trains on labelled images only: one class index in 0…K−1 per image.
 * @throws UserError DATASET_MISMATCH naming what is missing or out of range.
 */
function checkLabels(data: ImageBatch, K: number): void {
  if (K === 0) return;
  const labels = data.labels;
  if (!labels || labels.length < data.count) {
    throw new UserError(
      'DATASET_MISMATCH',
      `the model is conditional on ${K} classes, but ${labels ? `only ${labels.length} of the ${data.count}` : 'none of the'} images carry a class label`,
    );
  }
  for (let i = 0; i < data.count; i++) {
    if (labels[i]! >= K) {
      throw new UserError(
        'DATASET_MISMATCH',
        `image ${i} has class ${labels[i]}, but the model has ${K} classes (0–${K - 1})`,
      );
    }
  }
}

/** Trains one {@link VaeModel} on one set of images; `run` may be called again to continue. */
export class Trainer {
  private readonly options: TrainOptions;
  private readonly trainIndices: Uint32Array;
  private readonly valImages: ImageBatch | null;
  private readonly previewOriginals: ImageBatch;
  /** The images whose aggregate posterior each epoch's sample grid is drawn from. */
  private readonly previewFitImages: ImageBatch;
  private readonly previewZ: Float32Array[];
  /** A conditional model's class of each preview sample (a row per class), null for an unconditional one. */
  private readonly previewLabels: Uint16Array | null;
  private state: TrainerState;

  /**
   * @param data all images (uint8 NHWC); split into train/validation by `options.seed`.
   * @param state where a previous run stopped (from {@link getState} or a checkpoint); the model must already
   *   hold that state's weights.
   * @param native runs each step outside tfjs (engine/node's `nativeTraining`, built for this model's config and
   *   `options.freeBits`); tfjs's own gradients and Adam when absent.
   */
  constructor(
    private readonly model: VaeModel,
    private readonly data: ImageBatch,
    options: TrainOptions,
    state?: TrainerState,
    private readonly native: NativeTraining | null = null,
  ) {
    validateTrainOptions(options);
    this.options = { ...options };
    const { imageSize, channels } = model.config;
    if (data.size !== imageSize || data.channels !== channels) {
      throw new UserError(
        'DATASET_MISMATCH',
        `the images are ${data.size}×${data.size}×${data.channels} but the model takes ${imageSize}×${imageSize}×${channels}`,
      );
    }
    if (data.count < 1) throw new UserError('DATASET_EMPTY', 'there are no images to train on');
    checkLabels(data, model.labelSize);
    if (data.pixels.length < data.count * imageBytes(data.size, data.channels)) {
      throw new UserError(
        'DATASET_MISMATCH',
        `the image buffer holds fewer bytes than ${data.count} images need`,
      );
    }
    const { train, val } = splitIndices(data.count, options.valFraction, options.seed);
    this.trainIndices = train;
    this.valImages = val.length > 0 ? pickImages(data, val) : null;
    this.previewOriginals = pickImages(
      data,
      pickAcrossClasses(val.length > 0 ? val : train, data.classes, PREVIEW_RECONSTRUCTIONS),
    );
    const fitFrom = val.length > 0 ? val : train;
    this.previewFitImages = pickImages(
      data,
      pickAcrossClasses(fitFrom, data.classes, Math.min(PREVIEW_FIT_IMAGES, fitFrom.length)),
    );
    // A conditional model's grid has a row per class, each row the same z: what changes down a column is the class.
    const K = model.labelSize;
    const columns = K > 0 ? Math.max(1, Math.min(PREVIEW_COLUMNS, Math.floor(PREVIEW_SAMPLES / K))) : 0;
    const z = sampleLatents(
      K > 0 ? columns : PREVIEW_SAMPLES,
      model.config.latentDim,
      hashSeed(options.seed, SeedTag.preview),
      1,
    );
    this.previewZ = K > 0 ? Array.from({ length: K * columns }, (_, i) => z[i % columns]!) : z;
    this.previewLabels =
      K > 0 ? Uint16Array.from({ length: K * columns }, (_, i) => Math.floor(i / columns)) : null;
    this.state = state
      ? {
          epoch: state.epoch,
          globalStep: state.globalStep,
          history: [...state.history],
          optimizer: state.optimizer,
        }
      : { epoch: 0, globalStep: 0, history: [], optimizer: [] };
  }

  /** State after the last completed epoch (what `onEpoch` last received, or the initial state). */
  getState(): TrainerState {
    return { ...this.state, history: [...this.state.history] };
  }

  /** Steps per epoch: the last partial batch counts. */
  get stepsPerEpoch(): number {
    return Math.ceil(this.trainIndices.length / this.options.batchSize);
  }

  /**
   * Trains from the current state up to `options.epochs`. Throws `UserError('DIVERGED')` when the loss or the
   * gradients stop being finite (the model is rolled back to the last completed epoch, and `onEpoch` has never
   * seen the broken weights). Resolves with `cancelled: true` when `signal` aborts; the partial epoch is
   * discarded and the model rolled back likewise, so model and state always agree.
   */
  async run(hooks: TrainHooks = {}): Promise<TrainResult> {
    const { options, model } = this;
    registerVaeGradients();
    const adam = new Adam(model.variables, model.paramNames, {
      learningRate: options.learningRate,
      warmupSteps: options.lrWarmupSteps,
    });
    if (this.state.optimizer.length > 0) adam.setState(this.state.optimizer);
    const per = imageBytes(this.data.size, this.data.channels);
    const batchBytes = new Uint8Array(options.batchSize * per);
    const labels = model.labelSize > 0 ? this.data.labels! : null;
    const batchLabels = labels ? new Uint16Array(options.batchSize) : null;
    const nTrain = this.trainIndices.length;
    const steps = this.stepsPerEpoch;
    const runStart = performance.now();
    let runSteps = 0;
    // Weights of the last completed epoch (as onEpoch saw them): restored if an epoch is cancelled or diverges.
    let lastGood: NamedArray[] = await model.readWeights();
    try {
      for (let epoch = this.state.epoch; epoch < options.epochs; epoch++) {
        const epochStart = performance.now();
        const order = shuffle(nTrain, hashSeed(options.seed, SeedTag.shuffle, epoch)).map(
          (i) => this.trainIndices[i]!,
        );
        let globalStep = this.state.globalStep;
        let recSum = 0;
        let klSum = 0;
        let squaredErrorSum = 0;
        let seen = 0;
        let beta = options.klWarmupEpochs > 0 ? 0 : model.config.beta;
        let lastReport = -Infinity;
        for (let s = 0; s < steps; s++) {
          // A macrotask, not a microtask, so an abort from a timer, IPC message or signal handler gets to run.
          await macrotask();
          if (hooks.signal?.aborted) {
            model.setWeights(lastGood);
            return { history: [...this.state.history], state: this.getState(), cancelled: true };
          }
          const idx = order.subarray(s * options.batchSize, Math.min((s + 1) * options.batchSize, nTrain));
          const n = idx.length;
          gatherImages(this.data.pixels, per, idx, batchBytes);
          if (labels) idx.forEach((k, i) => (batchLabels![i] = labels[k]!));
          beta =
            options.klWarmupEpochs > 0
              ? model.config.beta * Math.min(1, (epoch + (s + 1) / steps) / options.klWarmupEpochs)
              : model.config.beta;
          const r = await trainStep(
            model,
            adam,
            batchBytes.subarray(0, n * per),
            batchLabels?.subarray(0, n) ?? null,
            n,
            beta,
            options.freeBits,
            hashSeed(options.seed, SeedTag.noise, globalStep),
            options.gradClipNorm,
            this.native,
          );
          if (!Number.isFinite(r.loss) || !Number.isFinite(r.gradNorm)) {
            const what = !Number.isFinite(r.loss)
              ? `loss became ${r.loss}`
              : `gradient norm became ${r.gradNorm}`;
            throw this.diverged(`${what} at epoch ${epoch + 1}, step ${s + 1}`);
          }
          globalStep += 1;
          runSteps += 1;
          recSum += r.reconstruction * n;
          klSum += r.kl * n;
          squaredErrorSum += r.meanSquaredError * n;
          seen += n;
          const now = performance.now();
          if (
            hooks.onProgress &&
            (steps <= REPORT_EVERY_STEP_BELOW || s === steps - 1 || now - lastReport >= PROGRESS_INTERVAL_MS)
          ) {
            lastReport = now;
            const remainingSteps = steps - (s + 1) + (options.epochs - epoch - 1) * steps;
            hooks.onProgress({
              epoch: epoch + 1,
              epochs: options.epochs,
              step: s + 1,
              stepsPerEpoch: steps,
              globalStep,
              loss: lossTerms(recSum / seen, klSum / seen, this.data.size, this.data.channels),
              imagesPerSec: seen / Math.max(1e-9, (now - epochStart) / 1000),
              etaSeconds: (remainingSteps * (now - runStart)) / runSteps / 1000,
            });
          }
        }
        const calibrated = model.config.likelihood === 'gaussian-optimal';
        if (calibrated) {
          // The σ-VAE's σ for evaluation: σ̂² = the epoch's mean over its batches of σ*² = MSE (Rybkin et al. 2021's
          // optimal σ), i.e. the training images' mean squared error under this epoch's weights, soft-clipped like the
          // batches' σ*. A fixed value, stored with the weights, so validation, `eval` and the importance-weighted
          // bound are NLLs of one density N(x; μ(z), σ̂²·I) whatever their batch (one image included). Set before
          // validation and before lastGood, so a rollback restores the σ of the epoch it restores.
          model.decoderLogSigma = Math.fround(calibratedLogSigma(squaredErrorSum / seen));
        }
        const val = this.valImages
          ? await meanNegElbo(
              model,
              this.valImages,
              options.batchSize,
              hashSeed(options.seed, SeedTag.validation),
            )
          : null;
        if (val && !Number.isFinite(val.negElbo))
          throw this.diverged(`validation loss became ${val.negElbo} at epoch ${epoch + 1}`);
        const preview = await this.preview();
        const seconds = (performance.now() - epochStart) / 1000;
        const metrics: EpochMetrics = {
          epoch: epoch + 1,
          train: lossTerms(recSum / seen, klSum / seen, this.data.size, this.data.channels),
          val,
          beta,
          seconds,
          // Whole-epoch throughput (validation and previews included), so imagesPerSec·seconds = images trained.
          imagesPerSec: seen / Math.max(1e-9, seconds),
          ...(calibrated ? { decoderSigma: Math.exp(model.decoderLogSigma) } : {}),
        };
        this.state = {
          epoch: epoch + 1,
          globalStep,
          history: [...this.state.history, metrics],
          optimizer: await adam.getState(),
        };
        lastGood = await model.readWeights();
        await hooks.onEpoch?.(metrics, preview, this.getState());
      }
      return { history: [...this.state.history], state: this.getState(), cancelled: false };
    } catch (e) {
      if (e instanceof UserError && e.code === 'DIVERGED') model.setWeights(lastGood);
      throw e;
    } finally {
      adam.dispose();
    }
  }

  private diverged(where: string): UserError {
    const o = this.options;
    const lr = TRAIN_SETTINGS.learningRate;
    const clip = TRAIN_SETTINGS.gradClipNorm;
    // Typical gradient norms are in the hundreds (the loss is summed over pixels), hence the suggested value.
    // The settings by their labels, as the app's form shows them; the CLI adds its flags (cli/advice.ts).
    const clipAdvice =
      o.gradClipNorm > 0
        ? `a lower ${clip.label.toLowerCase()} (now ${o.gradClipNorm})`
        : `a ${clip.label.toLowerCase()} of 500 (now off)`;
    // Which model the project keeps is the caller's to say (the train job adds it): the engine saves nothing.
    return new UserError(
      'DIVERGED',
      `training diverged: ${where}. Try a lower ${lr.label.toLowerCase()} (now ${o.learningRate}) or ${clipAdvice}, then train again.`,
    );
  }

  /**
   * The sample grid (the fixed noise through a Gaussian fitted to this epoch's latents of the preview-fit images,
   * aggregatePosterior.ts) and originals-over-reconstructions of the fixed preview images.
   */
  private async preview(): Promise<EpochPreview> {
    const labels = this.previewLabels ?? undefined;
    const q = await encodeImages(this.model, this.previewFitImages, PREVIEW_FIT_IMAGES);
    const all = fitAggregateGaussian(q.mu, q.sigma);
    // A conditional model's rows: each class's own latents (as `generate` fits a mixture per class); a class with
    // fewer than 2 preview-fit images takes them all.
    const fitLabels = this.previewFitImages.labels;
    const byClass = new Map<number, ReturnType<typeof fitAggregateGaussian>>();
    const classGaussian = (c: number) => {
      let g = byClass.get(c);
      if (!g) {
        const members = [...fitLabels!.keys()].filter((k) => fitLabels![k] === c);
        g =
          members.length >= 2
            ? fitAggregateGaussian(
                members.map((k) => q.mu[k]!),
                members.map((k) => q.sigma[k]!),
              )
            : all;
        byClass.set(c, g);
      }
      return g;
    };
    const z =
      labels && fitLabels
        ? this.previewZ.map((eps, i) => shapeLatents(classGaussian(labels[i]!), [eps])[0]!)
        : shapeLatents(all, this.previewZ);
    const decoded = await decodeLatents(this.model, z, PREVIEW_SAMPLES, labels);
    // Transparent gaps: the page behind the grid shows through, whatever its theme.
    const samples = tileImages(
      decoded,
      labels ? this.previewZ.length / this.model.labelSize : 8,
      2,
      'transparent',
    );
    const originals = this.previewOriginals;
    const recon = await reconstructImages(this.model, originals, originals.count);
    const both = new Uint8Array(originals.pixels.length * 2);
    both.set(originals.pixels, 0);
    both.set(recon.pixels, originals.pixels.length);
    const reconstructions = tileImages(
      { ...originals, pixels: both, count: originals.count * 2 },
      originals.count,
      2,
      'transparent',
    );
    return { samples, reconstructions };
  }
}

/** One training step on random images of `batchSize`, as `vae-studio bench` times and profiles it. */
function benchStep(
  model: VaeModel,
  opts: { batchSize: number; seed: number; native?: NativeTraining | null },
): { step: (k: number) => Promise<StepResult>; dispose: () => void } {
  const { imageSize, channels } = model.config;
  const per = imageBytes(imageSize, channels);
  const bytes = new Uint8Array(opts.batchSize * per);
  registerVaeGradients();
  const rng = new Rng(hashSeed(opts.seed, SeedTag.bench));
  for (let i = 0; i < bytes.length; i++) bytes[i] = rng.nextUint32() & 0xff;
  const K = model.labelSize;
  const labels = K > 0 ? Uint16Array.from({ length: opts.batchSize }, (_, i) => i % K) : null;
  const adam = new Adam(model.variables, model.paramNames, { learningRate: 1e-3 });
  const step = (k: number): Promise<StepResult> =>
    trainStep(
      model,
      adam,
      bytes,
      labels,
      opts.batchSize,
      model.config.beta,
      0,
      hashSeed(opts.seed, SeedTag.noise, k),
      0,
      opts.native ?? null,
    );
  return { step, dispose: () => adam.dispose() };
}

/**
 * Training throughput on random images: `warmup` untimed steps, then `steps` timed ones, batch `batchSize`.
 * Mutates the model's weights (use a throw-away model). Used by `vae-studio bench`.
 */
export async function benchmarkTraining(
  model: VaeModel,
  opts: { batchSize: number; steps: number; warmup: number; seed: number; native?: NativeTraining | null },
): Promise<{ imagesPerSec: number; msPerStep: number }> {
  const { step, dispose } = benchStep(model, opts);
  try {
    for (let k = 0; k < opts.warmup; k++) await step(k);
    const t0 = performance.now();
    for (let k = 0; k < opts.steps; k++) await step(opts.warmup + k);
    const ms = performance.now() - t0;
    const msPerStep = opts.steps > 0 ? ms / opts.steps : 0;
    return { imagesPerSec: ms > 0 ? (opts.batchSize * opts.steps * 1000) / ms : 0, msPerStep };
  } finally {
    dispose();
  }
}

/** One kernel call of a profiled step: its name, shapes and time. */
export interface KernelCall {
  name: string;
  inputShapes: number[][];
  outputShapes: number[][];
  ms: number;
}

/**
 * The tfjs kernels of `steps` training steps on random images (after `warmup` untimed ones), each call with its
 * shapes and time (`tf.profile`; on wasm a kernel's time is its wall time), and the steps' whole wall time, so the
 * time between kernels shows too. Always tfjs's own step: this profiles the backend, not ONNX Runtime.
 */
export async function profileTraining(
  model: VaeModel,
  opts: { batchSize: number; steps: number; warmup: number; seed: number },
): Promise<{ calls: KernelCall[]; wallMs: number }> {
  const { step, dispose } = benchStep(model, { ...opts, native: null });
  try {
    for (let k = 0; k < opts.warmup; k++) await step(k);
    const t0 = performance.now();
    const info = await tf.profile(async () => {
      for (let k = 0; k < opts.steps; k++) await step(opts.warmup + k);
      return 0;
    });
    const wallMs = performance.now() - t0;
    const calls = info.kernels.map((k) => ({
      name: k.name,
      inputShapes: k.inputShapes,
      outputShapes: k.outputShapes,
      ms: typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0,
    }));
    return { calls, wallMs };
  } finally {
    dispose();
  }
}
