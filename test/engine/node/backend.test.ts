import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  BACKEND_ENV_VAR,
  describeNativeLoadError,
  resolveBackend,
  WASM_THREADS_ENV_VAR,
} from '../../../src-main/engine/node/backend.js';
import { findDawnAdapter } from '../../../src-main/engine/node/dawn.js';
import { UserError } from '../../../src-main/util/errors.js';

const requireHere = createRequire(import.meta.url);

function installed(name: string): boolean {
  try {
    requireHere.resolve(name);
    return true;
  } catch {
    return false;
  }
}

// The build machines cannot install the native packages (their install downloads libtensorflow); a developer
// machine may have them, and then 'auto' rightly picks them.
const nativeInstalled = installed('@tensorflow/tfjs-node-gpu') || installed('@tensorflow/tfjs-node');
// Likewise a machine whose GPU Dawn can drive: 'auto' then picks webgpu.
const probe = await findDawnAdapter({ isolated: true });
const gpuInstalled = nativeInstalled || (probe.ok && probe.adapter.hardware);

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

// The default thread count ('auto') is what these tests expect.
beforeAll(() => {
  delete process.env[WASM_THREADS_ENV_VAR];
});

afterEach(() => {
  delete process.env[BACKEND_ENV_VAR];
  delete process.env[WASM_THREADS_ENV_VAR];
});

describe('resolveBackend', () => {
  // First: a resolution is cached, and only the first one for a preference reads the thread count.
  it(`rejects a ${WASM_THREADS_ENV_VAR} that is no thread count with BACKEND_INVALID, before trying anything`, async () => {
    for (const bad of ['two', '0', '-1', '1.5']) {
      process.env[WASM_THREADS_ENV_VAR] = bad;
      const err = await rejection(resolveBackend('wasm'));
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).code).toBe('BACKEND_INVALID');
      expect((err as UserError).message).toBe(
        `${WASM_THREADS_ENV_VAR}=${bad} is not a thread count; use 'auto' or a whole number (1 forces the single-threaded build)`,
      );
    }
    const err = await rejection(resolveBackend('wasm', { wasmThreads: 0 }));
    expect((err as UserError).code).toBe('BACKEND_INVALID');
    // Not tf.findBackend('wasm'): that starts the package's single-threaded build, which 'auto' would then find.
    expect(tf.engine().registry.wasm).toBeUndefined();
  });

  it.skipIf(gpuInstalled)(
    "'auto' picks wasm here and says why the native packages and webgpu were skipped",
    async () => {
      const choice = await resolveBackend('auto');
      expect(choice.backend).toBe('wasm');
      expect(tf.getBackend()).toBe('wasm');
      expect(choice.device).toBe('cpu');
      expect(choice.package).toBe('@tensorflow/tfjs-backend-wasm');
      expect(choice.threads).toBeGreaterThanOrEqual(1);
      expect(choice.attempts.map((a) => [a.backend, a.ok])).toEqual([
        ['@tensorflow/tfjs-node-gpu', false],
        ['@tensorflow/tfjs-node', false],
        ['webgpu', false],
        ['wasm', true],
      ]);
      const [gpu, node] = choice.attempts;
      expect(gpu?.detail).toMatch(
        /not installed.*npm install @tensorflow\/tfjs-node-gpu.*CUDA 11\.2 \+ cuDNN 8\.1/,
      );
      expect(node?.detail).toMatch(/not installed.*npm install @tensorflow\/tfjs-node\b/);
      // Node gets the threaded SIMD build on every core (at most 8), and the reason says so.
      const cores = availableParallelism();
      if (cores >= 2) {
        expect(choice.threads).toBe(Math.min(cores, 8));
        expect(choice.reason).toMatch(
          cores > 8
            ? /^wasm: XNNPACK threaded SIMD build, 8 threads, the build's most, for \d+ cores \(/
            : new RegExp(`^wasm: XNNPACK threaded SIMD build, ${cores} threads, one per core \\(`),
        );
      } else {
        expect(choice.threads).toBe(1);
        expect(choice.reason).toMatch(/^wasm: XNNPACK SIMD build, 1 thread: this process has 1 core \(/);
      }
      expect(choice.reason).toContain('@tensorflow/tfjs-node-gpu: package not installed');
      // Training on wasm needs the kernel this resolution registers.
      expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    },
  );

  it.skipIf(gpuInstalled)("'wasm' after 'auto' describes the backend 'auto' started", async () => {
    const auto = await resolveBackend('auto');
    const wasm = await resolveBackend('wasm');
    expect(wasm.threads).toBe(auto.threads);
    expect(auto.reason.startsWith(wasm.reason)).toBe(true);
  });

  it("'cpu' picks cpu", async () => {
    const choice = await resolveBackend('cpu');
    expect(choice).toMatchObject({ backend: 'cpu', device: 'cpu', package: '@tensorflow/tfjs-backend-cpu' });
    expect(choice.attempts).toEqual([
      { backend: 'cpu', ok: true, detail: expect.stringContaining('JavaScript') as unknown },
    ]);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('answers a repeat call from its cache and re-activates the cached backend', async () => {
    const first = await resolveBackend('wasm');
    await resolveBackend('cpu');
    expect(tf.getBackend()).toBe('cpu');
    const start = performance.now();
    const again = await resolveBackend('wasm');
    expect(performance.now() - start).toBeLessThan(100);
    expect(again).toEqual(first);
    expect(again).not.toBe(first); // a copy: callers cannot corrupt the cache
    expect(tf.getBackend()).toBe('wasm');
  });

  it.skipIf(nativeInstalled)(
    "'tensorflow' fails with BACKEND_UNAVAILABLE naming each package and why",
    async () => {
      const err = await rejection(resolveBackend('tensorflow'));
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).code).toBe('BACKEND_UNAVAILABLE');
      const message = (err as UserError).message;
      expect(message).toMatch(
        /@tensorflow\/tfjs-node-gpu: package not installed: .*CUDA 11\.2 \+ cuDNN 8\.1/,
      );
      expect(message).toMatch(/@tensorflow\/tfjs-node: package not installed/);
      // Asking again gives the same answer without trying again.
      expect(await rejection(resolveBackend('tensorflow'))).toBe(err);
    },
  );

  it(`lets ${BACKEND_ENV_VAR} override 'auto' only`, async () => {
    process.env[BACKEND_ENV_VAR] = 'CPU';
    const choice = await resolveBackend();
    expect(choice.backend).toBe('cpu');
    expect(choice.reason).toMatch(new RegExp(`^${BACKEND_ENV_VAR}=cpu overrides 'auto'; cpu: `));
    expect((await resolveBackend('wasm')).backend).toBe('wasm');
  });

  it(`rejects an unknown ${BACKEND_ENV_VAR} with BACKEND_INVALID`, async () => {
    process.env[BACKEND_ENV_VAR] = 'webgl';
    const err = await rejection(resolveBackend('auto'));
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).code).toBe('BACKEND_INVALID');
    expect((err as UserError).message).toContain('auto, tensorflow, webgpu, wasm, cpu');
  });
});

