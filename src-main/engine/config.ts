/**
 * Network and training defaults, their validation, and the layer plan that turns a {@link VaeConfig} into
 * concrete layer shapes. The plan is the single source of truth for the model, the parameter count and
 * `describeArchitecture`, so the three can never disagree.
 */
import { UserError } from '../util/errors.js';
import type { TrainOptions, VaeConfig } from './types.js';

/** Kernel side of every conv / transposed conv (ARCHITECTURES.md: conv(4, 2, c)). */
export const KERNEL_SIZE = 4;
/** Stride of every conv / transposed conv: each layer halves (encoder) or doubles (decoder) the side. */
export const STRIDE = 2;
/** Largest latent dimension accepted. */
export const MAX_LATENT_DIM = 512;

/**
 * Default network for an image size. 28×28 gets L = 16 (the std28 reference), everything else L = 32 (std64).
 * Bernoulli likelihood because it is what both references use and it needs no σ to tune.
 */
export function defaultConfig(imageSize: number, channels: 1 | 3): VaeConfig {
  return {
    imageSize,
    channels,
    latentDim: imageSize === 28 ? 16 : 32,
    beta: 1,
    width: 32,
    likelihood: 'bernoulli',
    gaussianSigma: 0.1,
  };
}

/**
 * Default training options: the reference's (Adam 1e-3, batch 64), plus a 10 % validation split.
 * `gradClipNorm` is 0 (off) on purpose: the loss is summed over pixels, so ordinary gradient norms are in the
 * hundreds (measured on std28 at init: ≈ 450 at batch 16, falling to ≈ 200 after a dozen steps) and any small
 * clip such as 100 would rescale nearly every early step, departing from the PyTorch reference arithmetic.
 * Adam bounds each update to about lr per weight whatever the gradient scale, and NaN/Inf is caught by the
 * trainer's divergence check, so clipping is an opt-in for unstable datasets rather than a default.
 */
export const DEFAULT_TRAIN_OPTIONS: Readonly<TrainOptions> = Object.freeze({
  epochs: 10,
  batchSize: 64,
  learningRate: 1e-3,
  seed: 0,
  valFraction: 0.1,
  klWarmupEpochs: 0,
  freeBits: 0,
  gradClipNorm: 0,
});

function invalid(field: string, cause: string, got: unknown): never {
  throw new UserError('INVALID_CONFIG', `${field}: ${cause}, got ${formatValue(got)}`);
}

function formatValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  return JSON.stringify(v) ?? typeof v;
}

function checkInt(field: string, v: unknown, min: number, max: number): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    invalid(field, `must be an integer from ${min} to ${max}`, v);
  }
}

function checkNumber(
  field: string,
  v: unknown,
  min: number,
  max: number,
  minExclusive = false,
  maxExclusive = false,
): void {
  const ok =
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (minExclusive ? v > min : v >= min) &&
    (maxExclusive ? v < max : v <= max);
  if (!ok) {
    const lo = minExclusive ? `greater than ${min}` : `at least ${min}`;
    const hi = maxExclusive ? `less than ${max}` : `at most ${max}`;
    invalid(field, `must be a number ${lo} and ${hi}`, v);
  }
}

/** True for the supported image sides: 28, or a power of two from 16 to 256. */
export function isSupportedImageSize(n: number): boolean {
  if (n === 28) return true;
  return Number.isInteger(n) && n >= 16 && n <= 256 && (n & (n - 1)) === 0;
}

/** Throws `UserError('INVALID_CONFIG')` naming the first bad field of `c` and why. */
export function validateConfig(c: VaeConfig): void {
  if (typeof c !== 'object' || c === null) invalid('config', 'must be an object', c);
  if (!isSupportedImageSize(c.imageSize)) {
    invalid('imageSize', 'must be 28 or a power of two from 16 to 256', c.imageSize);
  }
  if (c.channels !== 1 && c.channels !== 3)
    invalid('channels', 'must be 1 (grayscale) or 3 (RGB)', c.channels);
  checkInt('latentDim', c.latentDim, 1, MAX_LATENT_DIM);
  checkNumber('beta', c.beta, 0, 1000);
  checkInt('width', c.width, 1, 512);
  if (c.likelihood !== 'bernoulli' && c.likelihood !== 'gaussian') {
    invalid('likelihood', 'must be "bernoulli" or "gaussian"', c.likelihood);
  }
  checkNumber('gaussianSigma', c.gaussianSigma, 0, 10, true);
}

/** Throws `UserError('INVALID_CONFIG')` naming the first bad field of `o` and why. */
export function validateTrainOptions(o: TrainOptions): void {
  if (typeof o !== 'object' || o === null) invalid('options', 'must be an object', o);
  checkInt('epochs', o.epochs, 1, 1_000_000);
  checkInt('batchSize', o.batchSize, 1, 4096);
  checkNumber('learningRate', o.learningRate, 0, 1, true);
  checkInt('seed', o.seed, 0, 0xffffffff);
  checkNumber('valFraction', o.valFraction, 0, 1, false, true);
  checkNumber('klWarmupEpochs', o.klWarmupEpochs, 0, 1_000_000);
  checkNumber('freeBits', o.freeBits, 0, 100);
  checkNumber('gradClipNorm', o.gradClipNorm, 0, 1e12);
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
    decoder,
  };
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
 * fanIn follows PyTorch (for ConvTranspose2d PyTorch computes it from weight dim 1, i.e. out·k·k).
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
  specs.push({ name: 'encoder/dense/kernel', shape: [plan.flatSize, 2 * c.latentDim], fanIn: plan.flatSize });
  specs.push({ name: 'encoder/dense/bias', shape: [2 * c.latentDim], fanIn: plan.flatSize });
  specs.push({ name: 'decoder/dense/kernel', shape: [c.latentDim, plan.flatSize], fanIn: c.latentDim });
  specs.push({ name: 'decoder/dense/bias', shape: [plan.flatSize], fanIn: c.latentDim });
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
  row('encoder flatten', `${plan.flatSize}`, 0);
  row(`encoder dense ${2 * L} [μ, log σ²]`, `${2 * L}`, plan.flatSize * 2 * L + 2 * L);
  row(`decoder dense ${plan.flatSize} ReLU`, `${plan.flatSize}`, L * plan.flatSize + plan.flatSize);
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
