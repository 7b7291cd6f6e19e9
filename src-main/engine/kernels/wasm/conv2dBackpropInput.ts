import {
  backend_util,
  Conv2DBackpropInput,
  util,
  type Conv2DBackpropInputAttrs,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { callWasmKernel, disposeInfo } from './callKernel.js';

type Pair = [number, number];
type ExplicitPad = [Pair, Pair, Pair, Pair];
type KernelArgs = Parameters<KernelFunc>[0];

/** Attrs the gradient op passes, plus the `dilations` a direct caller might add (conv2dTranspose never does). */
type Attrs = Conv2DBackpropInputAttrs & { dilations?: number | Pair };

/**
 * How one spatial axis (rows or columns) of dx is computed from dy by the sub-pixel decomposition below. All
 * indices are in that axis only.
 */
interface AxisPlan {
  /** Stride s of the forward conv = number of output phases along this axis. */
  stride: number;
  /** Taps per phase, ⌈K / s⌉: every phase's sub-filter is zero-padded to this size. */
  taps: number;
  /** First and last row of dy that reach dx at all (the rest only ever met padding). */
  dyFirst: number;
  dyLast: number;
  /** Explicit padding of the (cropped) dy for the stride-1 conv. */
  padBefore: number;
  padAfter: number;
  /** Conv output length T: each output row holds all s phases, so the interleaved result has T·s rows. */
  blocks: number;
  /** Rows to drop at the start of the interleaved result (top mod s); dx is the next `size` rows. */
  offset: number;
  /** Length of dx along this axis. */
  size: number;
}

/**
 * Forward (NHWC, no dilation), per spatial axis: y[i] = Σ_a x[i·s − top + a] · w[a]. So dx[p] collects
 * dy[i] · w[a] over p + top = i·s + a. Writing r = (p + top) mod s and t = ⌊(p + top) / s⌋, the taps with
 * a = r + s·m (m = 0 … ⌈K/s⌉ − 1) give dx[p] = Σ_m dy[t − m] · w[r + s·m]: for each phase r, a stride-1
 * correlation of the *undilated* dy with the sub-filter w[r + s·m] reversed in m. Doing all phases at once (phase
 * as extra output channels) costs 1/s² of the textbook "dilate dy with s − 1 zeros, conv with the rotated filter"
 * method, which spends (s² − 1)/s² of its multiply-adds on the inserted zeros.
 */
function planAxis(kernel: number, stride: number, top: number, inSize: number, outSize: number): AxisPlan {
  const taps = Math.ceil(kernel / stride);
  const tFirst = Math.floor(top / stride);
  const tLast = Math.floor((inSize - 1 + top) / stride);
  const dyFirst = Math.max(0, tFirst - taps + 1);
  const dyLast = Math.min(outSize - 1, tLast);
  return {
    stride,
    taps,
    dyFirst,
    dyLast,
    // Conv output τ = t − tFirst reads cropped dy[τ + j − padBefore] with tap j = taps − 1 − m.
    padBefore: taps - 1 - tFirst + dyFirst,
    padAfter: tLast - dyLast,
    blocks: tLast - tFirst + 1,
    // Interleaved row τ·s + r is dx row p = τ·s + r − (top − s·tFirst).
    offset: top - stride * tFirst,
    size: inSize,
  };
}

/**
 * The stride-1 conv filter [tapsH, tapsW, O, sH, sW, C] (flattened to [tapsH, tapsW, O, sH·sW·C]) from the forward
 * filter w [KH, KW, C, O]: F[j, j′, o, rh, rw, c] = w[rh + sH·(tapsH − 1 − j), rw + sW·(tapsW − 1 − j′), c, o], zero
 * where that tap lies beyond the kernel. One gather in JS: the filter is small (≤ 0.5 M values in std64) and the
 * wasm Reverse kernel would allocate per element.
 */
function phaseFilter(w: Float32Array, wShape: readonly number[], h: AxisPlan, v: AxisPlan): Float32Array {
  const [kh = 0, kw = 0, cin = 0, cout = 0] = wShape;
  const phases = h.stride * v.stride;
  const out = new Float32Array(h.taps * v.taps * cout * phases * cin);
  for (let j = 0; j < h.taps; j++) {
    for (let rh = 0; rh < h.stride; rh++) {
      const a = rh + h.stride * (h.taps - 1 - j);
      if (a >= kh) continue;
      for (let jj = 0; jj < v.taps; jj++) {
        for (let rw = 0; rw < v.stride; rw++) {
          const b = rw + v.stride * (v.taps - 1 - jj);
          if (b >= kw) continue;
          const phase = rh * v.stride + rw;
          const src = (a * kw + b) * cin * cout;
          // Writes contiguous over c, reads strided: about twice as fast as the other order on std64's filters.
          for (let o = 0; o < cout; o++) {
            const dst = (((j * v.taps + jj) * cout + o) * phases + phase) * cin;
            for (let c = 0; c < cin; c++) out[dst + c] = w[src + c * cout + o]!;
          }
        }
      }
    }
  }
  return out;
}

/** Why the fast path cannot take these arguments, or null when it can. */
function unsupported(dy: TensorInfo, filter: TensorInfo, attrs: Attrs): string | null {
  const { dataFormat, inputShape, dilations = 1 } = attrs;
  if (dataFormat !== 'NHWC') return `dataFormat ${dataFormat}`;
  if (dy.dtype !== 'float32' || filter.dtype !== 'float32') return `dtype ${dy.dtype}/${filter.dtype}`;
  if (dy.shape.length !== 4 || filter.shape.length !== 4 || inputShape.length !== 4) return 'rank ≠ 4';
  const [dh, dw] = typeof dilations === 'number' ? [dilations, dilations] : dilations;
  if (dh !== 1 || dw !== 1) return `dilations [${dh},${dw}]`;
  if (util.sizeFromShape(dy.shape) === 0 || util.sizeFromShape(inputShape) === 0) return 'empty tensor';
  return null;
}

/** dx for NHWC float32 without dilation: see {@link planAxis} for the arithmetic. */
function fastConv2dBackpropInput(
  dy: TensorInfo,
  filter: TensorInfo,
  attrs: Attrs,
  backend: KernelBackend,
): TensorInfo {
  const { strides, pad, dimRoundingMode, inputShape } = attrs;
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize: n, inChannels: cin, outChannels: cout, filterHeight: kh, filterWidth: kw } = info;
  if (info.outShape.some((d, i) => d !== dy.shape[i])) {
    throw new Error(
      `Conv2DBackpropInput (wasm): dy has shape [${dy.shape.join(',')}] but the forward conv gives [${info.outShape.join(',')}]`,
    );
  }
  const { top, left } = info.padInfo;
  const rows = planAxis(kh, info.strideHeight, top, info.inHeight, info.outHeight);
  const cols = planAxis(kw, info.strideWidth, left, info.inWidth, info.outWidth);
  if (rows.dyFirst > rows.dyLast || cols.dyFirst > cols.dyLast) {
    // No dy row reaches dx. Not reachable with shapes computeConv2DInfo accepts (rows the forward conv never
    // reads get zero sub-filters instead), but a zero-size Conv2D must never be attempted.
    return callWasmKernel('Fill', {}, { shape: inputShape, value: 0, dtype: 'float32' }, backend);
  }

  const temps: TensorInfo[] = [];
  const run = (kernelName: string, inputs: NamedTensorInfoMap, kernelAttrs: NamedAttrMap): TensorInfo => {
    const out = callWasmKernel(kernelName, inputs, kernelAttrs, backend);
    temps.push(out);
    return out;
  };
  const reshape = (x: TensorInfo, shape: number[]): TensorInfo => run('Reshape', { x }, { shape });
  try {
    let dyUsed = dy;
    const usedH = rows.dyLast - rows.dyFirst + 1;
    const usedW = cols.dyLast - cols.dyFirst + 1;
    if (usedH < info.outHeight || usedW < info.outWidth) {
      dyUsed = run(
        'Slice',
        { x: dy },
        { begin: [0, rows.dyFirst, cols.dyFirst, 0], size: [n, usedH, usedW, cout] },
      );
    }

    const phases = rows.stride * cols.stride;
    const filterShape = [rows.taps, cols.taps, cout, phases * cin];
    const filterValues = phaseFilter(
      backend.readSync(filter.dataId) as Float32Array,
      filter.shape,
      rows,
      cols,
    );
    const phaseFilterInfo: TensorInfo = {
      dataId: backend.write(filterValues, filterShape, 'float32'),
      shape: filterShape,
      dtype: 'float32',
    };
    // Freed in `finally` whatever happens: wasm Conv2D caches an XNNPACK operator per filter id until it is freed.
    temps.push(phaseFilterInfo);

    const explicit: ExplicitPad = [
      [0, 0],
      [rows.padBefore, rows.padAfter],
      [cols.padBefore, cols.padAfter],
      [0, 0],
    ];
    // [N, T_H, T_W, sH·sW·C]: block (τ, τ′) holds dx rows τ·sH + rh and columns τ′·sW + rw.
    const blocks = run(
      'Conv2D',
      { x: dyUsed, filter: phaseFilterInfo },
      { strides: 1, pad: explicit, dataFormat: 'NHWC', dilations: 1 },
    );
    let result = blocks;
    if (rows.stride > 1 && cols.blocks > 1) {
      // Depth to space: [N·T_H, T_W, sH, sW·C] → [N·T_H, sH, T_W, sW·C] is [N, T_H·sH, T_W·sW, C] in memory. A
      // rank-4 transpose whose leading axis wasm's Transpose peels off, so it runs its fast 3-D loop (the
      // DepthToSpace kernel, like a rank-6 transpose, allocates per element). With sH = 1 or T_W = 1 the blocks
      // are already in that order.
      const split = reshape(blocks, [n * rows.blocks, cols.blocks, rows.stride, cols.stride * cin]);
      result = run('Transpose', { x: split }, { perm: [0, 2, 1, 3] });
    }
    const fullH = rows.blocks * rows.stride;
    const fullW = cols.blocks * cols.stride;
    if (rows.offset > 0 || cols.offset > 0 || fullH > rows.size || fullW > cols.size) {
      // Crop with columns and channels merged, so the slice copies whole rows of W·C values.
      const merged = reshape(result, [n, fullH, fullW * cin]);
      result = run(
        'Slice',
        { x: merged },
        { begin: [0, rows.offset, cols.offset * cin], size: [n, rows.size, cols.size * cin] },
      );
    }
    const dx = reshape(result, [n, rows.size, cols.size, cin]);
    temps.pop(); // dx is the caller's.
    return dx;
  } finally {
    for (const t of temps) disposeInfo(backend, t);
  }
}

