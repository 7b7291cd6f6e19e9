import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src-main/engine/config.js';
import { VaeModel } from '../../src-main/engine/model.js';
import { hashSeed, normals, Rng, shuffle } from '../../src-main/engine/rng.js';
import {
  decodeLatents,
  encodeImages,
  evaluateNegElbo,
  interpolateLatents,
  latentSeed,
  reconstructImages,
  sampleLatents,
  tileImages,
} from '../../src-main/engine/sampler.js';
import type { ImageBatch, VaeConfig } from '../../src-main/engine/types.js';

const config: VaeConfig = { ...defaultConfig(16, 3), width: 4, latentDim: 4 };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const norm = (v: Float32Array): number => Math.hypot(...v);

describe('rng', () => {
  it('is seeded, order-sensitive and roughly standard normal', () => {
    expect(hashSeed(1, 2)).toBe(hashSeed(1, 2));
    expect(hashSeed(1, 2)).not.toBe(hashSeed(2, 1));
    expect(new Rng(3).nextUint32()).toBe(new Rng(3).nextUint32());
    const z = normals(20000, 9);
    const mean = z.reduce((a, b) => a + b, 0) / z.length;
    const variance = z.reduce((a, b) => a + (b - mean) ** 2, 0) / z.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    const p = shuffle(50, 4);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(shuffle(50, 4)).toEqual(p);
    expect(shuffle(50, 5)).not.toEqual(p);
  });
});

