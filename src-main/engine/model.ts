/**
 * The convolutional VAE of ARCHITECTURES.md written directly against tfjs-core ops (no tfjs-layers), so every
 * padding and layout choice is explicit and matches PyTorch's arithmetic.
 */
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../util/errors.js';
import { paramSpecs, planLayers, STRIDE, validateConfig, type LayerPlan, type ParamSpec } from './config.js';
import { hashSeed, Rng, SeedTag } from './rng.js';
import type { NamedArray, VaeConfig } from './types.js';

/**
 * Padding of every conv(4, 2) and convT(4, 2): one pixel on each side, as PyTorch's padding=1. Explicit rather
 * than 'same' so the arithmetic does not depend on tfjs's same-padding rule. For the transposed conv tfjs takes
 * the padding of the forward conv it is the gradient of, which is exactly PyTorch's ConvTranspose2d(padding=1):
 * output side = (in − 1)·2 − 2·1 + 4 = 2·in.
 */
export const CONV_PAD: tf.backend_util.ExplicitPadding = [
  [0, 0],
  [1, 1],
  [1, 1],
  [0, 0],
];

/**
 * Checkpoint key of the σ-VAE's log σ (likelihood 'gaussian-optimal'): a model state value, shape [1], saved with
 * the weights (so it travels with them to hosts, checkpoints and `weightsSha256`) but not trained by Adam and not
 * counted in {@link VaeModel.parameterCount}. Other likelihoods have no such entry, so their checkpoints are as
 * before.
 */
export const DECODER_LOG_SIGMA = 'decoder/logSigma';

/** Gives every model's tfjs variables a unique prefix: tfjs refuses two variables with the same name. */
let modelCounter = 0;

/** The VAE: encoder q(z|x) and decoder p(x|z) with named, trainable variables. */
export class VaeModel {
  /** Trainable variables, in {@link paramNames} order. */
  readonly variables: tf.Variable[];
  /** Logical parameter names (`encoder/conv0/kernel`, …), parallel to {@link variables}; checkpoint keys. */
  readonly paramNames: string[];
  /** Layer shapes this model was built from. */
  readonly plan: LayerPlan;
  /**
   * σ-VAE only: the log σ every evaluation uses (validation, eval, the importance-weighted bound), so their nats
   * are those of one fixed density; training re-estimates σ per batch and sets this at each epoch's end (trainer).
   * Held rounded to float32, as a checkpoint stores it. 0 (σ = 1) before any training.
   */
  decoderLogSigma = 0;
  private readonly specs: ParamSpec[];
  private readonly byName: Map<string, tf.Variable>;
  private disposed = false;

  private constructor(
    readonly config: VaeConfig,
    initial: Float32Array[],
  ) {
    this.plan = planLayers(config);
    this.specs = paramSpecs(config);
    const prefix = `vae${++modelCounter}`;
    this.paramNames = this.specs.map((s) => s.name);
    this.variables = this.specs.map((s, i) => {
      const init = tf.tensor(initial[i]!, s.shape, 'float32');
      // tf.variable takes a copy of the tensor's data, so the temporary can go at once.
      const variable = tf.variable(init, true, `${prefix}/${s.name}`);
      init.dispose();
      return variable;
    });
    this.byName = new Map(this.paramNames.map((n, i) => [n, this.variables[i]!]));
  }

  /**
   * A freshly initialised model. Weights and biases ~ U(−1/√fanIn, 1/√fanIn), PyTorch's default for Conv2d,
   * ConvTranspose2d and Linear, drawn from a JS PRNG seeded by `seed` so every backend starts identically.
   */
  static create(config: VaeConfig, seed: number): VaeModel {
    validateConfig(config);
    const rng = new Rng(hashSeed(seed, SeedTag.init));
    const initial = paramSpecs(config).map((s) => {
      const n = s.shape.reduce((a, b) => a * b, 1);
      const bound = 1 / Math.sqrt(s.fanIn);
      const v = new Float32Array(n);
      for (let i = 0; i < n; i++) v[i] = rng.uniform(-bound, bound);
      return v;
    });
    return new VaeModel({ ...config }, initial);
  }

  /** Total number of trainable scalars. */
  get parameterCount(): number {
    return this.variables.reduce((sum, v) => sum + v.size, 0);
  }

