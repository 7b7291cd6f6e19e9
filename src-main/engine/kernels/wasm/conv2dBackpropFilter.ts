import {
  backend_util,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { callWasmKernel, disposeInfo } from './callKernel.js';

type Pair = [number, number];
type ExplicitPad = [Pair, Pair, Pair, Pair];

/** Attrs the gradient op passes, plus the `dilations` a direct caller might add (the conv2d gradient never does). */
type Attrs = Conv2DBackpropFilterAttrs & { dilations?: number | Pair };

/**
 * dW = conv(x, dy) with batch and channels swapped.
 *
 * Forward (NHWC, no dilation): y[n,i,j,o] = Σ x[n, i·s − top + a, j·s − left + b, c] · w[a,b,c,o].
 * Hence dW[a,b,c,o] = Σ_{n,i,j} x[n, a − top + i·s, b − left + j·s, c] · dy[n,i,j,o], which is a stride-1 conv2d
 * whose "images" are x transposed to [C, H, W, N] and whose "filter" is dy transposed to [OH, OW, N, O], dilated by
 * the forward stride. Its output [C, KH, KW, O] is transposed to [KH, KW, C, O]. A forward dilation d (stride 1)
 * swaps roles: the gradient conv then has stride d and no dilation.
 */
function conv2dBackpropFilterWasm({
  inputs,
  backend: anyBackend,
  attrs,
}: Parameters<KernelFunc>[0]): TensorInfo {
  const backend = anyBackend as KernelBackend;
  const { x, dy } = inputs;
  if (x === undefined || dy === undefined)
    throw new Error('Conv2DBackpropFilter (wasm) needs inputs x and dy');
  const { strides, pad, dataFormat, dimRoundingMode, filterShape, dilations = 1 } = attrs as unknown as Attrs;
  if (dataFormat !== 'NHWC') {
    throw new Error(`Conv2DBackpropFilter (wasm) supports dataFormat NHWC only, got ${dataFormat}`);
  }
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new Error(`Conv2DBackpropFilter (wasm) needs float32 inputs, got ${x.dtype} and ${dy.dtype}`);
  }
  if (x.shape.length !== 4 || dy.shape.length !== 4) {
    throw new Error(
      `Conv2DBackpropFilter (wasm) needs rank-4 x and dy, got [${x.shape.join(',')}] and [${dy.shape.join(',')}]`,
    );
  }
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    dilations,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  if ((sh > 1 || sw > 1) && (dh > 1 || dw > 1)) {
    // The gradient conv would need stride and dilation both > 1, which tfjs' Conv2D refuses (and conv2d forbids).
    throw new Error(
      `Conv2DBackpropFilter (wasm): strides [${sh},${sw}] with dilations [${dh},${dw}] are not supported`,
    );
  }
  if (info.outShape.some((d, i) => d !== dy.shape[i])) {
    throw new Error(
      `Conv2DBackpropFilter (wasm): dy has shape [${dy.shape.join(',')}] but the forward conv gives [${info.outShape.join(',')}]`,
    );
  }
  const { top, left } = info.padInfo;
  if (top < 0 || left < 0) throw new Error('Conv2DBackpropFilter (wasm): negative padding is not supported');

  // Rows/columns of (padded) input the gradient conv must span so its output is exactly KH×KW.
  const spanH = (info.filterHeight - 1) * dh + (info.outHeight - 1) * sh + 1;
  const spanW = (info.filterWidth - 1) * dw + (info.outWidth - 1) * sw + 1;
  let padBottom = spanH - top - info.inHeight;
  let padRight = spanW - left - info.inWidth;
  // A negative pad means the forward conv never reads the last rows/columns: drop them instead.
  const useH = info.inHeight + Math.min(0, padBottom);
  const useW = info.inWidth + Math.min(0, padRight);
  padBottom = Math.max(0, padBottom);
  padRight = Math.max(0, padRight);
  const [n, , , c] = x.shape as [number, number, number, number];

  if (useH <= 0 || useW <= 0) {
    // Only padding is ever read (absurd explicit pads): the gradient is exactly zero.
    return callWasmKernel('Fill', {}, { shape: filterShape, value: 0, dtype: 'float32' }, backend);
  }

  let sliced: TensorInfo | undefined;
  let xT: TensorInfo | undefined;
  let dyT: TensorInfo | undefined;
  let grad: TensorInfo | undefined;
  try {
    let xIn: TensorInfo = x;
    if (useH < info.inHeight || useW < info.inWidth) {
      sliced = callWasmKernel('Slice', { x }, { begin: [0, 0, 0, 0], size: [n, useH, useW, c] }, backend);
      xIn = sliced;
    }
    xT = callWasmKernel('Transpose', { x: xIn }, { perm: [3, 1, 2, 0] }, backend); // [C, H, W, N]
    dyT = callWasmKernel('Transpose', { x: dy }, { perm: [1, 2, 0, 3] }, backend); // [OH, OW, N, O]
    const explicit: ExplicitPad = [
      [0, 0],
      [top, padBottom],
      [left, padRight],
      [0, 0],
    ];
    grad = callWasmKernel(
      'Conv2D',
      { x: xT, filter: dyT },
      { strides: [dh, dw], pad: explicit, dataFormat: 'NHWC', dilations: [sh, sw] },
      backend,
    ); // [C, KH, KW, O]
    return callWasmKernel('Transpose', { x: grad }, { perm: [1, 2, 0, 3] }, backend); // [KH, KW, C, O]
  } finally {
    // dyT must go: wasm Conv2D caches an XNNPACK operator (with the packed filter) per filter id until it is freed.
    disposeInfo(backend, sliced);
    disposeInfo(backend, xT);
    disposeInfo(backend, dyT);
    disposeInfo(backend, grad);
  }
}

/**
 * `Conv2DBackpropFilter` for the wasm backend, which ships none (tfjs 4.22), so without it no conv net can train
 * there. Built from the backend's XNNPACK Conv2D plus Transpose/Slice, so it is as fast as a forward conv.
 */
export const conv2dBackpropFilterWasmConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilterWasm,
};
