/**
 * A model's decoder on ONNX Runtime (engine/node/onnxDecoder.ts, the graph of engine/onnx/decoderGraph.ts) gives
 * the logits of `VaeModel.decodeLogits` on tfjs: unconditional and conditional, grey and colour, 28 px and powers
 * of two; and it refuses input of the wrong shape.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig, referenceConfig } from '../../../src-main/engine/config.js';
import type { VaeConfig } from '../../../src-main/engine/types.js';
import { registerWasmKernels } from '../../../src-main/engine/kernels/index.js';
import { VaeModel } from '../../../src-main/engine/model.js';
import { nativeDecoder } from '../../../src-main/engine/node/onnxDecoder.js';
import { Rng } from '../../../src-main/engine/rng.js';
import { importanceWeightedBound } from '../../../src-main/engine/likelihood.js';
import { relativeError, useBackend } from '../kernels/kernelTestData.js';

const configs: [string, VaeConfig][] = [
  ['std28 (28×28×1, latent 16)', referenceConfig('std28')],
  [
    '32×32×3, conditional on 3 classes',
    { ...defaultConfig(32, 3), width: 8, latentDim: 6, conditional: true, classes: ['a', 'b', 'c'] },
  ],
  ['64×64×3, width 8', { ...defaultConfig(64, 3), width: 8, latentDim: 5 }],
];

describe('decoder on ONNX Runtime', () => {
  beforeAll(async () => {
    await useBackend('wasm');
    registerWasmKernels();
  });

  for (const [what, config] of configs) {
    it(`gives tfjs's logits: ${what}`, async () => {
      const model = VaeModel.create(config, 3);
      const decoder = await nativeDecoder(model);
      expect(decoder).not.toBeNull();
      const n = 5;
      const rng = new Rng(9);
      const z = Float32Array.from({ length: n * config.latentDim }, () => rng.normal());
      const K = model.labelSize;
      // Soft labels too: a walk between classes decodes a blend.
      const y =
        K > 0
          ? Float32Array.from({ length: n * K }, (_, i) => (i % K === i % 2 ? 0.75 : 0.25 / (K - 1)))
          : undefined;
      const ours = await decoder!.decodeLogits(z, n, y);
      const theirs = tf.tidy(() =>
        model.decodeLogits(tf.tensor2d(z, [n, config.latentDim]), y ? tf.tensor2d(y, [n, K]) : undefined),
      );
      expect(theirs.shape).toEqual([n, config.imageSize, config.imageSize, config.channels]);
      const expected = (await theirs.data()) as Float32Array;
      theirs.dispose();
      expect(relativeError(ours, expected)).toBeLessThan(1e-5);
      expect(decoder!.runtime).toMatch(/^ONNX Runtime /);
      decoder!.dispose();
      model.dispose();
    });
  }

  it('refuses latents or labels of the wrong shape, saying which', async () => {
    const model = VaeModel.create(configs[1]![1], 1);
    const decoder = (await nativeDecoder(model))!;
    await expect(decoder.decodeLogits(new Float32Array(6 * 2 - 1), 2, new Float32Array(6))).rejects.toThrow(
      '11 latent values for 2 × 6',
    );
    await expect(decoder.decodeLogits(new Float32Array(12), 2)).rejects.toThrow(
      'the model needs [2, 3] class labels',
    );
    decoder.dispose();
    model.dispose();
  });

  it('gives the likelihood the same importance-weighted bound as tfjs', async () => {
    const config: VaeConfig = { ...configs[1]![1] };
    const model = VaeModel.create(config, 5);
    const decoder = (await nativeDecoder(model))!;
    const rng = new Rng(2);
    const count = 6;
    const images = {
      pixels: Uint8Array.from({ length: count * 32 * 32 * 3 }, () => rng.int(256)),
      count,
      size: 32,
      channels: 3 as const,
      labels: Uint16Array.from({ length: count }, (_, i) => i % 3),
    };
    const natively = await importanceWeightedBound(model, images, {
      k: 40,
      seed: 3,
      decodesPerBatch: 50,
      decoder,
    });
    const onTfjs = await importanceWeightedBound(model, images, { k: 40, seed: 3, decodesPerBatch: 50 });
    expect(Math.abs(natively.negLogLikelihood - onTfjs.negLogLikelihood)).toBeLessThan(1e-3);
    expect(natively.negLogLikelihood).toBeGreaterThan(100);
    decoder.dispose();
    model.dispose();
  });
});
