// The wasm package registers its own kernels when it loads; it must load first, or it would overwrite ours.
import '@tensorflow/tfjs-backend-wasm';
import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { batchMatMulWasmConfig, isFastBatchMatMul } from './wasm/batchMatMul.js';
import { conv2dBackpropFilterWasmConfig } from './wasm/conv2dBackpropFilter.js';
import { conv2dBackpropInputWasmConfig, isFastConv2dBackpropInput } from './wasm/conv2dBackpropInput.js';

/**
 * Kernels the wasm backend lacks but VAE training needs. Compared with the cpu backend, tfjs-backend-wasm 4.22 has
 * no Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter/Input, UnsortedSegmentSum, Einsum, FFT/complex,
 * ragged or string-regex kernels; of those only Conv2DBackpropFilter is reached by the VAE's gradient (conv2d and
 * conv2dTranspose both need it).
 */
const WASM_KERNELS: readonly KernelConfig[] = [conv2dBackpropFilterWasmConfig];

/**
 * Replaces the wasm package's Conv2DBackpropInput (a plain loop, the std64 bottleneck) with one built on XNNPACK
 * Conv2D, which falls back on the package's kernel for what it does not cover.
 */
function replaceConv2dBackpropInput(): void {
  const current = getKernel('Conv2DBackpropInput', 'wasm') as KernelConfig | undefined;
  if (isFastConv2dBackpropInput(current)) return;
  if (current !== undefined) unregisterKernel('Conv2DBackpropInput', 'wasm');
  registerKernel(conv2dBackpropInputWasmConfig(current));
}

/**
 * Wraps the wasm package's BatchMatMul so transposed products (every dense layer's gradient) take its XNNPACK
 * path instead of a plain loop.
 */
function replaceBatchMatMul(): void {
  const current = getKernel('BatchMatMul', 'wasm') as KernelConfig | undefined;
  if (current === undefined || isFastBatchMatMul(current)) return;
  unregisterKernel('BatchMatMul', 'wasm');
  registerKernel(batchMatMulWasmConfig(current));
}

/**
 * Registers the missing wasm kernels with the global tfjs kernel registry and replaces the slow ones. Idempotent;
 * it leaves alone any missing kernel the wasm package already provides (a future version may ship its own).
 * Call it before the first gradient on the wasm backend; registering after the backend is initialised is fine.
 */
export function registerWasmKernels(): void {
  for (const config of WASM_KERNELS) {
    if (getKernel(config.kernelName, config.backendName) === undefined) registerKernel(config);
  }
  replaceConv2dBackpropInput();
  replaceBatchMatMul();
}