/** Marks the kernel functions this module made, so registration can tell its own kernel from the package's. */
const ours = new WeakSet<KernelFunc>();

/**
 * `Conv2DBackpropInput` for the wasm backend (the input gradient of conv2d and the forward pass of
 * conv2dTranspose), built from the backend's XNNPACK Conv2D: tfjs-backend-wasm 4.22's own kernel is a plain C++
 * loop, 3–8× slower on std64's decoder layers (docs/benchmarks.md). What the fast path does not cover (NCHW,
 * dilations, other dtypes) goes to `original`, the package's kernel, whose `setupFunc` the returned config keeps
 * so that kernel still works when the backend initialises after the replacement is registered.
 */
export function conv2dBackpropInputWasmConfig(original: KernelConfig | undefined): KernelConfig {
  const kernelFunc = ({ inputs, backend: anyBackend, attrs }: KernelArgs): TensorInfo | TensorInfo[] => {
    const backend = anyBackend as KernelBackend;
    const { dy, filter } = inputs;
    if (dy === undefined || filter === undefined) {
      throw new Error('Conv2DBackpropInput (wasm) needs inputs dy and filter');
    }
    const why = unsupported(dy, filter, attrs as unknown as Attrs);
    if (why === null) return fastConv2dBackpropInput(dy, filter, attrs as unknown as Attrs, backend);
    if (original === undefined) {
      throw new Error(
        `Conv2DBackpropInput (wasm): ${why} is not supported and there is no kernel to fall back on`,
      );
    }
    return original.kernelFunc({ inputs, backend, attrs });
  };
  ours.add(kernelFunc);
  const config: KernelConfig = { kernelName: Conv2DBackpropInput, backendName: 'wasm', kernelFunc };
  if (original?.setupFunc !== undefined) config.setupFunc = original.setupFunc;
  if (original?.disposeFunc !== undefined) config.disposeFunc = original.disposeFunc;
  return config;
}

/** Whether `config` is a kernel made by {@link conv2dBackpropInputWasmConfig} (so registering again is a no-op). */
export function isFastConv2dBackpropInput(config: KernelConfig | undefined): boolean {
  return config !== undefined && ours.has(config.kernelFunc);
}
