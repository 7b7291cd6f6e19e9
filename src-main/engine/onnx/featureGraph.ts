/**
 * The quality report's feature network (engine/quality/features.ts) as an ONNX graph, for a native runtime: the
 * same folded topology and weights, the same preprocessing, the same pooled features (to float32 rounding).
 *
 * Input `pixels` [N, size, size, channels] in [0, 1] (NHWC, as the images are stored); output `features`
 * [N, dim]. Inside: NCHW, as ONNX's Conv wants; bilinear resize to the network's input size with
 * alignCorners and halfPixelCenters off (tfjs's resizeBilinear(x, s, false, false) is ONNX's `asymmetric`
 * coordinate mode), x·2 − 1, every conv with its bias and ReLU6 (Clip 0…6), the residual adds, the mean over
 * height and width. A grey image meets the first conv as tfjs's path does: one channel times the kernel summed over
 * its three.
 */
import type { FeatureConvOp, FeatureTopology } from '../quality/features.js';
import { scalar, type OnnxGraph, type OnnxNode, type OnnxTensor } from './onnxModel.js';

/** The graph's input and output names. */
export const FEATURE_GRAPH_IO = { input: 'pixels', output: 'features' } as const;

/**
 * tfjs's conv kernel [kh, kw, in, out] as ONNX's [out, in, kh, kw] (summed over `in` when `sumInputs`); a depthwise
 * kernel [kh, kw, in, multiplier] as a grouped conv's [in · multiplier, 1, kh, kw].
 */
export function onnxKernel(
  shape: number[],
  values: Float32Array,
  depthwise: boolean,
  sumInputs = false,
): { dims: number[]; data: Float32Array } {
  const [kh, kw, ci, co] = shape as [number, number, number, number];
  if (depthwise) {
    const data = new Float32Array(ci * co * kh * kw);
    for (let y = 0; y < kh; y++)
      for (let x = 0; x < kw; x++)
        for (let c = 0; c < ci; c++)
          for (let m = 0; m < co; m++)
            data[((c * co + m) * kh + y) * kw + x] = values[((y * kw + x) * ci + c) * co + m]!;
    return { dims: [ci * co, 1, kh, kw], data };
  }
  const inputs = sumInputs ? 1 : ci;
  const data = new Float32Array(co * inputs * kh * kw);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let c = 0; c < ci; c++)
        for (let o = 0; o < co; o++)
          data[((o * inputs + (sumInputs ? 0 : c)) * kh + y) * kw + x]! +=
            values[((y * kw + x) * ci + c) * co + o]!;
  return { dims: [co, inputs, kh, kw], data };
}

/** ONNX Conv's padding for a tfjs pad mode (explicit pads are [top, left, bottom, right]). */
function convPadding(op: FeatureConvOp, kh: number, kw: number): Record<string, number[] | string> {
  if (Array.isArray(op.pad)) return { pads: [op.pad[0][0], op.pad[1][0], op.pad[0][1], op.pad[1][1]] };
  if (op.pad === 'valid') return { pads: [0, 0, 0, 0] };
  // TensorFlow's SAME puts the odd pixel at the end: ONNX's SAME_UPPER.
  if (op.stride !== 1) return { auto_pad: 'SAME_UPPER' };
  const [t, l] = [Math.floor((kh - 1) / 2), Math.floor((kw - 1) / 2)];
  return { pads: [t, l, kh - 1 - t, kw - 1 - l] };
}

/** The feature network for images of `size` × `size` × `channels`. */
export function featureGraph(
  topology: FeatureTopology,
  weights: Float32Array,
  size: number,
  channels: 1 | 3,
): OnnxGraph {
  const tensors = new Map(topology.tensors.map((t) => [t.name, t]));
  const read = (name: string): { shape: number[]; values: Float32Array } => {
    const t = tensors.get(name);
    if (!t) throw new Error(`feature tensor ${name} missing`);
    const count = t.shape.reduce((p, d) => p * d, 1);
    return { shape: t.shape, values: weights.subarray(t.offset, t.offset + count) };
  };
  const s = topology.inputSize / size;
  const initializers: OnnxTensor[] = [
    { name: 'resize_roi', dims: [0], data: new Float32Array(0) },
    { name: 'resize_scales', dims: [4], data: Float32Array.from([1, 1, s, s]) },
    scalar('two', 2),
    scalar('one', 1),
    scalar('zero', 0),
    scalar('six', 6),
  ];
  const nodes: OnnxNode[] = [
    {
      op: 'Transpose',
      inputs: [FEATURE_GRAPH_IO.input],
      outputs: ['nchw'],
      attributes: { perm: [0, 3, 1, 2] },
    },
    {
      op: 'Resize',
      inputs: ['nchw', 'resize_roi', 'resize_scales'],
      outputs: ['resized'],
      attributes: { mode: 'linear', coordinate_transformation_mode: 'asymmetric' },
    },
    { op: 'Mul', inputs: ['resized', 'two'], outputs: ['doubled'] },
    { op: 'Sub', inputs: ['doubled', 'one'], outputs: [topology.input] },
  ];
  for (const op of topology.ops) {
    if (op.op === 'add') {
      nodes.push({ op: 'Add', inputs: op.inputs, outputs: [op.name] });
      continue;
    }
    const kernel = read(op.kernel);
    const depthwise = op.op === 'depthwiseConv2d';
    const grey = channels === 1 && op.input === topology.input;
    initializers.push({ name: op.kernel, ...onnxKernel(kernel.shape, kernel.values, depthwise, grey) });
    const bias = read(op.bias);
    initializers.push({ name: op.bias, dims: [bias.values.length], data: Float32Array.from(bias.values) });
    const [kh, kw, ci] = kernel.shape as [number, number, number];
    const convOut = op.activation === 'relu6' ? `${op.name}/linear` : op.name;
    nodes.push({
      op: 'Conv',
      inputs: [op.input, op.kernel, op.bias],
      outputs: [convOut],
      attributes: {
        kernel_shape: [kh, kw],
        strides: [op.stride, op.stride],
        ...(depthwise ? { group: ci } : {}),
        ...convPadding(op, kh, kw),
      },
    });
    if (op.activation === 'relu6')
      nodes.push({ op: 'Clip', inputs: [convOut, 'zero', 'six'], outputs: [op.name] });
  }
  nodes.push(
    { op: 'GlobalAveragePool', inputs: [topology.output], outputs: ['pooled'] },
    { op: 'Flatten', inputs: ['pooled'], outputs: [FEATURE_GRAPH_IO.output] },
  );
  return {
    name: 'features',
    nodes,
    initializers,
    inputs: [{ name: FEATURE_GRAPH_IO.input, shape: ['batch', size, size, channels] }],
    outputs: [{ name: FEATURE_GRAPH_IO.output, shape: ['batch', topology.dim] }],
  };
}