describe('sampling', () => {
  it('z of image i depends only on (seed, index, temperature)', () => {
    const all = sampleLatents(6, 4, 42, 1);
    expect(sampleLatents(6, 4, 42, 1)).toEqual(all);
    expect(sampleLatents(3, 4, 42, 1, 3)).toEqual(all.slice(3)); // batching does not change image 3..5
    expect(sampleLatents(1, 4, 43, 1)[0]).not.toEqual(all[0]);
    expect(all[2]).toEqual(normals(4, latentSeed(42, 2)));
    const hot = sampleLatents(6, 4, 42, 0.5);
    hot.forEach((z, i) => z.forEach((v, d) => expect(v).toBeCloseTo(0.5 * all[i]![d]!, 6)));
  });

  it('decodes the same z to the same uint8 images, batch size irrelevant', async () => {
    const model = VaeModel.create(config, 1);
    const z = sampleLatents(5, 4, 7, 1);
    const a = await decodeLatents(model, z, 2);
    const b = await decodeLatents(model, z, 5);
    expect(a).toMatchObject({ count: 5, size: 16, channels: 3 });
    expect(a.pixels).toHaveLength(5 * 16 * 16 * 3);
    expect(a.pixels).toEqual(b.pixels);
    // pixel = round(255·sigmoid(logit)) for the first pixel of image 0.
    const logit = tf.tidy(() => model.decodeLogits(tf.tensor2d(z[0]!, [1, 4])).dataSync()[0]!);
    expect(a.pixels[0]).toBe(Math.round(255 / (1 + Math.exp(-logit))));
    model.dispose();
  });

  it('encodes, reconstructs and evaluates without leaking tensors', async () => {
    const model = VaeModel.create(config, 1);
    const images: ImageBatch = {
      pixels: Uint8Array.from({ length: 3 * 768 }, (_, i) => (i * 37) % 256),
      count: 3,
      size: 16,
      channels: 3,
    };
    const before = tf.memory().numTensors;
    const { mu, sigma } = await encodeImages(model, images, 2);
    expect(mu).toHaveLength(3);
    expect(mu[0]).toHaveLength(4);
    sigma.forEach((s) => s.forEach((v) => expect(v).toBeGreaterThan(0)));
    const rec = await reconstructImages(model, images, 2);
    expect(rec.pixels).toEqual((await decodeLatents(model, mu, 3)).pixels); // reconstruction decodes μ
    const e1 = await evaluateNegElbo(model, images, 2, 5);
    expect(await evaluateNegElbo(model, images, 2, 5)).toEqual(e1);
    expect(e1.negElbo).toBeCloseTo(e1.reconstruction + e1.kl, 6);
    expect(e1.bitsPerDim).toBeCloseTo(e1.negElbo / (768 * Math.LN2), 9);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

describe('interpolateLatents', () => {
  const a = Float32Array.from([1, 0, 2, -1]);
  const b = Float32Array.from([0, 2, -1, 1]);

  it('starts and ends exactly at a and b', () => {
    for (const mode of ['lerp', 'slerp'] as const) {
      const f = interpolateLatents(a, b, 5, mode);
      expect(f).toHaveLength(5);
      expect(f[0]).toEqual(a);
      expect(f[4]).toEqual(b);
      expect(f[0]).not.toBe(a); // copies, not the caller's arrays
    }
    const mid = interpolateLatents(a, b, 3, 'lerp')[1]!;
    expect(Array.from(mid)).toEqual([0.5, 1, 0.5, 0]);
  });

  it('slerp keeps the norm of equal-norm endpoints; lerp does not', () => {
    expect(norm(a)).toBeCloseTo(norm(b), 6);
    interpolateLatents(a, b, 7, 'slerp').forEach((z) => expect(norm(z)).toBeCloseTo(norm(a), 5));
    expect(norm(interpolateLatents(a, b, 3, 'lerp')[1]!)).toBeLessThan(norm(a) - 0.5);
  });

  it('slerp falls back to lerp for parallel vectors', () => {
    const c = Float32Array.from([2, 0, 4, -2]);
    expect(interpolateLatents(a, c, 4, 'slerp')).toEqual(interpolateLatents(a, c, 4, 'lerp'));
  });
});

describe('tileImages', () => {
  it('places images row-major with background gaps', () => {
    // Five 2×2 grayscale images, image k filled with value 10·(k+1); 3 columns, gap 1, background 255.
    const batch: ImageBatch = {
      pixels: Uint8Array.from({ length: 20 }, (_, i) => 10 * (Math.floor(i / 4) + 1)),
      count: 5,
      size: 2,
      channels: 1,
    };
    const t = tileImages(batch, 3, 1);
    expect(t).toMatchObject({ width: 3 * 2 + 2, height: 2 * 2 + 1, channels: 1 });
    const at = (x: number, y: number): number => t.pixels[y * t.width + x]!;
    expect([at(0, 0), at(1, 1), at(2, 0), at(3, 0), at(4, 1), at(5, 0), at(6, 0)]).toEqual([
      10, 10, 255, 20, 20, 255, 30,
    ]);
    expect(at(0, 2)).toBe(255); // gap row
    expect([at(0, 3), at(3, 4), at(6, 3)]).toEqual([40, 50, 255]); // second row; sixth cell is empty
  });

  it('keeps RGB channels interleaved', () => {
    const batch: ImageBatch = {
      pixels: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
      count: 1,
      size: 2,
      channels: 3,
    };
    const t = tileImages(batch, 4);
    expect(t).toMatchObject({ width: 2, height: 2, channels: 3 });
    expect(t.pixels).toEqual(batch.pixels);
  });

  it('with a transparent background, adds alpha: 0 in the gaps and empty cells, 255 over the images', () => {
    // Three 2×2 grayscale images valued 10, 20, 30; 2 columns, gap 1: the fourth cell is empty.
    const batch: ImageBatch = {
      pixels: Uint8Array.from({ length: 12 }, (_, i) => 10 * (Math.floor(i / 4) + 1)),
      count: 3,
      size: 2,
      channels: 1,
    };
    const t = tileImages(batch, 2, 1, 'transparent');
    expect(t).toMatchObject({ width: 5, height: 5, channels: 2 });
    const at = (x: number, y: number): [number, number] => [
      t.pixels[(y * t.width + x) * 2]!,
      t.pixels[(y * t.width + x) * 2 + 1]!,
    ];
    expect([at(0, 0), at(1, 1), at(3, 0), at(0, 4)]).toEqual([
      [10, 255],
      [10, 255],
      [20, 255],
      [30, 255],
    ]);
    expect(at(2, 0)[1]).toBe(0); // gap column
    expect(at(0, 2)[1]).toBe(0); // gap row
    expect(at(4, 4)[1]).toBe(0); // the empty fourth cell
    // RGB gains a fourth channel the same way.
    const rgb = tileImages(
      { pixels: new Uint8Array(12).fill(7), count: 1, size: 2, channels: 3 },
      1,
      2,
      'transparent',
    );
    expect(rgb.channels).toBe(4);
    expect(Array.from(rgb.pixels.subarray(0, 4))).toEqual([7, 7, 7, 255]);
  });
});
