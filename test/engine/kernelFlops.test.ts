import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { kernelFlops } from '../../src-main/engine/kernelFlops.js';
import { referenceConfig, trainingFlopsPerImage } from '../../src-main/engine/config.js';
import { VaeModel } from '../../src-main/engine/model.js';
import { profileTraining } from '../../src-main/engine/trainer.js';
import { useBackend } from './kernels/kernelTestData.js';

describe('kernelFlops', () => {
  it('counts a stride-2 4×4 conv, its two gradients and a matrix product from their shapes', () => {
    // x [2, 8, 8, 3] * W [4, 4, 3, 5] → y [2, 4, 4, 5]: 2·4·4·5 outputs of 4·4·3 products each.
    const conv = 2 * (2 * 4 * 4 * 5) * (4 * 4 * 3);
    expect(
      kernelFlops(
        'Conv2D',
        [
          [2, 8, 8, 3],
          [4, 4, 3, 5],
        ],
        [[2, 4, 4, 5]],
      ),
    ).toBe(conv);
    expect(kernelFlops('FusedConv2D', [[2, 8, 8, 3], [4, 4, 3, 5], [5]], [[2, 4, 4, 5]])).toBe(conv);
    expect(
      kernelFlops(
        'Conv2DBackpropInput',
        [
          [2, 4, 4, 5],
          [4, 4, 3, 5],
        ],
        [[2, 8, 8, 3]],
      ),
    ).toBe(conv);
    expect(
      kernelFlops(
        'Conv2DBackpropFilter',
        [
          [2, 8, 8, 3],
          [2, 4, 4, 5],
        ],
        [[4, 4, 3, 5]],
      ),
    ).toBe(conv);
    // [1, 6, 7] × [1, 7, 9], and the same product with a transposed: B·M·N·K multiply-adds.
    expect(
      kernelFlops(
        'BatchMatMul',
        [
          [1, 6, 7],
          [1, 7, 9],
        ],
        [[1, 6, 9]],
      ),
    ).toBe(2 * 6 * 9 * 7);
    expect(
      kernelFlops(
        'BatchMatMul',
        [
          [3, 7, 6],
          [3, 7, 9],
        ],
        [[3, 6, 9]],
      ),
    ).toBe(2 * 3 * 6 * 9 * 7);
    expect(kernelFlops('Relu', [[2, 4, 4, 5]], [[2, 4, 4, 5]])).toBe(0);
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