  private v(name: string): tf.Variable {
    const found = this.byName.get(name);
    if (!found) throw new Error(`no parameter ${name}`);
    return found;
  }

  /** K, the width of the one-hot class label a conditional model takes; 0 for an unconditional one. */
  get labelSize(): number {
    return this.plan.labelSize;
  }

  /**
   * The one-hot (or soft) labels `y` joined to the features `h` [N, F] of a conditional model, [N, F + K]; `h`
   * itself for an unconditional one. Throws when `y` is missing, has the wrong shape, or is given to a model
   * without classes, so no path can silently drop the condition.
   */
  private withLabel(h: tf.Tensor2D, y: tf.Tensor2D | undefined, where: string): tf.Tensor2D {
    const K = this.plan.labelSize;
    if (K === 0) {
      if (y !== undefined) throw new Error(`${where}: this model is unconditional and takes no class labels`);
      return h;
    }
    if (y === undefined)
      throw new Error(`${where}: this model is conditional and needs [N, ${K}] class labels`);
    if (y.shape[0] !== h.shape[0] || y.shape[1] !== K) {
      throw new Error(`${where}: labels are [${y.shape.join(', ')}], the model needs [${h.shape[0]}, ${K}]`);
    }
    // Concat has its gradient in gradients.ts (a slice of dy per input), so training and every backend take it.
    return tf.concat([h, y], 1);
  }

  /**
   * q(z|x, y): x is [N, H, W, C] in [0, 1]; y, a conditional model's class labels, [N, K] (one-hot, or soft);
   * returns μ and log σ², each [N, L].
   */
  encode(x: tf.Tensor4D, y?: tf.Tensor2D): { mu: tf.Tensor2D; logVar: tf.Tensor2D } {
    return tf.tidy(() => {
      let h: tf.Tensor4D = x;
      this.plan.encoder.forEach((_, i) => {
        // Bias fused into the conv (one kernel, XNNPACK on wasm). ReLU stays apart: tfjs fuses an activation only
        // outside a gradient tape, and training needs the tape.
        const conv = tf.fused.conv2d({
          x: h,
          filter: this.v(`encoder/conv${i}/kernel`) as tf.Tensor4D,
          strides: STRIDE,
          pad: CONV_PAD,
          bias: this.v(`encoder/conv${i}/bias`),
        });
        h = tf.relu(conv);
      });
      const n = h.shape[0];
      const flat = this.withLabel(tf.reshape(h, [n, this.plan.flatSize]), y, 'encode');
      const out = tf.fused.matMul({
        a: flat,
        b: this.v('encoder/dense/kernel'),
        bias: this.v('encoder/dense/bias'),
      }) as tf.Tensor2D;
      // Same split as the reference: h[:, :L] is μ, h[:, L:] is log σ².
      const L = this.config.latentDim;
      const mu = tf.slice(out, [0, 0], [n, L]);
      const logVar = tf.slice(out, [0, L], [n, L]);
      return { mu, logVar };
    });
  }

  /**
   * p(x|z, y) logits: z is [N, L]; y, a conditional model's class labels, [N, K] (one-hot, or soft for a walk
   * between classes); returns [N, H, W, C] logits (sigmoid gives pixel means in [0, 1]).
   */
  decodeLogits(z: tf.Tensor2D, y?: tf.Tensor2D): tf.Tensor4D {
    return tf.tidy(() => {
      const n = z.shape[0];
      const b = this.plan.bottleneckSize;
      const dense = tf.relu(
        tf.fused.matMul({
          a: this.withLabel(z, y, 'decodeLogits'),
          b: this.v('decoder/dense/kernel'),
          bias: this.v('decoder/dense/bias'),
        }),
      );
      let h = tf.reshape<tf.Rank.R4>(dense, [n, b, b, this.plan.bottleneckChannels]);
      const last = this.plan.decoder.length - 1;
      this.plan.decoder.forEach((l, i) => {
        const convT = tf.conv2dTranspose(
          h,
          this.v(`decoder/convT${i}/kernel`) as tf.Tensor4D,
          [n, l.outSize, l.outSize, l.outChannels],
          STRIDE,
          CONV_PAD,
        );
        const withBias = tf.add<tf.Tensor4D>(convT, this.v(`decoder/convT${i}/bias`));
        // Last layer is linear: its outputs are logits, squashed only by the likelihood.
        h = i === last ? withBias : tf.relu(withBias);
      });
      return h;
    });
  }

