/**
 * Adam with PyTorch's arithmetic (bias-corrected moments, ε added after the square root) and a state that
 * exports to named plain arrays, so a checkpoint can resume the optimiser exactly. Written here rather than
 * using tf.train.adam because that optimiser's state has no stable names and folds ε differently.
 */
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../util/errors.js';
import type { NamedArray } from './types.js';

/** Adam hyper-parameters; defaults are PyTorch's. */
export interface AdamOptions {
  learningRate: number;
  /** Steps over which the rate rises linearly from lr/warmupSteps to lr (0 or absent: lr from the first step). */
  warmupSteps?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/** β1, β2 and ε unless an {@link AdamOptions} says otherwise: PyTorch's. Training always uses these. */
export const ADAM_DEFAULTS = Object.freeze({ beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });

/** Name of the step counter in the exported state. */
export const ADAM_STEP_NAME = 'adam/step';

/** Adam over a fixed list of named variables. */
export class Adam {
  readonly learningRate: number;
  readonly warmupSteps: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** Updates applied so far (t in the bias correction). */
  step = 0;
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];

  /**
   * @param variables the parameters to update, in a fixed order.
   * @param names their stable names (checkpoint keys), parallel to `variables`.
   */
  constructor(
    private readonly variables: tf.Variable[],
    private readonly names: string[],
    options: AdamOptions,
  ) {
    this.learningRate = options.learningRate;
    this.warmupSteps = options.warmupSteps ?? 0;
    this.beta1 = options.beta1 ?? ADAM_DEFAULTS.beta1;
    this.beta2 = options.beta2 ?? ADAM_DEFAULTS.beta2;
    this.epsilon = options.epsilon ?? ADAM_DEFAULTS.epsilon;
    // Moments are variables created once, so their count never changes while training (no tensor growth).
    this.m = variables.map((x) => tf.tidy(() => tf.variable(tf.zerosLike(x), false)));
    this.v = variables.map((x) => tf.tidy(() => tf.variable(tf.zerosLike(x), false)));
  }

