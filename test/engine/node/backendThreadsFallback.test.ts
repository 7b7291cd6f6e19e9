/**
 * When the threaded wasm build cannot start, nothing is left behind and resolveBackend trains on the package's
 * single-threaded SIMD build, saying why. The failures are real ones: pthread workers whose script throws, or
 * that never report back.
 */
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it, vi } from 'vitest';
import { resolveBackend, WASM_THREADS_ENV_VAR } from '../../../src-main/engine/node/backend.js';
import { defaultConfig } from '../../../src-main/engine/config.js';
import { VaeModel } from '../../../src-main/engine/model.js';
import { benchmarkTraining } from '../../../src-main/engine/trainer.js';
import * as threaded from '../../../src-main/engine/node/threadedWasm.js';

vi.mock('../../../src-main/engine/node/threadedWasm.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../../src-main/engine/node/threadedWasm.js')>();
  return { ...actual, installThreadedWasm: vi.fn(actual.installThreadedWasm) };
});

delete process.env[WASM_THREADS_ENV_VAR];

/** A pthread worker script that throws as it starts. */
const CRASHING_WORKER = 'throw new Error("boom from a pthread worker");';
/** One that listens and never answers, so the module never becomes ready. */
const SILENT_WORKER = 'require("worker_threads").parentPort.on("message", () => {});';

function leftoverFolders(): string[] {
  return readdirSync(tmpdir()).filter((f) => f.startsWith('vae-studio-wasm-'));
}

describe('startThreadedWasm failing', () => {
  it('rejects, without ending the process, when a pthread worker crashes', async () => {
    const terminate = vi.spyOn(Worker.prototype, 'terminate');
    await expect(threaded.startThreadedWasm(2, { workerSource: CRASHING_WORKER })).rejects.toThrow(
      /a pthread worker (failed while loading: boom from a pthread worker|exited with code 1 while loading)/,
    );
    expect(leftoverFolders()).toEqual([]);
    expect('Worker' in globalThis).toBe(false);
    // The glue's pool is 8 workers; none may stay behind (a loading worker keeps the process alive).
    expect(terminate).toHaveBeenCalledTimes(8);
    terminate.mockRestore();
  });

  it('gives up after its timeout when the workers never load, and ends them', async () => {
    const terminate = vi.spyOn(Worker.prototype, 'terminate');
    await expect(
      threaded.startThreadedWasm(2, { workerSource: SILENT_WORKER, startTimeoutMs: 1000 }),
    ).rejects.toThrow('the module and its pthread workers did not start within 1 s');
    expect(leftoverFolders()).toEqual([]);
    expect(terminate).toHaveBeenCalledTimes(8);
    terminate.mockRestore();
  });

  it('refuses thread counts the build cannot run', async () => {
    await expect(threaded.startThreadedWasm(1)).rejects.toThrow(
      'the threaded build takes 2 to 8 threads, not 1',
    );
    await expect(threaded.startThreadedWasm(9)).rejects.toThrow(
      'the threaded build takes 2 to 8 threads, not 9',
    );
  });
});

describe('resolveBackend when the threaded build fails', () => {
  it('trains on the single-threaded SIMD build and says why', async () => {
    vi.mocked(threaded.installThreadedWasm).mockImplementationOnce((threads) =>
      vi
        .importActual<typeof threaded>('../../../src-main/engine/node/threadedWasm.js')
        .then((actual) => actual.installThreadedWasm(threads, { workerSource: CRASHING_WORKER })),
    );
    const choice = await resolveBackend('wasm', { wasmThreads: 2 });
    expect(choice.backend).toBe('wasm');
    expect(choice.threads).toBe(1);
    expect(getThreadsCount()).toBe(1);
    expect(choice.reason).toMatch(
      /^wasm: XNNPACK SIMD build, 1 thread: the threaded build \(2 threads\) could not be used \(a pthread worker (failed while loading: boom from a pthread worker|exited with code 1 while loading)\), so this is the single-threaded one$/,
    );
    const model = VaeModel.create(defaultConfig(28, 1), 0);
    try {
      const { msPerStep } = await benchmarkTraining(model, { batchSize: 8, steps: 1, warmup: 0, seed: 0 });
      expect(msPerStep).toBeGreaterThan(0);
    } finally {
      model.dispose();
    }
    expect(tf.getBackend()).toBe('wasm');
  });
});
