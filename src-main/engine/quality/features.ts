/**
 * The feature network for FID-style quality figures (issue 12): a pretrained convolutional net, shipped as an asset
 * (assets/features/, made by scripts/extract-feature-weights.mjs) and run here with plain tfjs-core ops, so it works
 * on every backend and needs no download. The topology arrives already folded (batch norm in the convs, ReLU6 as
 * the convs' activation, zero padding as explicit conv padding), so on wasm only XNNPACK convolutions run; why this
 * network and layer: docs/quality-features.md.
 */
import * as tf from '@tensorflow/tfjs-core';
import { CancelledError } from '../../util/errors.js';
import { sliceToTensor } from '../pixels.js';
import type { ImageBatch } from '../types.js';
import type { FeatureSet } from './featureSet.js';

/** The `format` this code reads. */
export const FEATURE_TOPOLOGY_FORMAT = 'vae-studio-feature-network/1';

/** Images per forward pass when none is asked for (batch 32 beat 16 by 10–20 % on wasm). */
export const DEFAULT_FEATURE_BATCH = 32;

/** A convolution with its batch norm and activation folded in; `pad` is Keras's mode or explicit [[t, b], [l, r]]. */
export interface FeatureConvOp {
  op: 'conv2d' | 'depthwiseConv2d';
  /** The name of its output (the last Keras layer folded into it). */
  name: string;
  input: string;
  /** Names in {@link FeatureTopology.tensors}: kernel [kh, kw, in, out] (depthwise: [kh, kw, in, multiplier]). */
  kernel: string;
  bias: string;
  stride: number;
  pad: 'same' | 'valid' | [[number, number], [number, number]];
  activation: 'linear' | 'relu6';
}

/** A residual connection: the element-wise sum of its inputs. */
export interface FeatureAddOp {
  op: 'add';
  name: string;
  inputs: string[];
}

/** The asset's JSON: what runs, in order, and where each weight tensor lies in the float32 weights. */
export interface FeatureTopology {
  format: string;
  /** Exactly what the features are (network, weights, layer, pooling, input size, scaling). */
  name: string;
  input: string;
  inputChannels: 3;
  inputSize: number;
  output: string;
  dim: number;
  weightCount: number;
  ops: (FeatureConvOp | FeatureAddOp)[];
  /** `offset` counts float32 values from the start of the weights. */
  tensors: { name: string; shape: number[]; offset: number }[];
}

export interface FeatureExtractOptions {
  /** Images per forward pass; default {@link DEFAULT_FEATURE_BATCH}. */
  batchSize?: number;
  /** Checked between batches; when aborted the call rejects with {@link CancelledError}. */
  signal?: AbortSignal;
  onProgress?(p: { images: number; count: number }): void;
}

export interface FeatureNetwork {
  name: string;
  /** What computes it, in words ("tfjs wasm", "ONNX Runtime 1.30.0, 2 threads"): the features are the same. */
  runtime: string;
  dim: number;
  /** Every image is resized (bilinear) to inputSize × inputSize first, whatever its own size. */
  inputSize: number;
  /**
   * Features of every image of `images` (gray or RGB, any size), pooled over space: one `dim`-vector per image.
   * Reads back asynchronously batch by batch, so it runs on every backend in bounded memory.
   * @throws CancelledError when `signal` aborts (checked between batches).
   */
  extract(images: ImageBatch, options?: FeatureExtractOptions): Promise<FeatureSet>;
  /** Frees the weight tensors; the network cannot be used afterwards. */
  dispose(): void;
}

type Weights = Map<string, tf.Tensor>;

function checkTopology(topology: FeatureTopology, weights: Float32Array): void {
  if (topology.format !== FEATURE_TOPOLOGY_FORMAT)
    throw new Error(`feature network format ${String(topology.format)}, expected ${FEATURE_TOPOLOGY_FORMAT}`);
  if (weights.length !== topology.weightCount)
    throw new Error(
      `feature weights hold ${weights.length} values, the topology needs ${topology.weightCount}`,
    );
  const known = new Set([topology.input]);
  const tensors = new Set(topology.tensors.map((t) => t.name));
  for (const op of topology.ops) {
    const inputs = op.op === 'add' ? op.inputs : [op.input];
    for (const i of inputs) if (!known.has(i)) throw new Error(`feature op ${op.name} reads unknown ${i}`);
    if (op.op !== 'add')
      for (const t of [op.kernel, op.bias])
        if (!tensors.has(t)) throw new Error(`feature tensor ${t} missing`);
    known.add(op.name);
  }
  if (!known.has(topology.output)) throw new Error(`feature output ${topology.output} is never computed`);
}

