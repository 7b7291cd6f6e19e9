import {
  BatchMatMul,
  type BatchMatMulAttrs,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { callWasmKernel, disposeInfo } from './callKernel.js';

type KernelArgs = Parameters<KernelFunc>[0];

/** Marks our kernel so registering twice is a no-op (kernel configs carry no identity otherwise). */
const FAST_MARK = Symbol.for('vae-studio/fast-batch-matmul');

/** The permutation that swaps a tensor's last two axes and keeps the leading (batch) ones. */
function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

/**
 * BatchMatMul for wasm with the transposes made explicit. tfjs-backend-wasm 4.22 sends any `transposeA` or
 * `transposeB` product to a plain C++ triple loop, and every dense layer's gradient is one (dW = xᵀ·dy,
 * dx = dy·Wᵀ). Transposing the operand first (wasm's Transpose: one pass over a small matrix) lets the product
 * take the XNNPACK path: std64's three transposed products went from ≈ 66 ms to a few ms per step.
 */
export function batchMatMulWasmConfig(original: KernelConfig): KernelConfig {
  const kernelFunc = ((args: KernelArgs): TensorInfo => {
    const attrs = args.attrs as unknown as BatchMatMulAttrs;
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    if ((!attrs.transposeA && !attrs.transposeB) || a.dtype !== 'float32' || b.dtype !== 'float32') {
      return original.kernelFunc(args) as TensorInfo;
    }
    const backend = args.backend as KernelBackend;
    const made: TensorInfo[] = [];
    const upright = (x: TensorInfo, transposed: boolean): TensorInfo => {
      if (!transposed) return x;
      const t = callWasmKernel('Transpose', { x }, { perm: swapLastTwo(x.shape.length) }, backend);
      made.push(t);
      return t;
    };
    try {
      const inputs: NamedTensorInfoMap = { a: upright(a, attrs.transposeA), b: upright(b, attrs.transposeB) };
      return original.kernelFunc({
        inputs,
        backend,
        attrs: { ...args.attrs, transposeA: false, transposeB: false },
      }) as TensorInfo;
    } finally {
      for (const t of made) disposeInfo(backend, t);
    }
  }) as KernelFunc;
  return {
    kernelName: BatchMatMul,
    backendName: 'wasm',
    ...(original.setupFunc ? { setupFunc: original.setupFunc } : {}),
    ...(original.disposeFunc ? { disposeFunc: original.disposeFunc } : {}),
    kernelFunc: Object.assign(kernelFunc, { [FAST_MARK]: true }),
  };
}

/** True when `config` is already {@link batchMatMulWasmConfig}'s kernel. */
export function isFastBatchMatMul(config: KernelConfig | undefined): boolean {
  return (
    config !== undefined && (config.kernelFunc as unknown as Record<symbol, unknown>)[FAST_MARK] === true
  );
}
