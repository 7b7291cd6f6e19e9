/**
 * Network and training defaults and their validation (both derived from the settings spec in
 * contract/settings), and the layer plan that turns a {@link VaeConfig} into
 * concrete layer shapes. The plan is the single source of truth for the model, the parameter count and
 * `describeArchitecture`, so the three can never disagree.
 */
import {
  defaultsOf,
  IMAGE_SIZES,
  MAX_LATENT_DIM,
  MIN_CLASSES,
  MODEL_SETTINGS,
  pickGroup,
  settingProblem,
  TRAINING_SETTINGS,
  type DataShape,
  type SettingGroup,
  type TrainSettings,
} from '../contract/settings/index.js';
import { UserError } from '../util/errors.js';
import type { TrainOptions, VaeConfig } from './types.js';

/** Kernel side of every conv / transposed conv (ARCHITECTURES.md: conv(4, 2, c)). */
export const KERNEL_SIZE = 4;
/** Stride of every conv / transposed conv: each layer halves (encoder) or doubles (decoder) the side. */
export const STRIDE = 2;
export { MAX_LATENT_DIM };

/**
 * Default network for an image size: every model setting's default for these images. Without classes that is an
 * unconditional model; {@link resolveTrainSettings} makes the conditional one a labelled dataset gets.
 */
export function defaultConfig(imageSize: number, channels: 1 | 3): VaeConfig {
  return { imageSize, channels, ...defaultsOf(MODEL_SETTINGS, { imageSize, channels }) };
}

/** The reference networks of ../shared/bench/ARCHITECTURES.md, which the PyTorch peer also builds. */
export type ReferenceArch = 'std28' | 'std64';

/**
 * A reference network exactly as ARCHITECTURES.md fixes it (28×28×1 with L = 16, or 64×64×3 with L = 32; width
 * 32, Bernoulli, β = 1), whatever the app's defaults become: the benchmarks compare these with the peer.
 */
export function referenceConfig(arch: ReferenceArch): VaeConfig {
  const [imageSize, channels, latentDim] = arch === 'std28' ? ([28, 1, 16] as const) : ([64, 3, 32] as const);
  return {
    imageSize,
    channels,
    ...defaultsOf(MODEL_SETTINGS, { imageSize, channels }),
    latentDim,
    beta: 1,
    width: 32,
    likelihood: 'bernoulli',
    conditional: false,
  };
}

/** Most classes a conditional model takes: an image's class index is a Uint16. */
export const MAX_CLASSES = 0xffff;

/** Classes of a config's one-hot label: `classes.length` for a conditional model, 0 for an unconditional one. */
export function classCount(c: VaeConfig): number {
  return c.conditional ? (c.classes?.length ?? 0) : 0;
}

/** Default training options: the reference's (Adam 1e-3, batch 64), plus a 10 % validation split. */
export const DEFAULT_TRAIN_OPTIONS: Readonly<TrainOptions> = Object.freeze(
  // Images of unknown number: the epochs default that does not scale with the dataset.
  defaultsOf(TRAINING_SETTINGS, { imageSize: 64, channels: 3 }),
);

/**
 * The full config and options of a new run on images of `shape`: each setting the caller gave, the setting's
 * default for these images otherwise. The app, browser mode and the CLI all train through this, so they train
 * the same default model on the same data.
 */
export function resolveTrainSettings(
  shape: DataShape,
  given: Partial<TrainSettings>,
): { config: VaeConfig; options: TrainOptions } {
  const model = { ...defaultsOf(MODEL_SETTINGS, shape), ...pickGroup(MODEL_SETTINGS, given) };
  const classes = shape.classes ?? [];
  if (model.conditional === true && classes.length < MIN_CLASSES) {
    const { flag, label } = MODEL_SETTINGS.conditional;
    const has = classes.length === 1 ? `1 ("${classes[0]}")` : String(classes.length);
    throw new UserError(
      'INVALID_CONFIG',
      `conditional: a conditional model needs ${MIN_CLASSES} or more classes (first-level subfolders of the ` +
        `imported folder), and the dataset has ${has}; train without it (--no-${flag}, "${label}" off in the app)`,
    );
  }
  const config: VaeConfig = {
    imageSize: shape.imageSize,
    channels: shape.channels,
    ...model,
    ...(model.conditional === true ? { classes: [...classes] } : {}),
  };
  const options: TrainOptions = {
    ...defaultsOf(TRAINING_SETTINGS, shape),
    ...pickGroup(TRAINING_SETTINGS, given),
  };
  validateConfig(config);
  validateTrainOptions(options);
  return { config, options };
}

