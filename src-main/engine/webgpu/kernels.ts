/**
 * Corrections to tfjs-backend-webgpu 4.22 kernels the VAE reaches. Browser-safe (tfjs-core only), so a page that
 * runs the engine on WebGPU can register them too, after importing the backend package.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Marks our BatchMatMul, so registering twice is a no-op. */
const FIXED = Symbol.for('vae-studio.webgpu.batchMatMulTransposeB');

type MarkedKernelFunc = tf.KernelFunc & { [FIXED]?: true };

/**
 * BatchMatMul with `transposeB` transposes B first. The package's split-K program (chosen for small outputs with
 * an inner dimension ≥ 2000, e.g. the decoder dense layer's input gradient dy·Wᵀ of std28 and std64) reads B
 * four values at a time along the wrong axis when `transposeB` is set: its vec4 test lacks the `!transposeB`
 * that the packed program has, and the result is silently wrong.
 */
function batchMatMulTransposingB(matMul: tf.KernelFunc, transpose: tf.KernelFunc): MarkedKernelFunc {
  const kernelFunc: MarkedKernelFunc = ({ inputs, backend, attrs }) => {
    const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
    if (!transposeB) return matMul({ inputs, backend, attrs });
    const { a, b } = inputs as unknown as { a: tf.TensorInfo; b: tf.TensorInfo };
    const rank = b.shape.length;
    const perm = [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];
    const bT = transpose({ inputs: { x: b }, backend, attrs: { perm } }) as tf.TensorInfo;
    try {
      return matMul({ inputs: { a, b: bT }, backend, attrs: { transposeA, transposeB: false } });
    } finally {
      // The backend keeps the buffer until the queued work that reads it has run.
      (backend as tf.KernelBackend).disposeData(bT.dataId);
    }
  };
  kernelFunc[FIXED] = true;
  return kernelFunc;
}

/**
 * Replaces the webgpu kernels that give wrong results for the VAE's shapes with corrected ones. Idempotent; does
 * nothing before @tensorflow/tfjs-backend-webgpu has registered its kernels.
 */
export function registerWebGpuKernelFixes(): void {
  const matMul = tf.getKernel(tf.BatchMatMul, 'webgpu');
  const transpose = tf.getKernel(tf.Transpose, 'webgpu');
  if (matMul === undefined || transpose === undefined) return;
  if ((matMul.kernelFunc as MarkedKernelFunc)[FIXED] === true) return;
  tf.unregisterKernel(tf.BatchMatMul, 'webgpu');
  tf.registerKernel({
    kernelName: tf.BatchMatMul,
    backendName: 'webgpu',
    kernelFunc: batchMatMulTransposingB(matMul.kernelFunc, transpose.kernelFunc),
  });
}
