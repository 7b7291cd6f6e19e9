/**
 * The quality report's feature network on ONNX Runtime (engine/node/onnxFeatureNetwork.ts, the graph of
 * engine/onnx/featureGraph.ts): the tfjs-layers reference features, the wasm path's features on other sizes and
 * channel counts, batching, progress and cancellation; and the fall-back to tfjs when it is turned off.
 */
import { readFileSync } from 'node:fs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { registerWasmKernels } from '../../../src-main/engine/kernels/index.js';
import { loadFeatureNetwork, readFeatureAsset } from '../../../src-main/engine/node/featureNetwork.js';
import { onnxRuntime, ONNX_ENV_VAR } from '../../../src-main/engine/node/onnxRuntime.js';
import { createFeatureNetwork, type FeatureNetwork } from '../../../src-main/engine/quality/features.js';
import { relativeError, useBackend } from '../kernels/kernelTestData.js';
import { expectStopsBetweenBatches, randomImages } from '../quality/helpers.js';

interface ReferenceImage {
  size: number;
  channels: 1 | 3;
  pixels: number[];
  features: number[];
}
const reference = JSON.parse(
  readFileSync(new URL('../quality/fixtures/mobilenetv2-reference.json', import.meta.url), 'utf8'),
) as { images: ReferenceImage[] };

describe('feature network on ONNX Runtime', () => {
  let native: FeatureNetwork;
  let wasm: FeatureNetwork;

  beforeAll(async () => {
    const available = await onnxRuntime();
    // onnxruntime-node is an optional dependency whose package carries the CPU binaries of every platform CI runs.
    expect(available, available.ok ? '' : available.reason).toMatchObject({ ok: true });
    await useBackend('wasm');
    registerWasmKernels();
    native = await loadFeatureNetwork();
    const asset = await readFeatureAsset();
    wasm = createFeatureNetwork(asset.topology, asset.weights);
  });
  afterAll(() => {
    native.dispose();
    wasm.dispose();
  });

  it('is the same network, run natively', () => {
    expect(native.name).toBe(wasm.name);
    expect(native.dim).toBe(384);
    expect(native.inputSize).toBe(96);
    expect(native.runtime).toMatch(/^ONNX Runtime 1\.\d+\.\d+, \d+ threads?$/);
    expect(wasm.runtime).toBe('tfjs wasm');
  });

  it('reproduces the tfjs-layers reference within 1e-5 relative', async () => {
    for (const im of reference.images) {
      const set = await native.extract({
        pixels: Uint8Array.from(im.pixels),
        count: 1,
        size: im.size,
        channels: im.channels,
      });
      expect(relativeError(set.values, Float32Array.from(im.features))).toBeLessThan(1e-5);
    }
  });

  it('gives the wasm path’s features for grey and colour images of other sizes, across batches', async () => {
    for (const [size, channels] of [
      [28, 1],
      [32, 3],
      [64, 3],
      [16, 1],
    ] as const) {
      const images = randomImages(7, size, channels, size + channels);
      const progress: number[] = [];
      const ours = await native.extract(images, { batchSize: 3, onProgress: (p) => progress.push(p.images) });
      expect(progress).toEqual([3, 6, 7]);
      expect([ours.count, ours.dim, ours.values.length]).toEqual([7, 384, 7 * 384]);
      const theirs = await wasm.extract(images);
      expect(relativeError(ours.values, theirs.values), `${size}×${size}×${channels}`).toBeLessThan(1e-5);
    }
    expect((await native.extract({ ...randomImages(1, 28, 1, 0), count: 0 })).values.length).toBe(0);
  });

  it('stops between batches when its signal aborts', async () => {
    await expectStopsBetweenBatches(native);
  });

  it(`runs on tfjs when ${ONNX_ENV_VAR}=off, or when asked to`, async () => {
    await useBackend('wasm');
    expect((await loadFeatureNetwork({ runtime: 'tfjs' })).runtime).toBe('tfjs wasm');
    process.env[ONNX_ENV_VAR] = 'off';
    try {
      expect(await onnxRuntime()).toEqual({
        ok: false,
        reason: `${ONNX_ENV_VAR}=off turns ONNX Runtime off`,
      });
      expect((await loadFeatureNetwork()).runtime).toBe('tfjs wasm');
    } finally {
      delete process.env[ONNX_ENV_VAR];
    }
  });
});
