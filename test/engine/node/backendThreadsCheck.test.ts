/**
 * resolveBackend checks the threaded wasm build with one convolution before relying on it; a wrong answer puts
 * the package's single-threaded SIMD build back, ends the threaded module's workers and says why.
 */
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { expect, it, vi } from 'vitest';
import { resolveBackend, WASM_THREADS_ENV_VAR } from '../../../src-main/engine/node/backend.js';
import { checkConv2d } from '../../../src-main/engine/node/threadedWasm.js';

vi.mock('../../../src-main/engine/node/threadedWasm.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../../src-main/engine/node/threadedWasm.js')>();
  return { ...actual, checkConv2d: vi.fn(actual.checkConv2d) };
});

delete process.env[WASM_THREADS_ENV_VAR];

it('the check passes on the threaded build as it is', async () => {
  const actual = await vi.importActual<typeof import('../../../src-main/engine/node/threadedWasm.js')>(
    '../../../src-main/engine/node/threadedWasm.js',
  );
  const installed = await actual.installThreadedWasm(2);
  expect(await tf.setBackend('wasm')).toBe(true);
  expect(getThreadsCount()).toBe(2);
  expect(actual.checkConv2d()).toBeUndefined();
  installed.restore();
  expect(tf.findBackend('wasm')).toBeNull();
});

it('a failed check falls back to one thread and ends the threaded workers', async () => {
  vi.mocked(checkConv2d).mockReturnValueOnce('a check convolution was off by 1.00');
  const terminate = vi.spyOn(Worker.prototype, 'terminate');
  const choice = await resolveBackend('wasm', { wasmThreads: 2 });
  expect(choice.threads).toBe(1);
  expect(getThreadsCount()).toBe(1);
  expect(choice.reason).toBe(
    'wasm: XNNPACK SIMD build, 1 thread: the threaded build (2 threads) could not be used (failed its check: ' +
      'a check convolution was off by 1.00), so this is the single-threaded one',
  );
  expect(terminate).toHaveBeenCalledTimes(8);
  terminate.mockRestore();
  expect(tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0])).toBe(3);
});