function invalid(field: string, cause: string, got: unknown): never {
  throw new UserError('INVALID_CONFIG', `${field}: ${cause}, got ${formatValue(got)}`);
}

function formatValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  return JSON.stringify(v) ?? typeof v;
}

/** Throws for the first setting of `group` that `values` breaks (every key of the group must be present). */
function checkGroup(group: SettingGroup, values: Record<string, unknown>): void {
  for (const [key, setting] of Object.entries(group)) {
    const problem = settingProblem(setting, values[key]);
    if (problem) invalid(key, problem, values[key]);
  }
}

/** True for the supported image sides: 28, or a power of two from 16 to 256. */
export function isSupportedImageSize(n: number): boolean {
  return (IMAGE_SIZES as readonly number[]).includes(n);
}

/** Throws `UserError('INVALID_CONFIG')` naming the first bad field of `c` and why. */
export function validateConfig(c: VaeConfig): void {
  if (typeof c !== 'object' || c === null) invalid('config', 'must be an object', c);
  if (!isSupportedImageSize(c.imageSize)) {
    invalid('imageSize', 'must be 28 or a power of two from 16 to 256', c.imageSize);
  }
  if (c.channels !== 1 && c.channels !== 3)
    invalid('channels', 'must be 1 (grayscale) or 3 (RGB)', c.channels);
  checkGroup(MODEL_SETTINGS, c);
  checkClasses(c);
}

/** A conditional config names its sorted, distinct classes (2 or more); an unconditional one has none. */
function checkClasses(c: VaeConfig): void {
  if (!c.conditional) {
    if (c.classes !== undefined) invalid('classes', 'an unconditional model has no classes', c.classes);
    return;
  }
  const classes: unknown = c.classes;
  if (!Array.isArray(classes) || !classes.every((name) => typeof name === 'string' && name !== '')) {
    invalid('classes', 'a conditional model needs its class names, a list of non-empty strings', classes);
  }
  if (classes.length < MIN_CLASSES) {
    invalid('classes', `a conditional model needs ${MIN_CLASSES} or more classes`, classes);
  }
  // Each image's class travels as a Uint16 (ImageBatch.labels).
  if (classes.length > MAX_CLASSES) invalid('classes', `at most ${MAX_CLASSES} classes`, classes.length);
  const sorted = [...new Set(classes as string[])].sort();
  if (sorted.length !== classes.length || sorted.some((name, i) => name !== classes[i])) {
    invalid('classes', 'must be sorted and distinct (the one-hot order)', classes);
  }
}

/** Throws `UserError('INVALID_CONFIG')` naming the first bad field of `o` and why. */
export function validateTrainOptions(o: TrainOptions): void {
  if (typeof o !== 'object' || o === null) invalid('options', 'must be an object', o);
  checkGroup(TRAINING_SETTINGS, o);
}

/** One encoder conv or decoder transposed conv: input side/channels → output side/channels. */
export interface ConvLayerPlan {
  inSize: number;
  outSize: number;
  inChannels: number;
  outChannels: number;
}