function padOf(op: FeatureConvOp): 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]] {
  return typeof op.pad === 'string' ? op.pad : [[0, 0], op.pad[0], op.pad[1], [0, 0]];
}

function runOps(topology: FeatureTopology, weights: Weights, gray: Weights, x: tf.Tensor4D): tf.Tensor2D {
  const values = new Map<string, tf.Tensor4D>([[topology.input, x]]);
  const get = (n: string): tf.Tensor4D => values.get(n)!;
  const grayInput = x.shape[3] === 1;
  for (const op of topology.ops) {
    let out: tf.Tensor4D;
    if (op.op === 'add') out = tf.addN(op.inputs.map(get));
    else {
      // A gray image replicated to 3 channels meets the first conv as one channel times the kernel's channel sum.
      const filter = (grayInput && gray.get(op.kernel)) || weights.get(op.kernel)!;
      const common = {
        x: get(op.input),
        strides: op.stride,
        pad: padOf(op),
        bias: weights.get(op.bias)!,
        activation: op.activation,
      } as const;
      out =
        op.op === 'conv2d'
          ? tf.fused.conv2d({ ...common, filter: filter as tf.Tensor4D })
          : // Its typing omits explicit padding, which its kernels (cpu, wasm, webgl, webgpu) take through
            // computeConv2DInfo as conv2d's do; block_{1,3,6}_depthwise (stride 2, `valid` after ZeroPadding2D) need it.
            tf.fused.depthwiseConv2d({
              ...common,
              pad: common.pad as 'valid',
              filter: filter as tf.Tensor4D,
            });
    }
    values.set(op.name, out);
  }
  return tf.mean(get(topology.output), [1, 2]);
}

/**
 * Builds the feature network from its asset (topology JSON and float32 weights, as engine/node's
 * `loadFeatureNetwork` reads them or a page fetches them). The weights become tensors on the active backend.
 */
export function createFeatureNetwork(topology: FeatureTopology, weights: Float32Array): FeatureNetwork {
  checkTopology(topology, weights);
  const tensors: Weights = new Map();
  for (const t of topology.tensors) {
    const count = t.shape.reduce((p, d) => p * d, 1);
    tensors.set(t.name, tf.tensor(weights.subarray(t.offset, t.offset + count), t.shape, 'float32'));
  }
  // Kernels that read the input directly, summed over their 3 input channels for gray images.
  const gray: Weights = new Map();
  for (const op of topology.ops)
    if (op.op === 'conv2d' && op.input === topology.input)
      gray.set(op.kernel, tf.sum(tensors.get(op.kernel)!, 2, true));
  const size = topology.inputSize;

  async function extract(images: ImageBatch, options: FeatureExtractOptions = {}): Promise<FeatureSet> {
    const batchSize = options.batchSize ?? DEFAULT_FEATURE_BATCH;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batch size ${batchSize}`);
    const values = new Float32Array(images.count * topology.dim);
    for (let start = 0; start < images.count; start += batchSize) {
      if (options.signal?.aborted) throw new CancelledError();
      const pooled = tf.tidy(() => {
        const x = sliceToTensor(images, start, batchSize);
        const resized = tf.image.resizeBilinear(x, [size, size], false, false);
        return runOps(topology, tensors, gray, tf.sub(tf.mul(resized, 2), 1));
      });
      try {
        values.set(await pooled.data(), start * topology.dim);
      } finally {
        pooled.dispose();
      }
      options.onProgress?.({ images: Math.min(start + batchSize, images.count), count: images.count });
    }
    return { count: images.count, dim: topology.dim, values };
  }

  return {
    name: topology.name,
    runtime: `tfjs ${tf.getBackend()}`,
    dim: topology.dim,
    inputSize: size,
    extract,
    dispose() {
      for (const t of tensors.values()) t.dispose();
      for (const t of gray.values()) t.dispose();
    },
  };
}
