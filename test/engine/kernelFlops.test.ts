import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { kernelFlops } from '../../src-main/engine/kernelFlops.js';
import { referenceConfig, trainingFlopsPerImage } from '../../src-main/engine/config.js';
import { VaeModel } from '../../src-main/engine/model.js';
import { profileTraining } from '../../src-main/engine/trainer.js';
import { useBackend } from './kernels/kernelTestData.js';

// x [2, 8, 8, 3] * W [4, 4, 3, 5] → y [2, 4, 4, 5]: 2·4·4·5 outputs of 4·4·3 products each.
const CONV = 2 * (2 * 4 * 4 * 5) * (4 * 4 * 3);
const x = [2, 8, 8, 3];
const w = [4, 4, 3, 5];
const y = [2, 4, 4, 5];
/** Kernel, its input shapes, its output shape, the FLOPs it does. */
const cases: [string, number[][], number[], number][] = [
  ['Conv2D', [x, w], y, CONV],
  ['FusedConv2D', [x, w, [5]], y, CONV],
  ['Conv2DBackpropInput', [y, w], x, CONV],
  ['Conv2DBackpropFilter', [x, y], w, CONV],
  // [1, 6, 7] × [1, 7, 9], and a batch of 3 with a transposed: B·M·N·K multiply-adds.
  [
    'BatchMatMul',
    [
      [1, 6, 7],
      [1, 7, 9],
    ],
    [1, 6, 9],
    2 * 6 * 9 * 7,
  ],
  [
    'BatchMatMul',
    [
      [3, 7, 6],
      [3, 7, 9],
    ],
    [3, 6, 9],
    2 * 3 * 6 * 9 * 7,
  ],
  ['Relu', [y], y, 0],
];

describe('kernelFlops', () => {
  it.each(cases)('counts %s from its shapes', (name, inputs, output, flops) => {
    expect(kernelFlops(name, inputs, [output])).toBe(flops);
  });
});

describe('profileTraining', () => {
  beforeAll(() => useBackend('cpu'));

  it("finds a training step's products where the layer plan says they are", async () => {
    const config = { ...referenceConfig('std28'), width: 2, latentDim: 2 };
    const model = VaeModel.create(config, 0);
    const batch = 2;
    const { calls, wallMs } = await profileTraining(model, {
      batchSize: batch,
      steps: 1,
      warmup: 0,
      seed: 0,
    });
    model.dispose();
    expect(wallMs).toBeGreaterThan(0);
    const flops = calls.reduce((a, c) => a + kernelFlops(c.name, c.inputShapes, c.outputShapes), 0);
    // The forward products, the input gradients and the filter gradients: 3× the forward pass, less the input
    // gradient of the first layer, which nothing needs (so between 2× and 3×); tfjs's kernels are counted as run.
    const planned = trainingFlopsPerImage(config) * batch;
    expect(flops).toBeGreaterThan((2 / 3) * planned);
    expect(flops).toBeLessThanOrEqual(planned * 1.01);
    expect(calls.some((c) => c.name === 'Conv2DBackpropFilter')).toBe(true);
    tf.disposeVariables();
  });
});