/** The concrete shapes of a network; see {@link planLayers}. */
export interface LayerPlan {
  /** Encoder convs, in order; each conv(4, 2) halves the side. */
  encoder: ConvLayerPlan[];
  /** Side of the last encoder feature map (4 for powers of two, 7 for 28). */
  bottleneckSize: number;
  /** Channels of the last encoder feature map. */
  bottleneckChannels: number;
  /** bottleneckSize² · bottleneckChannels: the flattened width feeding the dense layers. */
  flatSize: number;
  /**
   * Width of the one-hot class label concatenated to the flattened features before the encoder's dense layer and
   * to z before the decoder's: the number of classes of a conditional model, 0 for an unconditional one.
   */
  labelSize: number;
  /** Decoder transposed convs, in order; each convT(4, 2) doubles the side, the last gives `channels` logits. */
  decoder: ConvLayerPlan[];
}

/**
 * Layer shapes for a config. 28 → two stride-2 convs (28 → 14 → 7); power-of-two N → log2(N/4) convs down to
 * 4×4. Conv i has width·2^i channels, capped at 8·width. The decoder mirrors the encoder channel for channel.
 */
export function planLayers(c: VaeConfig): LayerPlan {
  const n = c.imageSize === 28 ? 2 : Math.round(Math.log2(c.imageSize / 4));
  const encoder: ConvLayerPlan[] = [];
  let size = c.imageSize;
  let inChannels: number = c.channels;
  for (let i = 0; i < n; i++) {
    const outChannels = Math.min(c.width * 2 ** i, 8 * c.width);
    encoder.push({ inSize: size, outSize: size / 2, inChannels, outChannels });
    size /= 2;
    inChannels = outChannels;
  }
  const decoder: ConvLayerPlan[] = [];
  for (let i = n - 1; i >= 0; i--) {
    const enc = encoder[i]!;
    decoder.push({
      inSize: enc.outSize,
      outSize: enc.inSize,
      inChannels: enc.outChannels,
      outChannels: enc.inChannels,
    });
  }
  return {
    encoder,
    bottleneckSize: size,
    bottleneckChannels: inChannels,
    flatSize: size * size * inChannels,
    labelSize: classCount(c),
    decoder,
  };
}

/**
 * Floating-point operations (a multiply and an add count two) of one training image: the forward pass's
 * convolutions, transposed convolutions and dense layers, times 3 for the backward pass's input and filter
 * gradients, each as costly as the forward product. Element-wise work (biases, ReLU, the loss, Adam) is left out:
 * it is a fraction of a percent. std64: 0.323 GFLOP, std28: 0.0214 GFLOP.
 */
export function trainingFlopsPerImage(c: VaeConfig): number {
  const plan = planLayers(c);
  const k2 = KERNEL_SIZE * KERNEL_SIZE;
  let forward = 0;
  for (const l of plan.encoder) forward += 2 * l.outSize * l.outSize * l.inChannels * l.outChannels * k2;
  // A stride-2 transposed conv scatters each input pixel through the whole kernel.
  for (const l of plan.decoder) forward += 2 * l.inSize * l.inSize * l.inChannels * l.outChannels * k2;
  const K = plan.labelSize;
  forward += 2 * (plan.flatSize + K) * 2 * c.latentDim + 2 * (c.latentDim + K) * plan.flatSize;
  return 3 * forward;
}

/** Shape and name of one trainable tensor, in the order the model creates them. */
export interface ParamSpec {
  name: string;
  shape: number[];
  /** PyTorch's default init bound: weights and biases ~ U(−1/√fanIn, 1/√fanIn). */
  fanIn: number;
}

/**
 * Every trainable tensor of the network with its tfjs shape. Conv kernels are [KH, KW, in, out]; transposed
 * conv kernels are [KH, KW, out, in] (tfjs `conv2dTranspose` layout); dense kernels are [in, out].
 * fanIn follows PyTorch (for ConvTranspose2d PyTorch computes it from weight dim 1, i.e. out·k·k). A conditional
 * model's dense layers take the K-wide one-hot label too: encoder/dense/kernel is [flat + K, 2L] and
 * decoder/dense/kernel [L + K, flat] (the label's rows last), so K·2L + K·flat more parameters than unconditional.
 */