  /**
   * Copies of all weights by name, in parameter order (what a checkpoint stores), read synchronously: cpu, wasm
   * and tensorflow only. Prefer {@link readWeights}, which every backend supports.
   * @throws Error on the webgpu backend, which cannot download synchronously.
   */
  getWeights(): NamedArray[] {
    if (tf.getBackend() === 'webgpu') {
      throw new Error('getWeights reads synchronously, which the webgpu backend cannot; use readWeights');
    }
    const weights = this.variables.map((v, i) => ({
      name: this.paramNames[i]!,
      shape: [...v.shape],
      // Copy: on the cpu backend dataSync hands out the backing store itself.
      values: (v.dataSync() as Float32Array).slice(),
    }));
    return [...weights, ...this.stateArrays()];
  }

  /**
   * {@link getWeights} without blocking reads: the form every backend supports (WebGPU in a browser has no
   * synchronous download). The values are copies taken when called.
   */
  async readWeights(): Promise<NamedArray[]> {
    const values = await Promise.all(this.variables.map((v) => v.data() as Promise<Float32Array>));
    const weights = this.variables.map((v, i) => ({
      name: this.paramNames[i]!,
      shape: [...v.shape],
      values: values[i]!.slice(),
    }));
    return [...weights, ...this.stateArrays()];
  }

  /** The model state saved beside the weights: the σ-VAE's log σ, else nothing. */
  private stateArrays(): NamedArray[] {
    if (this.config.likelihood !== 'gaussian-optimal') return [];
    return [{ name: DECODER_LOG_SIGMA, shape: [1], values: Float32Array.of(this.decoderLogSigma) }];
  }

  /**
   * Replaces all weights (and the σ-VAE's {@link DECODER_LOG_SIGMA}, which it must then hold). Every parameter must
   * be present exactly once with the right shape; otherwise throws
   * `UserError('CHECKPOINT_MISMATCH')` naming the tensor, and no variable is changed.
   */
  setWeights(weights: NamedArray[]): void {
    const given = new Map<string, NamedArray>();
    const calibrated = this.config.likelihood === 'gaussian-optimal';
    let logSigma: number | undefined;
    for (const w of weights) {
      if (calibrated && w.name === DECODER_LOG_SIGMA) {
        if (logSigma !== undefined)
          throw new UserError('CHECKPOINT_MISMATCH', `checkpoint has tensor ${w.name} twice`);
        if (w.values.length !== 1 || !Number.isFinite(w.values[0]))
          throw new UserError('CHECKPOINT_MISMATCH', `tensor ${w.name} must be one finite value`);
        logSigma = w.values[0]!;
        continue;
      }
      if (!this.byName.has(w.name)) {
        throw new UserError(
          'CHECKPOINT_MISMATCH',
          `checkpoint has tensor ${w.name}, which this model does not have`,
        );
      }
      if (given.has(w.name))
        throw new UserError('CHECKPOINT_MISMATCH', `checkpoint has tensor ${w.name} twice`);
      given.set(w.name, w);
    }
    this.specs.forEach((s) => {
      const w = given.get(s.name);
      if (!w) throw new UserError('CHECKPOINT_MISMATCH', `checkpoint lacks tensor ${s.name}`);
      const size = s.shape.reduce((a, b) => a * b, 1);
      if (
        w.shape.length !== s.shape.length ||
        w.shape.some((d, i) => d !== s.shape[i]) ||
        w.values.length !== size
      ) {
        throw new UserError(
          'CHECKPOINT_MISMATCH',
          `tensor ${s.name} has shape [${w.shape.join(', ')}] (${w.values.length} values), the model needs [${s.shape.join(', ')}]`,
        );
      }
    });
    if (calibrated && logSigma === undefined)
      throw new UserError('CHECKPOINT_MISMATCH', `checkpoint lacks tensor ${DECODER_LOG_SIGMA}`);
    if (logSigma !== undefined) this.decoderLogSigma = logSigma;
    tf.tidy(() => {
      this.specs.forEach((s) =>
        this.v(s.name).assign(tf.tensor(given.get(s.name)!.values.slice(), s.shape, 'float32')),
      );
    });
  }

  /** Frees the variables; the model is unusable afterwards. Safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.variables.forEach((v) => v.dispose());
  }
}
