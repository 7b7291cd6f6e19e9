/**
 * One training step of the VAE (engine/loss.ts `negElboTerms` under engine/trainer.ts) as an ONNX graph: the
 * forward pass, the objective and every parameter's gradient, written out by hand, for a native runtime with no
 * automatic differentiation (ONNX Runtime's CPU build). The weights are inputs, not initialisers, so one session
 * serves every step while Adam (on tfjs) changes them.
 *
 * Inputs: each parameter in tfjs's layout under its own name (`p0`, `p1`, … in `paramSpecs` order); `x` [N, H, W, C]
 * pixels in [0, 1]; `eps` [N, L]; a conditional model's one-hot `y` [N, K]; and the scalars `beta` (it changes
 * during KL warm-up) and `inv_batch` (1/N). Outputs: `loss`, `reconstruction`, `kl` (means per image, as
 * negElboTerms gives them), the σ-VAE's `mse`, and each parameter's gradient `g0`, `g1`, … in tfjs's layout.
 *
 * The backward pass, with the layouts of ONNX (NCHW; Conv weights [out, in, kh, kw], ConvTranspose weights
 * [in, out, kh, kw]):
 * - a conv's input gradient is the ConvTranspose of the output gradient with the same weight, and a transposed
 *   conv's is the Conv of it with the same weight (each is the other's adjoint);
 * - a filter gradient dW[o, i, u, v] = Σ_{n,y,x} dY[n, o, y, x]·X[n, i, s·y − p + u, s·x − p + v] is itself a Conv:
 *   of X with its batch and channel axes swapped, by dY likewise swapped, at dilation s (see {@link filterGradient});
 * - ReLU passes the gradient where its input was positive (tfjs's `step`), the dense layers are Gemms with one
 *   side transposed, and the objective's gradient into the logits is written in closed form for each likelihood.
 */
import { paramSpecs, planLayers, STRIDE } from '../config.js';
import { LOG_SIGMA_FLOOR } from '../loss.js';
import type { VaeConfig } from '../types.js';
import { scalar, type OnnxGraph, type OnnxNode, type OnnxTensor, type OnnxValue } from './onnxModel.js';

export const TRAINING_GRAPH_IO = {
  x: 'x',
  eps: 'eps',
  y: 'y',
  beta: 'beta',
  invBatch: 'inv_batch',
  loss: 'loss',
  reconstruction: 'reconstruction',
  kl: 'kl',
  mse: 'mse',
} as const;

/** The graph input holding parameter `i` (paramSpecs order), in tfjs's layout. */
export const paramInput = (i: number): string => `p${i}`;
/** The graph output holding parameter `i`'s gradient, in tfjs's layout. */
export const gradientOutput = (i: number): string => `g${i}`;

/**
 * The optimiser's part of the graph ({@link trainingGraph}'s `adam`): global-norm clipping and Adam with
 * engine/adam.ts's arithmetic, so a step leaves the graph as new parameters and moments. Inputs: each
 * parameter's moments `m<i>` and `v<i>`, the step's `adam_rate` (lr / (1 − β1ᵗ)) and `adam_c2` (1 − β2ᵗ), and
 * `clip_norm` (0: no clipping). Outputs: `grad_norm` (before clipping) and `p<i>_next`, `m<i>_next`, `v<i>_next`.
 */
export const ADAM_GRAPH_IO = {
  rate: 'adam_rate',
  c2: 'adam_c2',
  clipNorm: 'clip_norm',
  gradNorm: 'grad_norm',
} as const;
export const momentInput = (i: number, which: 'm' | 'v'): string => `${which}${i}`;
export const paramOutput = (i: number): string => `p${i}_next`;
export const momentOutput = (i: number, which: 'm' | 'v'): string => `${which}${i}_next`;

/** Adam's constants: β1, β2 and ε (engine/adam.ts's defaults are PyTorch's). */
export interface AdamConstants {
  beta1: number;
  beta2: number;
  epsilon: number;
}

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
const PAD = 1;
const KERNEL = [4, 4];
const CONV = { kernel_shape: KERNEL, strides: [STRIDE, STRIDE], pads: [PAD, PAD, PAD, PAD] };
/** tfjs conv kernel [kh, kw, in, out] → ONNX Conv [out, in, kh, kw]; tfjs conv2dTranspose [kh, kw, out, in] → ONNX ConvTranspose [in, out, kh, kw]. */
const TO_ONNX_KERNEL = [3, 2, 0, 1];
const NCHW = [0, 3, 1, 2];
const NHWC = [0, 2, 3, 1];