export function paramSpecs(c: VaeConfig): ParamSpec[] {
  const plan = planLayers(c);
  const k = KERNEL_SIZE;
  const specs: ParamSpec[] = [];
  plan.encoder.forEach((l, i) => {
    const fanIn = l.inChannels * k * k;
    specs.push({ name: `encoder/conv${i}/kernel`, shape: [k, k, l.inChannels, l.outChannels], fanIn });
    specs.push({ name: `encoder/conv${i}/bias`, shape: [l.outChannels], fanIn });
  });
  const K = plan.labelSize;
  const encoderIn = plan.flatSize + K;
  const decoderIn = c.latentDim + K;
  specs.push({ name: 'encoder/dense/kernel', shape: [encoderIn, 2 * c.latentDim], fanIn: encoderIn });
  specs.push({ name: 'encoder/dense/bias', shape: [2 * c.latentDim], fanIn: encoderIn });
  specs.push({ name: 'decoder/dense/kernel', shape: [decoderIn, plan.flatSize], fanIn: decoderIn });
  specs.push({ name: 'decoder/dense/bias', shape: [plan.flatSize], fanIn: decoderIn });
  plan.decoder.forEach((l, i) => {
    const fanIn = l.outChannels * k * k;
    specs.push({ name: `decoder/convT${i}/kernel`, shape: [k, k, l.outChannels, l.inChannels], fanIn });
    specs.push({ name: `decoder/convT${i}/bias`, shape: [l.outChannels], fanIn });
  });
  return specs;
}

/** Total number of trainable scalars of the network a config describes. */
export function countParameters(c: VaeConfig): number {
  return paramSpecs(c).reduce((sum, s) => sum + s.shape.reduce((a, b) => a * b, 1), 0);
}

/**
 * Human-readable layer list, one line per layer with its output shape (H×W×C) and parameter count, e.g.
 * `encoder conv(4,2,32)    → 14×14×32   (544 params)`. Ends with the total.
 */
export function describeArchitecture(c: VaeConfig): string[] {
  const plan = planLayers(c);
  const L = c.latentDim;
  const lines: string[] = [];
  const row = (layer: string, shape: string, params: number): void => {
    lines.push(`${layer.padEnd(24)} → ${shape.padEnd(12)}${params > 0 ? ` (${params} params)` : ''}`);
  };
  const convParams = (l: ConvLayerPlan): number =>
    KERNEL_SIZE * KERNEL_SIZE * l.inChannels * l.outChannels + l.outChannels;
  row('input', `${c.imageSize}×${c.imageSize}×${c.channels}`, 0);
  plan.encoder.forEach((l) => {
    row(
      `encoder conv(4,2,${l.outChannels}) ReLU`,
      `${l.outSize}×${l.outSize}×${l.outChannels}`,
      convParams(l),
    );
  });
  const K = plan.labelSize;
  row('encoder flatten', `${plan.flatSize}`, 0);
  if (K > 0) row(`encoder + one-hot class (${K})`, `${plan.flatSize + K}`, 0);
  row(`encoder dense ${2 * L} [μ, log σ²]`, `${2 * L}`, (plan.flatSize + K) * 2 * L + 2 * L);
  if (K > 0) row(`decoder z + one-hot class (${K})`, `${L + K}`, 0);
  row(`decoder dense ${plan.flatSize} ReLU`, `${plan.flatSize}`, (L + K) * plan.flatSize + plan.flatSize);
  const b = plan.bottleneckSize;
  row('decoder reshape', `${b}×${b}×${plan.bottleneckChannels}`, 0);
  plan.decoder.forEach((l, i) => {
    const last = i === plan.decoder.length - 1;
    row(
      `decoder convT(4,2,${l.outChannels})${last ? ' logits' : ' ReLU'}`,
      `${l.outSize}×${l.outSize}×${l.outChannels}`,
      convParams(l),
    );
  });
  lines.push(`total ${countParameters(c)} parameters`);
  return lines;
}
