/**
 * test/engine/kernels/conv2dBackpropInput.test.ts again, on the threaded wasm build: the suite is imported after the 'wasm'
 * registration has been swapped for a 2-thread backend, so its own `tf.setBackend('wasm')` starts that one.
 */
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { afterAll, expect } from 'vitest';
import { installThreadedWasm } from '../../../src-main/engine/node/threadedWasm.js';

const installed = await installThreadedWasm(2);
expect(installed.threads).toBe(2);
await import('../kernels/conv2dBackpropInput.test.js');

afterAll(() => {
  // The suite really ran on two threads (the count is read back from XNNPACK when the backend starts).
  expect(getThreadsCount()).toBe(2);
});
