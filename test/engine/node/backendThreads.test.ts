/**
 * The threaded wasm build under Node (src-main/engine/node/threadedWasm.ts): it starts, reports its real thread
 * count, and trains to the same numbers as the package's single-threaded SIMD build. One process holds one wasm
 * module at a time, so this file first computes the single-threaded figures, then swaps in the threaded backend.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveBackend, WASM_THREADS_ENV_VAR } from '../../../src-main/engine/node/backend.js';
import { defaultConfig } from '../../../src-main/engine/config.js';
import { registerWasmKernels } from '../../../src-main/engine/kernels/index.js';
import { meanNegElbo } from '../../../src-main/engine/loss.js';
import { VaeModel } from '../../../src-main/engine/model.js';
import { benchmarkTraining } from '../../../src-main/engine/trainer.js';
import type { ImageBatch } from '../../../src-main/engine/types.js';
import { defaultWorkerFile, ThreadRunner } from '../../../src-main/worker/index.js';

delete process.env[WASM_THREADS_ENV_VAR];

interface Run {
  name: string;
  size: 28 | 64;
  channels: 1 | 3;
  batchSize: number;
  steps: number;
}

// std28 as `vae-studio bench` trains it, and std64 on smaller batches to keep the test short.
const RUNS: Run[] = [
  { name: 'std28', size: 28, channels: 1, batchSize: 64, steps: 3 },
  { name: 'std64', size: 64, channels: 3, batchSize: 16, steps: 2 },
];

interface Figures {
  /** −ELBO of fixed images after `steps` Adam steps from a fixed start. */
  loss: number;
  weights: Float32Array[];
}

function evalImages(size: number, channels: 1 | 3, count: number): ImageBatch {
  const pixels = new Uint8Array(count * size * size * channels);
  let a = 12345;
  for (let i = 0; i < pixels.length; i++) {
    a = (Math.imul(a, 1103515245) + 12345) >>> 0;
    pixels[i] = a >>> 24;
  }
  return { pixels, count, size, channels };
}

async function train(run: Run): Promise<Figures> {
  const model = VaeModel.create(defaultConfig(run.size, run.channels), 3);
  try {
    await benchmarkTraining(model, { batchSize: run.batchSize, steps: run.steps, warmup: 0, seed: 11 });
    const loss = (
      await meanNegElbo(model, evalImages(run.size, run.channels, run.batchSize), run.batchSize, 5)
    ).negElbo;
    return { loss, weights: model.getWeights().map((w) => w.values) };
  } finally {
    model.dispose();
  }
}

/** max |a − b| over max |b| across all weights. */
function weightError(a: Float32Array[], b: Float32Array[]): number {
  let diff = 0;
  let scale = 0;
  b.forEach((ref, k) => {
    const got = a[k]!;
    for (let i = 0; i < ref.length; i++) {
      diff = Math.max(diff, Math.abs(got[i]! - ref[i]!));
      scale = Math.max(scale, Math.abs(ref[i]!));
    }
  });
  return diff / scale;
}

const single = new Map<string, Figures>();

beforeAll(async () => {
  // The package's own 'wasm' (single-threaded SIMD) first, then put its factory back unstarted for the swap.
  const original = tf.findBackendFactory('wasm');
  registerWasmKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
  expect(getThreadsCount()).toBe(1);
  for (const run of RUNS) single.set(run.name, await train(run));
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', original, 2);
}, 300_000);

describe('the threaded wasm build', () => {
  it('starts with the threads asked for, says so, and leaves no temporary files', async () => {
    const choice = await resolveBackend('wasm', { wasmThreads: 2 });
    expect(choice.backend).toBe('wasm');
    expect(choice.threads).toBe(2);
    expect(getThreadsCount()).toBe(2);
    expect(choice.reason).toBe(
      'wasm: XNNPACK threaded SIMD build, 2 threads, as the wasmThreads option (2) asks',
    );
    expect(readdirSync(tmpdir()).filter((f) => f.startsWith('vae-studio-wasm-'))).toEqual([]);
    // The glue's global Worker is taken back.
    expect('Worker' in globalThis).toBe(false);
  });

  for (const run of RUNS) {
    it(`trains ${run.name} to the single-threaded loss within 1e-4`, async () => {
      await resolveBackend('wasm', { wasmThreads: 2 });
      const threaded = await train(run);
      const ref = single.get(run.name)!;
      // XNNPACK splits work by output tiles, so sums may be ordered differently: equal up to float rounding.
      expect(Math.abs(threaded.loss - ref.loss) / Math.abs(ref.loss)).toBeLessThan(1e-4);
      expect(weightError(threaded.weights, ref.weights)).toBeLessThan(1e-4);
    });
  }
});

// The compiled code: a job worker is a compiled file, and a child process needs compiled code to import.
const workerFile = defaultWorkerFile();
const built = existsSync(workerFile);
const builtBackend = join(workerFile, '..', '..', 'engine', 'node', 'backend.js');
const expectedThreads = Math.min(availableParallelism(), 8);

describe.skipIf(!built)('the threaded wasm build, compiled (npx tsc -p tsconfig.build.json)', () => {
  it('starts inside a worker_threads job worker, as training runs', async () => {
    const job = new ThreadRunner().start('backend-info', { preference: 'wasm' }, () => undefined);
    const choice = await job.result;
    expect(choice.backend).toBe('wasm');
    expect(choice.threads).toBe(expectedThreads);
  });

  it('lets a process end on its own once its work is done (the pool threads do not hold it)', async () => {
    const script = `
      const { resolveBackend } = await import(${JSON.stringify(pathToFileURL(builtBackend).href)});
      const choice = await resolveBackend('wasm');
      console.log(JSON.stringify({ threads: choice.threads }));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      timeout: 60_000,
      env: { ...process.env, [WASM_THREADS_ENV_VAR]: '' },
    });
    expect(JSON.parse(stdout.trim())).toEqual({ threads: expectedThreads });
  });
});
