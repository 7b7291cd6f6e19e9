import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerVaeGradients } from '../../../src-main/engine/gradients.js';
import { registerWasmKernels } from '../../../src-main/engine/kernels/index.js';
import { isFastBatchMatMul } from '../../../src-main/engine/kernels/wasm/batchMatMul.js';
import { randomValues, relativeError, size } from './kernelTestData.js';

/** One matMul: a and b as stored (already in transposed layout where the flag says so). */
interface Case {
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
}

async function product(backend: 'cpu' | 'wasm', c: Case, seed: number): Promise<Float32Array> {
  expect(await tf.setBackend(backend)).toBe(true);
  const a = tf.tensor(randomValues(size(c.a), seed), c.a);
  const b = tf.tensor(randomValues(size(c.b), seed + 1), c.b);
  const out = tf.matMul(a, b, c.transposeA, c.transposeB);
  const values = (await out.data()) as Float32Array;
  tf.dispose([a, b, out]);
  return values;
}

/** Shapes of every flag combination: the VAE's dense gradients, odd sizes, 1-wide, batched and broadcast. */
function cases(): Case[] {
  const out: Case[] = [];
  const dims: [number, number, number][] = [
    [64, 4096, 64], // std64 encoder dense: [N, flat]·[flat, 2L]
    [64, 32, 4096], // std64 decoder dense
    [7, 13, 5],
    [1, 9, 3],
    [5, 1, 11],
    [3, 17, 1],
  ];
  for (const [m, k, n] of dims) {
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) {
        out.push({
          a: transposeA ? [k, m] : [m, k],
          b: transposeB ? [n, k] : [k, n],
          transposeA,
          transposeB,
        });
      }
    }
  }
  // Batched: rank 3 on both sides, and a batch of 1 broadcast against 4.
  out.push({ a: [3, 6, 5], b: [3, 4, 5], transposeA: false, transposeB: true });
  out.push({ a: [3, 5, 6], b: [3, 5, 4], transposeA: true, transposeB: false });
  out.push({ a: [2, 5, 6], b: [2, 4, 5], transposeA: true, transposeB: true });
  out.push({ a: [1, 5, 6], b: [4, 5, 3], transposeA: true, transposeB: false });
  out.push({ a: [4, 6, 5], b: [1, 3, 5], transposeA: false, transposeB: true });
  return out;
}

describe('wasm BatchMatMul with transposes made explicit', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    registerWasmKernels();
    registerVaeGradients();
  });

  it('is the registered wasm kernel, and registering again keeps it', () => {
    expect(isFastBatchMatMul(tf.getKernel('BatchMatMul', 'wasm'))).toBe(true);
    registerWasmKernels();
    expect(isFastBatchMatMul(tf.getKernel('BatchMatMul', 'wasm'))).toBe(true);
  });

  it.each(
    cases().map(
      (c, i) =>
        [
          `${i}: a[${c.a.join(',')}]${c.transposeA ? 'ᵀ' : ''} · b[${c.b.join(',')}]${c.transposeB ? 'ᵀ' : ''}`,
          c,
          i,
        ] as const,
    ),
  )('agrees with cpu: %s', async (_name, c, i) => {
    const ref = await product('cpu', c, 100 + 2 * i);
    const got = await product('wasm', c, 100 + 2 * i);
    expect(relativeError(got, ref)).toBeLessThan(1e-4);
  });

  it('gives the dense layer gradients cpu gives (the VAE use)', async () => {
    const grads = async (backend: 'cpu' | 'wasm'): Promise<Float32Array[]> => {
      expect(await tf.setBackend(backend)).toBe(true);
      const x = tf.tensor(randomValues(16 * 40, 7), [16, 40]);
      const w = tf.tensor(randomValues(40 * 6, 8), [40, 6]);
      const g = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.square(tf.matMul(xx, ww))));
      const [dx, dw] = g([x, w]);
      const out = [(await dx!.data()) as Float32Array, (await dw!.data()) as Float32Array];
      tf.dispose([x, w, dx!, dw!]);
      return out;
    };
    const ref = await grads('cpu');
    const got = await grads('wasm');
    expect(relativeError(got[0]!, ref[0]!)).toBeLessThan(1e-4);
    expect(relativeError(got[1]!, ref[1]!)).toBeLessThan(1e-4);
  });

  it('frees its temporary transposes', async () => {
    await tf.setBackend('wasm');
    const a = tf.tensor(randomValues(40, 1), [8, 5]);
    const b = tf.tensor(randomValues(24, 2), [3, 8]);
    tf.matMul(a, b, true, true).dispose();
    const before = tf.memory().numBytes;
    const backendBytes = (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
    tf.matMul(a, b, true, true).dispose();
    expect(tf.memory().numBytes).toBe(before);
    expect((tf.backend() as unknown as { numDataIds(): number }).numDataIds()).toBe(backendBytes);
    tf.dispose([a, b]);
  });
});