describe('describeNativeLoadError', () => {
  const gpu = '@tensorflow/tfjs-node-gpu';

  it('names missing CUDA libraries and the versions needed', () => {
    const err = new Error('libcudart.so.11.0: cannot open shared object file: No such file or directory');
    expect(describeNativeLoadError(gpu, err)).toBe(
      `installed but CUDA libraries are missing (libcudart.so.11.0): ${gpu} needs CUDA 11.2 + cuDNN 8.1 on the library path`,
    );
  });

  it('explains a missing native addon (install script blocked)', () => {
    const err = new Error(`Cannot find module '/x/node_modules/${gpu}/lib/napi-v8/tfjs_binding.node'`);
    expect(describeNativeLoadError(gpu, err)).toMatch(
      /native addon is missing.*npm rebuild @tensorflow\/tfjs-node-gpu$/,
    );
  });

  it('explains a missing libtensorflow, a missing dependency and anything else', () => {
    expect(
      describeNativeLoadError(gpu, new Error('libtensorflow.so.2: cannot open shared object file')),
    ).toMatch(/libtensorflow could not be loaded/);
    expect(
      describeNativeLoadError(gpu, new Error("Cannot find module '@tensorflow/tfjs'\nRequire stack:")),
    ).toBe(`installed but its dependency @tensorflow/tfjs is missing: reinstall ${gpu}`);
    expect(describeNativeLoadError(gpu, new Error('boom\nstack'))).toBe('installed but failed to load: boom');
  });
});