/** Nodes being written, with fresh names for intermediate values. */
class GraphWriter {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private count = 0;

  op(op: string, inputs: string[], attributes?: OnnxNode['attributes'], name?: string): string {
    const out = name ?? `t${this.count++}_${op.toLowerCase()}`;
    this.nodes.push({ op, inputs, outputs: [out], ...(attributes ? { attributes } : {}) });
    return out;
  }

  constant(name: string, value: number): string {
    this.initializers.push(scalar(name, value));
    return name;
  }

  ints(name: string, values: number[]): string {
    this.initializers.push({ name, dims: [values.length], data: BigInt64Array.from(values.map(BigInt)) });
    return name;
  }

  /** dy · [x > 0]: the gradient through a ReLU whose input (or output) was `x`. */
  reluGradient(dy: string, x: string): string {
    return this.op('Mul', [dy, this.op('Cast', [this.op('Greater', [x, 'zero'])], { to: 1 })]);
  }

  /** Σ over the given axes, dropped. */
  sum(x: string, axes: string, name?: string): string {
    return this.op('ReduceSum', [x, axes], { keepdims: 0 }, name);
  }

  /** Columns [from, to) of a 2-D value. */
  columns(x: string, from: string, to: string): string {
    return this.op('Slice', [x, from, to, 'axis1']);
  }

  /**
   * The filter gradient of a stride-s, pad-p 4×4 conv with input `x` [N, Ci, H, W] and output gradient `dy`
   * [N, Co, h, w], as R = Conv(xᵀ, dyᵀ) with dilation s, where ᵀ swaps the first two axes: R[i, o, u, v] =
   * Σ_{n,y,x} x[n, i, u − p + s·y, v − p + s·x]·dy[n, o, y, x]. Its side is H + 2p − s·h + s = 4 here (H = 2h).
   * Returns R, [Ci, Co, 4, 4].
   */
  filterGradient(x: string, dy: string): string {
    const xt = this.op('Transpose', [x], { perm: [1, 0, 2, 3] });
    const dyt = this.op('Transpose', [dy], { perm: [1, 0, 2, 3] });
    return this.op('Conv', [xt, dyt], {
      strides: [1, 1],
      dilations: [STRIDE, STRIDE],
      pads: [PAD, PAD, PAD, PAD],
    });
  }
}

/**
 * The training step's graph for `config`, with free bits `freeBits` (fixed for a run); with `adam`, the clipped
 * Adam update too ({@link ADAM_GRAPH_IO}).
 */
