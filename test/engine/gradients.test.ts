import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { register } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src-main/engine/config.js';
import { GRADIENT_KERNELS, registerVaeGradients } from '../../src-main/engine/gradients.js';
import { negElboTerms, noise } from '../../src-main/engine/loss.js';
import { VaeModel } from '../../src-main/engine/model.js';
import type { VaeConfig } from '../../src-main/engine/types.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * Loads tfjs-core's own gradient functions (its ESM build, which Node's loader only accepts with a hook that adds
 * the missing '.js' extensions), replacing ours, so both can be compared on the same forward pass.
 */
async function loadTfjsGradients(): Promise<void> {
  for (const k of GRADIENT_KERNELS) tf.unregisterGradient(k);
  const hook = `export async function resolve(specifier, context, next) {
    const fromCore = context.parentURL?.includes('/@tensorflow/tfjs-core/dist/') && specifier.startsWith('.') && !specifier.endsWith('.js');
    if (!fromCore) return next(specifier, context);
    try { return await next(specifier + '.js', context); } catch { return next(specifier + '/index.js', context); }
  }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
  await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
}

const configs: VaeConfig[] = [
  { ...defaultConfig(16, 1), width: 4, latentDim: 3 },
  { ...defaultConfig(16, 3), width: 3, latentDim: 2, likelihood: 'gaussian', gaussianSigma: 0.3 },
  { ...defaultConfig(16, 1), width: 3, latentDim: 2, likelihood: 'gaussian-optimal' },
  // The one-hot label joins the dense layers' inputs (Concat's gradient).
  { ...defaultConfig(16, 1), width: 3, latentDim: 2, conditional: true, classes: ['a', 'b', 'c'] },
];

function gradients(model: VaeModel, x: tf.Tensor4D, eps: tf.Tensor2D): Float32Array[] {
  return tf.tidy(() => {
    const y = model.labelSize > 0 ? tf.oneHot(tf.tensor1d([0, 2, 1], 'int32'), model.labelSize) : undefined;
    // β ≠ 1 and free bits above some dimensions' KL exercise every op of the objective (Maximum included);
    // 'batch' is how training calls it (the σ-VAE's batch σ*, a stopped gradient).
    const { grads } = tf.variableGrads(
      () => negElboTerms(model, x, eps, 0.7, 0.02, 'batch', y as tf.Tensor2D | undefined).loss,
      model.variables,
    );
    return model.variables.map((v) => grads[v.name]!.dataSync() as Float32Array);
  });
}

describe('registerVaeGradients', () => {
  it('gives the same gradients as tfjs-core’s own gradient functions', async () => {
    registerVaeGradients();
    const ourConv = tf.getGradient(tf.Conv2D);
    expect(ourConv).toBeDefined();
    const cases = configs.map((c, i) => {
      const model = VaeModel.create(c, i + 1);
      const x = tf.randomUniform<tf.Rank.R4>([3, 16, 16, c.channels], 0, 1, 'float32', 11);
      const eps = noise(3, c.latentDim, 5);
      return { model, x, eps, ours: gradients(model, x, eps) };
    });
    await loadTfjsGradients();
    expect(tf.getGradient(tf.Conv2D)).toBeDefined();
    expect(tf.getGradient(tf.Conv2D)).not.toBe(ourConv);
    for (const { model, x, eps, ours } of cases) {
      const theirs = gradients(model, x, eps);
      ours.forEach((g, i) => {
        const t = theirs[i]!;
        let maxAbs = 0;
        let maxDiff = 0;
        for (let k = 0; k < g.length; k++) {
          maxAbs = Math.max(maxAbs, Math.abs(t[k]!));
          maxDiff = Math.max(maxDiff, Math.abs(g[k]! - t[k]!));
        }
        expect(maxAbs, model.paramNames[i]).toBeGreaterThan(0);
        expect(maxDiff / maxAbs, model.paramNames[i]).toBeLessThan(1e-5);
      });
      model.dispose();
    }
  });
});
