import { getKernel, registerKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { conv2dBackpropFilterWasmConfig } from './wasm/conv2dBackpropFilter.js';

/**
 * Kernels the wasm backend lacks but VAE training needs. Compared with the cpu backend, tfjs-backend-wasm 4.22 has
 * no Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter/Input, UnsortedSegmentSum, Einsum, FFT/complex,
 * ragged or string-regex kernels; of those only Conv2DBackpropFilter is reached by the VAE's gradient (conv2d and
 * conv2dTranspose both need it).
 */
const WASM_KERNELS: readonly KernelConfig[] = [conv2dBackpropFilterWasmConfig];

/**
 * Registers the missing wasm kernels with the global tfjs kernel registry. Idempotent, and it leaves alone any
 * kernel the wasm package already provides (a future version may ship its own). Call it before the first
 * gradient on the wasm backend; registering after the backend is initialised is fine (no setup function needed).
 */
export function registerWasmKernels(): void {
  for (const config of WASM_KERNELS) {
    if (getKernel(config.kernelName, config.backendName) === undefined) registerKernel(config);
  }
}