export function trainingGraph(config: VaeConfig, freeBits: number, adam?: AdamConstants): OnnxGraph {
  const plan = planLayers(config);
  const specs = paramSpecs(config);
  const index = new Map(specs.map((s, i) => [s.name, i]));
  const p = (name: string): string => paramInput(index.get(name)!);
  const gradients = new Map<number, string>();
  const setGradient = (name: string, value: string): void => void gradients.set(index.get(name)!, value);
  const L = config.latentDim;
  const K = plan.labelSize;
  const F = plan.flatSize;
  const b = plan.bottleneckSize;
  const C = plan.bottleneckChannels;
  const IO = TRAINING_GRAPH_IO;
  const g = new GraphWriter();
  g.constant('zero', 0);
  g.constant('half', 0.5);
  g.constant('one', 1);
  g.ints('axis0', [0]);
  g.ints('axis1', [1]);
  g.ints('axes023', [0, 2, 3]);
  g.ints('axes123', [1, 2, 3]);
  g.ints('col0', [0]);
  g.ints('colL', [L]);
  g.ints('col2L', [2 * L]);
  if (K > 0) g.ints('colF', [F]); // only a conditional model's label columns are cut off
  g.ints('bottleneck', [-1, b, b, C]);
  g.ints('flat', [-1, F]);

  // ---- forward: encoder
  const x = g.op('Transpose', [IO.x], { perm: NCHW });
  const encoderIn: string[] = [];
  const encoderPre: string[] = [];
  const encoderKernel: string[] = [];
  let h = x;
  plan.encoder.forEach((_, i) => {
    const kernel = g.op('Transpose', [p(`encoder/conv${i}/kernel`)], { perm: TO_ONNX_KERNEL });
    encoderIn.push(h);
    encoderKernel.push(kernel);
    const pre = g.op('Conv', [h, kernel, p(`encoder/conv${i}/bias`)], CONV);
    encoderPre.push(pre);
    h = g.op('Relu', [pre]);
  });
  const flat = g.op('Reshape', [g.op('Transpose', [h], { perm: NHWC }), 'flat']);
  const flatY = K > 0 ? g.op('Concat', [flat, IO.y], { axis: 1 }) : flat;
  const out = g.op('Gemm', [flatY, p('encoder/dense/kernel'), p('encoder/dense/bias')]);
  const mu = g.columns(out, 'col0', 'colL');
  const logVar = g.columns(out, 'colL', 'col2L');
  const std = g.op('Exp', [g.op('Mul', [logVar, 'half'])]);
  const z = g.op('Add', [mu, g.op('Mul', [std, IO.eps])]);

  // ---- forward: decoder
  const zy = K > 0 ? g.op('Concat', [z, IO.y], { axis: 1 }) : z;
  const dense = g.op('Gemm', [zy, p('decoder/dense/kernel'), p('decoder/dense/bias')]);
  h = g.op('Transpose', [g.op('Reshape', [g.op('Relu', [dense]), 'bottleneck'])], { perm: NCHW });
  const decoderIn: string[] = [];
  const decoderPre: string[] = [];
  const decoderKernel: string[] = [];
  const last = plan.decoder.length - 1;
  plan.decoder.forEach((_, i) => {
    const kernel = g.op('Transpose', [p(`decoder/convT${i}/kernel`)], { perm: TO_ONNX_KERNEL });
    decoderIn.push(h);
    decoderKernel.push(kernel);
    const pre = g.op('ConvTranspose', [h, kernel, p(`decoder/convT${i}/bias`)], CONV);
    decoderPre.push(pre);
    h = i === last ? pre : g.op('Relu', [pre]);
  });
  const logits = h;

  // ---- objective, and its gradient into the logits (each term's mean over the batch: × 1/N)
  const pixels = config.imageSize * config.imageSize * config.channels;
  let reconstruction: string;
  let dLogits: string;
  let mse: string | null = null;
  if (config.likelihood === 'bernoulli') {
    // max(l, 0) − l·x + log(1 + e^−|l|); d/dl = sigmoid(l) − x
    const perPixel = g.op('Add', [
      g.op('Sub', [g.op('Relu', [logits]), g.op('Mul', [logits, x])]),
      g.op('Softplus', [g.op('Neg', [g.op('Abs', [logits])])]),
    ]);
    reconstruction = g.sum(perPixel, 'axes123');
    dLogits = g.op('Mul', [g.op('Sub', [g.op('Sigmoid', [logits]), x]), IO.invBatch]);
  } else {
    // Σ ½·(x − μ)²·e^{−2 log σ} + D·(log σ + ½ log 2π), μ = sigmoid(l); d/dl = −(x − μ)·e^{−2 log σ}·μ(1 − μ)
    const mean = g.op('Sigmoid', [logits]);
    const error = g.op('Sub', [x, mean]);
    const squared = g.op('Mul', [error, error]);
    let logSigma: string;
    if (config.likelihood === 'gaussian') {
      logSigma = g.constant('log_sigma', Math.log(config.gaussianSigma));
    } else {
      // The batch's own σ*: softclip(½·ln mean((x − μ)²)), a constant of the gradient (loss.ts batchLogSigma).
      mse = g.op('ReduceMean', [squared], { keepdims: 0 }, IO.mse);
      g.constant('log_sigma_floor', LOG_SIGMA_FLOOR);
      const t = g.op('Sub', [g.op('Mul', [g.op('Log', [mse]), 'half']), 'log_sigma_floor']);
      logSigma = g.op('Add', [g.op('Softplus', [t]), 'log_sigma_floor']);
    }
    const precision = g.op('Exp', [g.op('Mul', [logSigma, g.constant('minus_two', -2)])]);
    const quad = g.op('Mul', [g.sum(squared, 'axes123'), g.op('Mul', [precision, 'half'])]);
    g.constant('half_log_2pi', HALF_LOG_2PI);
    g.constant('pixels', pixels);
    reconstruction = g.op('Add', [quad, g.op('Mul', [g.op('Add', [logSigma, 'half_log_2pi']), 'pixels'])]);
    const slope = g.op('Mul', [mean, g.op('Sub', ['one', mean])]);
    dLogits = g.op('Mul', [
      g.op('Neg', [g.op('Mul', [g.op('Mul', [error, slope]), precision])]),
      IO.invBatch,
    ]);
  }
  const reconstructionMean = g.op('ReduceMean', [reconstruction], { keepdims: 0 }, IO.reconstruction);
  // KL per image and dimension: ½·(σ² + μ² − 1 − log σ²); its batch mean per dimension, summed
  const variance = g.op('Exp', [logVar]);
  const klPerDim = g.op('Mul', [
    g.op('Sub', [g.op('Add', [variance, g.op('Mul', [mu, mu])]), g.op('Add', [logVar, 'one'])]),
    'half',
  ]);
  const klDims = g.op('ReduceMean', [klPerDim], { axes: [0], keepdims: 0 });
  g.sum(klDims, 'axis0', IO.kl);
  // Free bits: max(KL_d, λ) per dimension, so a dimension under λ gets no KL gradient (tfjs's maximum passes it
  // where KL_d ≥ λ).
  let klObjective: string = IO.kl;
  let klScale: string = IO.beta;
  if (freeBits > 0) {
    g.constant('free_bits', freeBits);
    klObjective = g.sum(g.op('Max', [klDims, 'free_bits']), 'axis0');
    const open = g.op('Cast', [g.op('GreaterOrEqual', [klDims, 'free_bits'])], { to: 1 });
    klScale = g.op('Mul', [open, IO.beta]);
  }
  g.op('Add', [reconstructionMean, g.op('Mul', [klObjective, IO.beta])], undefined, IO.loss);
  const klGrad = g.op('Mul', [klScale, IO.invBatch]);

  // ---- backward: decoder
  let dh = dLogits;
  for (let i = last; i >= 0; i--) {
    const da = i === last ? dh : g.reluGradient(dh, decoderPre[i]!);
    setGradient(`decoder/convT${i}/bias`, g.sum(da, 'axes023'));
    // The transposed conv is the adjoint of Conv(da, W): R [out, in, kh, kw] → tfjs [kh, kw, out, in]
    setGradient(
      `decoder/convT${i}/kernel`,
      g.op('Transpose', [g.filterGradient(da, decoderIn[i]!)], { perm: [2, 3, 0, 1] }),
    );
    dh = g.op('Conv', [da, decoderKernel[i]!], CONV);
  }
  const dDense = g.reluGradient(g.op('Reshape', [g.op('Transpose', [dh], { perm: NHWC }), 'flat']), dense);
  setGradient('decoder/dense/kernel', g.op('Gemm', [zy, dDense], { transA: 1 }));
  setGradient('decoder/dense/bias', g.sum(dDense, 'axis0'));
  const dzy = g.op('Gemm', [dDense, p('decoder/dense/kernel')], { transB: 1 });
  const dz = K > 0 ? g.columns(dzy, 'col0', 'colL') : dzy;

  // ---- backward: sampling and KL, then the encoder
  const dMu = g.op('Add', [dz, g.op('Mul', [mu, klGrad])]);
  const dLogVar = g.op('Add', [
    g.op('Mul', [g.op('Mul', [dz, g.op('Mul', [IO.eps, std])]), 'half']),
    g.op('Mul', [g.op('Mul', [g.op('Sub', [variance, 'one']), 'half']), klGrad]),
  ]);
  const dOut = g.op('Concat', [dMu, dLogVar], { axis: 1 });
  setGradient('encoder/dense/kernel', g.op('Gemm', [flatY, dOut], { transA: 1 }));
  setGradient('encoder/dense/bias', g.sum(dOut, 'axis0'));
  let dFlat = g.op('Gemm', [dOut, p('encoder/dense/kernel')], { transB: 1 });
  if (K > 0) dFlat = g.columns(dFlat, 'col0', 'colF');
  dh = g.op('Transpose', [g.op('Reshape', [dFlat, 'bottleneck'])], { perm: NCHW });
  for (let i = plan.encoder.length - 1; i >= 0; i--) {
    const da = g.reluGradient(dh, encoderPre[i]!);
    setGradient(`encoder/conv${i}/bias`, g.sum(da, 'axes023'));
    // R [in, out, kh, kw] → tfjs [kh, kw, in, out]
    setGradient(
      `encoder/conv${i}/kernel`,
      g.op('Transpose', [g.filterGradient(encoderIn[i]!, da)], { perm: [2, 3, 0, 1] }),
    );
    if (i > 0) dh = g.op('ConvTranspose', [da, encoderKernel[i]!], CONV);
  }

  // Each gradient leaves under its output name.
  const outputs: OnnxValue[] = [
    { name: IO.loss, shape: [] },
    { name: IO.reconstruction, shape: [] },
    { name: IO.kl, shape: [] },
    ...(mse ? [{ name: IO.mse, shape: [] }] : []),
  ];
  specs.forEach((spec, i) => {
    const value = gradients.get(i);
    if (!value) throw new Error(`no gradient for ${spec.name}`);
    g.op('Identity', [value], undefined, gradientOutput(i));
    outputs.push({ name: gradientOutput(i), shape: spec.shape });
  });
  const optimizerInputs: OnnxValue[] = [];
  if (adam) {
    const A = ADAM_GRAPH_IO;
    // ‖g‖ over every gradient; clip factor min(1, c / (‖g‖ + 1e-6)) when c > 0 (adam.ts clipScale)
    const squares = specs.map((_, i) => g.op('ReduceSumSquare', [gradientOutput(i)], { keepdims: 0 }));
    const norm = g.op(
      'Sqrt',
      [squares.reduce((total, sq) => g.op('Add', [total, sq]))],
      undefined,
      A.gradNorm,
    );
    const limited = g.op('Min', [
      'one',
      g.op('Div', [A.clipNorm, g.op('Add', [norm, g.constant('clip_epsilon', 1e-6)])]),
    ]);
    const scale = g.op('Where', [g.op('Greater', [A.clipNorm, 'zero']), limited, 'one']);
    g.constant('beta1', adam.beta1);
    g.constant('one_minus_beta1', 1 - adam.beta1);
    g.constant('beta2', adam.beta2);
    g.constant('one_minus_beta2', 1 - adam.beta2);
    g.constant('adam_epsilon', adam.epsilon);
    outputs.push({ name: A.gradNorm, shape: [] });
    specs.forEach((spec, i) => {
      const grad = g.op('Mul', [gradientOutput(i), scale]);
      const m = momentInput(i, 'm');
      const v = momentInput(i, 'v');
      const mNext = g.op(
        'Add',
        [g.op('Mul', [m, 'beta1']), g.op('Mul', [grad, 'one_minus_beta1'])],
        undefined,
        momentOutput(i, 'm'),
      );
      const vNext = g.op(
        'Add',
        [g.op('Mul', [v, 'beta2']), g.op('Mul', [g.op('Mul', [grad, grad]), 'one_minus_beta2'])],
        undefined,
        momentOutput(i, 'v'),
      );
      const denom = g.op('Add', [g.op('Sqrt', [g.op('Div', [vNext, A.c2])]), 'adam_epsilon']);
      g.op(
        'Sub',
        [paramInput(i), g.op('Div', [g.op('Mul', [mNext, A.rate]), denom])],
        undefined,
        paramOutput(i),
      );
      optimizerInputs.push({ name: m, shape: spec.shape }, { name: v, shape: spec.shape });
      outputs.push(
        { name: paramOutput(i), shape: spec.shape },
        { name: momentOutput(i, 'm'), shape: spec.shape },
        { name: momentOutput(i, 'v'), shape: spec.shape },
      );
    });
    optimizerInputs.push(
      { name: A.rate, shape: [] },
      { name: A.c2, shape: [] },
      { name: A.clipNorm, shape: [] },
    );
  }
  const H = config.imageSize;
  const inputs: OnnxValue[] = [
    ...specs.map((spec, i) => ({ name: paramInput(i), shape: spec.shape })),
    { name: IO.x, shape: ['batch', H, H, config.channels] },
    { name: IO.eps, shape: ['batch', L] },
    ...(K > 0 ? [{ name: IO.y, shape: ['batch', K] }] : []),
    { name: IO.beta, shape: [] },
    { name: IO.invBatch, shape: [] },
    ...optimizerInputs,
  ];
  return { name: 'vae_training_step', nodes: g.nodes, initializers: g.initializers, inputs, outputs };
}