  /**
   * One update with gradients `grads` (parallel to the variables), each first multiplied by `gradScale`
   * (the clipping factor; 1 = none):
   * m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g², p ← p − lr·(m / (1−β1^t)) / (√(v / (1−β2^t)) + ε).
   */
  apply(grads: tf.Tensor[], gradScale = 1): void {
    this.step += 1;
    const t = this.step;
    const c1 = 1 - this.beta1 ** t;
    const c2 = 1 - this.beta2 ** t;
    tf.tidy(() => {
      this.variables.forEach((p, i) => {
        const g = gradScale === 1 ? grads[i]! : tf.mul(grads[i]!, gradScale);
        const m = tf.add(tf.mul(this.m[i]!, this.beta1), tf.mul(g, 1 - this.beta1));
        const v = tf.add(tf.mul(this.v[i]!, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        this.m[i]!.assign(m);
        this.v[i]!.assign(v);
        const denom = tf.add(tf.sqrt(tf.div(v, c2)), this.epsilon);
        p.assign(tf.sub(p, tf.div(tf.mul(m, this.rateAt(t) / c1), denom)));
      });
    });
  }

  /** The bias-corrected rate lr / (1 − β1ᵗ) and 1 − β2ᵗ of the next update, t = {@link step} + 1. */
  nextStep(): { rate: number; c2: number } {
    const t = this.step + 1;
    return { rate: this.rateAt(t) / (1 - this.beta1 ** t), c2: 1 - this.beta2 ** t };
  }

  /** The learning rate of update t (1-based): lr, ramped up linearly over the first {@link warmupSteps}. */
  rateAt(t: number): number {
    return this.warmupSteps > 0 && t < this.warmupSteps
      ? (this.learningRate * t) / this.warmupSteps
      : this.learningRate;
  }

  /**
   * The moments' values, in variable order (what an update computed elsewhere starts from): read-only, since the
   * cpu backend hands out its backing stores.
   */
  async readMoments(): Promise<{ m: Float32Array[]; v: Float32Array[] }> {
    const read = (vars: tf.Variable[]): Promise<Float32Array[]> =>
      Promise.all(vars.map((x) => x.data() as Promise<Float32Array>));
    const [m, v] = await Promise.all([read(this.m), read(this.v)]);
    return { m, v };
  }

  /**
   * Takes an update computed elsewhere with this optimiser's arithmetic (engine/onnx/trainingGraph.ts): the new
   * parameters and moments, in variable order; counts it as one step.
   */
  applyComputed(next: { params: Float32Array[]; m: Float32Array[]; v: Float32Array[] }): void {
    tf.tidy(() => {
      this.variables.forEach((p, i) => {
        p.assign(tf.tensor(next.params[i]!, p.shape, 'float32'));
        this.m[i]!.assign(tf.tensor(next.m[i]!, p.shape, 'float32'));
        this.v[i]!.assign(tf.tensor(next.v[i]!, p.shape, 'float32'));
      });
    });
    this.step += 1;
  }

  /**
   * Moments by name (`<param>/m`, `<param>/v`) plus the step count (as a 1-element array). The reads are
   * asynchronous, which every backend supports (WebGPU has no synchronous download); the values are copies taken
   * when called.
   */
  async getState(): Promise<NamedArray[]> {
    const step = this.step;
    const [ms, vs] = await Promise.all([readAll(this.m), readAll(this.v)]);
    const out: NamedArray[] = [{ name: ADAM_STEP_NAME, shape: [], values: Float32Array.of(step) }];
    this.names.forEach((name, i) => {
      out.push({ name: `${name}/m`, shape: [...this.m[i]!.shape], values: ms[i]! });
      out.push({ name: `${name}/v`, shape: [...this.v[i]!.shape], values: vs[i]! });
    });
    return out;
  }

  /** Restores a {@link getState} export; throws `UserError('CHECKPOINT_MISMATCH')` naming a missing or misshapen entry. */
  setState(state: NamedArray[]): void {
    const byName = new Map(state.map((s) => [s.name, s]));
    const step = byName.get(ADAM_STEP_NAME);
    if (!step || step.values.length !== 1 || !Number.isInteger(step.values[0]) || step.values[0]! < 0) {
      throw new UserError('CHECKPOINT_MISMATCH', `optimizer state lacks a valid ${ADAM_STEP_NAME}`);
    }
    const pick = (name: string, like: tf.Variable): Float32Array => {
      const s = byName.get(name);
      if (!s) throw new UserError('CHECKPOINT_MISMATCH', `optimizer state lacks tensor ${name}`);
      if (
        s.values.length !== like.size ||
        s.shape.length !== like.rank ||
        s.shape.some((d, i) => d !== like.shape[i])
      ) {
        throw new UserError(
          'CHECKPOINT_MISMATCH',
          `optimizer tensor ${name} has shape [${s.shape.join(', ')}], the model needs [${like.shape.join(', ')}]`,
        );
      }
      return s.values;
    };
    // Validate everything before touching any variable, so a bad state leaves the optimiser as it was.
    const ms = this.names.map((n, i) => pick(`${n}/m`, this.m[i]!));
    const vs = this.names.map((n, i) => pick(`${n}/v`, this.v[i]!));
    tf.tidy(() => {
      this.m.forEach((m, i) => m.assign(tf.tensor(ms[i]!.slice(), m.shape, 'float32')));
      this.v.forEach((v, i) => v.assign(tf.tensor(vs[i]!.slice(), v.shape, 'float32')));
    });
    this.step = step.values[0]!;
  }

  /** Frees the moment variables. */
  dispose(): void {
    this.m.forEach((x) => x.dispose());
    this.v.forEach((x) => x.dispose());
  }
}

/** Copies of the values of `variables`; a copy because cpu's `data()` hands out its backing store. */
async function readAll(variables: tf.Variable[]): Promise<Float32Array[]> {
  const values = await Promise.all(variables.map((v) => v.data() as Promise<Float32Array>));
  return values.map((v) => v.slice());
}

/** Global L2 norm of a list of gradients, √Σ‖g‖², as a scalar tensor. */
export function globalNorm(grads: tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => {
    // Chained adds rather than tf.addN: tfjs-backend-webgpu 4.22's AddN binds one storage buffer per input and
    // fails validation past maxStorageBuffersPerShaderStage (8 by default), i.e. for more than 7 tensors.
    const squares = grads.map((g) => tf.sum(tf.square(g)));
    return tf.sqrt(squares.reduce((total, s) => tf.add(total, s))) as tf.Scalar;
  });
}

/**
 * The factor clip_grad_norm_ multiplies the gradients by: min(1, maxNorm / (norm + 1e-6)), or 1 when
 * `maxNorm` is 0 (off) or the norm is not finite (divergence is reported, not papered over).
 */
export function clipScale(norm: number, maxNorm: number): number {
  if (maxNorm <= 0 || !Number.isFinite(norm)) return 1;
  return Math.min(1, maxNorm / (norm + 1e-6));
}
