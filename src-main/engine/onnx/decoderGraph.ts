/**
 * A VAE's decoder p(x|z, y) (engine/model.ts `decodeLogits`) as an ONNX graph, for a native runtime: the same
 * weights, the same logits (to float32 rounding).
 *
 * Inputs `z` [N, L] and, for a conditional model, `y` [N, K] (one-hot or soft); output `logits` [N, H, W, C]
 * (NHWC, as tfjs gives them). Inside: [z, y] · W + b, ReLU, reshaped to the bottleneck in tfjs's NHWC order and
 * turned NCHW, then each transposed conv (4×4, stride 2, one pixel of padding each side: TensorFlow's `same` for
 * these shapes) with its bias and a ReLU except after the last, and back to NHWC.
 */
import type { LayerPlan } from '../config.js';
import type { NamedArray } from '../types.js';
import type { OnnxGraph, OnnxNode, OnnxTensor } from './onnxModel.js';

export const DECODER_GRAPH_IO = { z: 'z', y: 'y', logits: 'logits' } as const;

/** tfjs's conv2dTranspose filter [kh, kw, out, in] as ONNX ConvTranspose's weight [in, out, kh, kw]. */
export function onnxTransposedKernel(
  shape: number[],
  values: Float32Array,
): { dims: number[]; data: Float32Array } {
  const [kh, kw, co, ci] = shape as [number, number, number, number];
  const data = new Float32Array(values.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let o = 0; o < co; o++)
        for (let i = 0; i < ci; i++)
          data[((i * co + o) * kh + y) * kw + x] = values[((y * kw + x) * co + o) * ci + i]!;
  return { dims: [ci, co, kh, kw], data };
}

export function decoderGraph(plan: LayerPlan, latentDim: number, weights: readonly NamedArray[]): OnnxGraph {
  const byName = new Map(weights.map((w) => [w.name, w]));
  const weight = (name: string): NamedArray => {
    const w = byName.get(name);
    if (!w) throw new Error(`decoder weight ${name} missing`);
    return w;
  };
  const conditional = plan.labelSize > 0;
  const b = plan.bottleneckSize;
  const dense = weight('decoder/dense/kernel');
  const initializers: OnnxTensor[] = [
    { name: 'dense_kernel', dims: dense.shape, data: dense.values },
    {
      name: 'dense_bias',
      dims: weight('decoder/dense/bias').shape,
      data: weight('decoder/dense/bias').values,
    },
    {
      name: 'bottleneck_shape',
      dims: [4],
      data: BigInt64Array.from([-1n, BigInt(b), BigInt(b), BigInt(plan.bottleneckChannels)]),
    },
  ];
  const nodes: OnnxNode[] = [];
  let input: string = DECODER_GRAPH_IO.z;
  if (conditional) {
    nodes.push({
      op: 'Concat',
      inputs: [DECODER_GRAPH_IO.z, DECODER_GRAPH_IO.y],
      outputs: ['zy'],
      attributes: { axis: 1 },
    });
    input = 'zy';
  }
  nodes.push(
    { op: 'Gemm', inputs: [input, 'dense_kernel', 'dense_bias'], outputs: ['dense'] },
    { op: 'Relu', inputs: ['dense'], outputs: ['dense_relu'] },
    { op: 'Reshape', inputs: ['dense_relu', 'bottleneck_shape'], outputs: ['bottleneck_nhwc'] },
    { op: 'Transpose', inputs: ['bottleneck_nhwc'], outputs: ['h_-1'], attributes: { perm: [0, 3, 1, 2] } },
  );
  const last = plan.decoder.length - 1;
  plan.decoder.forEach((_, i) => {
    const kernel = weight(`decoder/convT${i}/kernel`);
    initializers.push(
      { name: `convT${i}_kernel`, ...onnxTransposedKernel(kernel.shape, kernel.values) },
      {
        name: `convT${i}_bias`,
        dims: weight(`decoder/convT${i}/bias`).shape,
        data: weight(`decoder/convT${i}/bias`).values,
      },
    );
    const out = i === last ? 'logits_nchw' : `convT${i}`;
    nodes.push({
      op: 'ConvTranspose',
      inputs: [`h_${i - 1}`, `convT${i}_kernel`, `convT${i}_bias`],
      outputs: [out],
      attributes: { kernel_shape: [4, 4], strides: [2, 2], pads: [1, 1, 1, 1] },
    });
    if (i !== last) nodes.push({ op: 'Relu', inputs: [out], outputs: [`h_${i}`] });
  });
  nodes.push({
    op: 'Transpose',
    inputs: ['logits_nchw'],
    outputs: [DECODER_GRAPH_IO.logits],
    attributes: { perm: [0, 2, 3, 1] },
  });
  const top = plan.decoder[last]!;
  return {
    name: 'decoder',
    nodes,
    initializers,
    inputs: [
      { name: DECODER_GRAPH_IO.z, shape: ['batch', latentDim] },
      ...(conditional ? [{ name: DECODER_GRAPH_IO.y, shape: ['batch', plan.labelSize] }] : []),
    ],
    outputs: [{ name: DECODER_GRAPH_IO.logits, shape: ['batch', top.outSize, top.outSize, top.outChannels] }],
  };
}
