/**
 * The shipped feature network (assets/features/, engine/quality/features.ts) against nsfwjs's MobileNetV2 as
 * tfjs-layers runs it. fixtures/mobilenetv2-reference.json holds three fixed images (their bytes) and their 384-d
 * features from that reference, made by
 *   cd /tmp/featprobe && node <repo>/scripts/feature-reference.mjs <repo>/test/engine/quality/fixtures/mobilenetv2-reference.json
 * (tfjs-layers 4.22 on the cpu backend, the layers unfolded: BatchNormalization, ReLU6, ZeroPadding2D and the
 * gray→RGB tile all run as such).
 */
import { readFileSync } from 'node:fs';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { registerWasmKernels } from '../../../src-main/engine/kernels/index.js';
import { readFeatureAsset } from '../../../src-main/engine/node/featureNetwork.js';
import { createFeatureNetwork, type FeatureNetwork } from '../../../src-main/engine/quality/features.js';
import type { ImageBatch } from '../../../src-main/engine/types.js';
import { relativeError, useBackend } from '../kernels/kernelTestData.js';
import { expectStopsBetweenBatches, randomImages } from './helpers.js';

interface ReferenceImage {
  name: string;
  size: number;
  channels: 1 | 3;
  pixels: number[];
  features: number[];
}
const reference = JSON.parse(
  readFileSync(new URL('./fixtures/mobilenetv2-reference.json', import.meta.url), 'utf8'),
) as { images: ReferenceImage[] };

const asBatch = (im: ReferenceImage): ImageBatch => ({
  pixels: Uint8Array.from(im.pixels),
  count: 1,
  size: im.size,
  channels: im.channels,
});

/** The gray images of `batch` with each pixel written to all 3 channels. */
function toRgb(batch: ImageBatch): ImageBatch {
  const pixels = new Uint8Array(batch.pixels.length * 3);
  for (let i = 0; i < batch.pixels.length; i++) pixels.fill(batch.pixels[i]!, 3 * i, 3 * i + 3);
  return { ...batch, pixels, channels: 3 };
}

const row = (values: Float32Array, dim: number, i: number): Float32Array =>
  values.slice(i * dim, (i + 1) * dim);

describe('feature network (nsfwjs MobileNetV2, block_10_expand_relu)', () => {
  let asset: Awaited<ReturnType<typeof readFeatureAsset>>;
  let cpu: FeatureNetwork;
  let wasm: FeatureNetwork;

  beforeAll(async () => {
    asset = await readFeatureAsset();
    await useBackend('cpu');
    cpu = createFeatureNetwork(asset.topology, asset.weights);
    await useBackend('wasm');
    registerWasmKernels();
    wasm = createFeatureNetwork(asset.topology, asset.weights);
  });
  afterAll(() => {
    cpu.dispose();
    wasm.dispose();
  });

  it('says what its features are: 384-d, 96×96 input, not FID-comparable', () => {
    expect(wasm.dim).toBe(384);
    expect(wasm.inputSize).toBe(96);
    expect(wasm.name).toBe(
      'nsfwjs MobileNetV2 (ImageNet weights, 8-bit), block_10_expand_relu, global average pool, 384-d; ' +
        '96×96 bilinear, [-1, 1]; not Inception/FID-comparable',
    );
    expect(asset.weights.length).toBe(259_616);
  });

  it('reproduces the tfjs-layers reference on the cpu and wasm backends within 1e-5 relative', async () => {
    const errors: Record<string, number[]> = { cpu: [], wasm: [] };
    for (const [backend, net] of [
      ['cpu', cpu],
      ['wasm', wasm],
    ] as const) {
      await useBackend(backend);
      for (const im of reference.images) {
        const set = await net.extract(asBatch(im));
        expect(set.count).toBe(1);
        expect(set.dim).toBe(384);
        errors[backend]!.push(relativeError(set.values, Float32Array.from(im.features)));
      }
    }
    console.log('max |ours − reference| / max |reference| per image', errors);
    // Measured ≤ 1.7e-6 (the fixture keeps 7 significant digits); the issue asked for 1e-3.
    for (const e of [...errors.cpu!, ...errors.wasm!]) expect(e).toBeLessThan(1e-5);
  });

  it('gives the same features on wasm (XNNPACK and the project kernels) as on cpu (tfjs kernels) within 1e-4', async () => {
    const images = randomImages(6, 28, 1, 11);
    await useBackend('cpu');
    const onCpu = await cpu.extract(images);
    await useBackend('wasm');
    const onWasm = await wasm.extract(images);
    const error = relativeError(onWasm.values, onCpu.values);
    console.log('wasm vs cpu, 6 gray 28×28:', error);
    expect(error).toBeLessThan(1e-4);
  });

  it('treats a gray image like the same image replicated to RGB', async () => {
    await useBackend('wasm');
    const gray = randomImages(4, 28, 1, 12);
    const fromGray = await wasm.extract(gray);
    const fromRgb = await wasm.extract(toRgb(gray));
    expect(relativeError(fromGray.values, fromRgb.values)).toBeLessThan(1e-5);
  });

  it('gives each image the same row whatever batch it is in, and reports progress per batch', async () => {
    await useBackend('wasm');
    const images = randomImages(5, 32, 3, 13);
    const progress: number[] = [];
    const inTwos = await wasm.extract(images, { batchSize: 2, onProgress: (p) => progress.push(p.images) });
    const all = await wasm.extract(images);
    expect(progress).toEqual([2, 4, 5]);
    expect(inTwos.count).toBe(5);
    expect(inTwos.values.length).toBe(5 * 384);
    expect(relativeError(inTwos.values, all.values)).toBeLessThan(1e-6);
    const third = await wasm.extract({
      ...images,
      pixels: images.pixels.subarray(2 * 32 * 32 * 3, 3 * 32 * 32 * 3),
      count: 1,
    });
    expect(relativeError(third.values, row(all.values, 384, 2))).toBeLessThan(1e-6);
  });

  it('stops between batches when its signal aborts', async () => {
    await useBackend('wasm');
    await expectStopsBetweenBatches(wasm);
  });

  // Speed belongs to `npm run bench`; here, many batches of the real network on wasm give whole, finite rows.
  it('extracts 100 gray 28×28 images on wasm in batches, every feature finite', async () => {
    await useBackend('wasm');
    const set = await wasm.extract(randomImages(100, 28, 1, 15));
    expect([set.count, set.dim, set.values.length]).toEqual([100, 384, 38_400]);
    expect(set.values.every(Number.isFinite)).toBe(true);
  });
});
