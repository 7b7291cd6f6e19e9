import {
  getKernel,
  type KernelBackend,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

/**
 * Runs another wasm kernel directly (not through the engine), so a composite kernel can reuse the backend's own
 * fast XNNPACK code without creating engine-tracked tensors. Whatever it returns belongs to the caller: dispose it
 * with {@link disposeInfo} unless it is the composite kernel's own output.
 */
export function callWasmKernel(
  kernelName: string,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap,
  backend: KernelBackend,
): TensorInfo {
  const kernel = getKernel(kernelName, 'wasm');
  if (kernel === undefined) throw new Error(`the wasm backend has no ${kernelName} kernel`);
  const out = kernel.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) {
    // None of the kernels we compose return several outputs; refuse rather than leak them.
    for (const t of out) backend.disposeData(t.dataId);
    throw new Error(`wasm kernel ${kernelName} returned ${out.length} outputs where one was expected`);
  }
  return out;
}

/** Frees an intermediate created by {@link callWasmKernel} (the engine never saw it, so nobody else will). */
export function disposeInfo(backend: KernelBackend, info: TensorInfo | undefined): void {
  if (info !== undefined) backend.disposeData(info.dataId);
}
