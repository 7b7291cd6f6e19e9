import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src-main/engine/config.js';
import { registerVaeGradients } from '../../src-main/engine/gradients.js';
import {
  bernoulliNll,
  bitsPerDim,
  calibratedLogSigma,
  gaussianNll,
  klPerDim,
  LOG_SIGMA_FLOOR,
  reconstructionNll,
  lossTerms,
  negElboTerms,
  noise,
  reparameterize,
  softclipLogSigma,
} from '../../src-main/engine/loss.js';
import type { VaeModel } from '../../src-main/engine/model.js';
import type { VaeConfig } from '../../src-main/engine/types.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerVaeGradients();
});

const sigmoid = (l: number): number => 1 / (1 + Math.exp(-l));

describe('reconstruction', () => {
  it('Bernoulli NLL of a 2-pixel image equals hand-computed binary cross-entropy', () => {
    const logits = tf.tensor4d([2, -1], [1, 1, 2, 1]);
    const x = tf.tensor4d([1, 0.25], [1, 1, 2, 1]);
    const bce = (l: number, t: number): number =>
      -(t * Math.log(sigmoid(l)) + (1 - t) * Math.log(1 - sigmoid(l)));
    const expected = bce(2, 1) + bce(-1, 0.25);
    expect(expected).toBeCloseTo(Math.log1p(Math.exp(-2)) + 0.25 + Math.log1p(Math.exp(-1)), 12);
    expect(bernoulliNll(logits, x).dataSync()[0]).toBeCloseTo(expected, 5);
  });

  it('Bernoulli NLL is stable for huge logits', () => {
    const v = bernoulliNll(
      tf.tensor4d([100, -100, 100], [1, 1, 3, 1]),
      tf.tensor4d([1, 1, 0], [1, 1, 3, 1]),
    ).dataSync();
    // ≈ 0 + 100 + 100: no Inf, no NaN.
    expect(v[0]).toBeCloseTo(200, 3);
  });

  it('Gaussian NLL uses sigmoid(logits) as the mean', () => {
    const sigma = 0.1;
    const x = tf.tensor4d([0.5, 0.9], [1, 1, 2, 1]);
    const logits = tf.tensor4d([0, 1], [1, 1, 2, 1]);
    const px = (t: number, l: number): number =>
      0.5 * ((t - sigmoid(l)) / sigma) ** 2 + Math.log(sigma) + 0.5 * Math.log(2 * Math.PI);
    expect(gaussianNll(logits, x, sigma).dataSync()[0]).toBeCloseTo(px(0.5, 0) + px(0.9, 1), 4);
  });
});

describe('σ-VAE reconstruction (calibrated Gaussian)', () => {
  const sigmaVae: VaeConfig = { ...defaultConfig(16, 1), imageSize: 2, likelihood: 'gaussian-optimal' };
  // A batch of two 2×2 grey images and the decoder's logits for them.
  const xs = [0.1, 0.5, 0.9, 0.3, 0.0, 1.0, 0.7, 0.2];
  const ls = [-2, 0, 1.5, -1, -3, 2.5, 0.5, -1.2];
  const x = (): tf.Tensor4D => tf.tensor4d(xs, [2, 2, 2, 1]);
  const logits = (): tf.Tensor4D => tf.tensor4d(ls, [2, 2, 2, 1]);
  const mus = ls.map(sigmoid);
  const mse = xs.reduce((a, t, i) => a + (t - mus[i]!) ** 2, 0) / xs.length;
  // softclip(v, −6) = −6 + log(1 + e^(v + 6)), v = log σ* = ½·log MSE (sigma-vae-pytorch's model.py).
  const handLogSigma = -6 + Math.log(1 + Math.exp(0.5 * Math.log(mse) + 6));
  const handNll = (logSigma: number, image: number): number => {
    let sum = 0;
    for (let i = image * 4; i < image * 4 + 4; i++) {
      const r = (xs[i]! - mus[i]!) / Math.exp(logSigma);
      sum += 0.5 * r * r + logSigma + 0.5 * Math.log(2 * Math.PI);
    }
    return sum;
  };

  it('uses σ*² = the batch’s mean squared error, soft-clipped at log σ = −6, shared by every pixel', () => {
    expect(mse).toBeCloseTo(0.00289, 4); // σ* ≈ 0.054, about 14 grey levels
    expect(calibratedLogSigma(mse)).toBeCloseTo(handLogSigma, 12);
    // Three nats above the floor the soft clip raises σ* by under 5%.
    expect(handLogSigma - 0.5 * Math.log(mse)).toBeGreaterThan(0.04);
    expect(handLogSigma - 0.5 * Math.log(mse)).toBeLessThan(0.05);
    const nll = reconstructionNll(sigmaVae, logits(), x(), 'batch').dataSync();
    expect(nll[0]).toBeCloseTo(handNll(handLogSigma, 0), 4);
    expect(nll[1]).toBeCloseTo(handNll(handLogSigma, 1), 4);
  });

  it('a perfect batch sits at the floor instead of σ → 0', () => {
    expect(LOG_SIGMA_FLOOR).toBe(-6);
    expect(softclipLogSigma(-Infinity)).toBe(-6);
    expect(softclipLogSigma(-6)).toBeCloseTo(-6 + Math.LN2, 12);
    expect(softclipLogSigma(0)).toBeCloseTo(Math.log1p(Math.exp(-6)), 12);
    const exact = tf.tensor4d(mus, [2, 2, 2, 1]);
    const nll = reconstructionNll(sigmaVae, logits(), exact, 'batch').dataSync();
    expect(nll[0]).toBeCloseTo(4 * (-6 + 0.5 * Math.log(2 * Math.PI)), 3);
  });

  it('with a fixed log σ (evaluation) is that σ’s Gaussian NLL, whatever the batch', () => {
    const logSigma = Math.log(0.2);
    const both = reconstructionNll(sigmaVae, logits(), x(), logSigma).dataSync();
    const second = reconstructionNll(
      sigmaVae,
      tf.tensor4d(ls.slice(4), [1, 2, 2, 1]),
      tf.tensor4d(xs.slice(4), [1, 2, 2, 1]),
      logSigma,
    ).dataSync();
    expect(both[0]).toBeCloseTo(handNll(logSigma, 0), 4);
    expect(second[0]).toBeCloseTo(both[1]!, 5);
    expect(both[0]).toBeCloseTo(gaussianNll(logits(), x(), 0.2).dataSync()[0]!, 4);
    expect(() => reconstructionNll(sigmaVae, logits(), x())).toThrow(/needs a log σ/);
  });

  it('treats σ* as a constant: no gradient flows into it', () => {
    // d/dlogit of image 0's NLL: σ* depends on image 1's pixels too, but only through the stopped gradient.
    const g = tf
      .grad((l: tf.Tensor) =>
        tf.sum(tf.slice(reconstructionNll(sigmaVae, l as tf.Tensor4D, x(), 'batch'), [0], [1])),
      )(logits())
      .dataSync();
    const sigma2 = Math.exp(2 * handLogSigma);
    for (let i = 0; i < 4; i++) {
      const hand = (-(xs[i]! - mus[i]!) / sigma2) * mus[i]! * (1 - mus[i]!);
      expect(g[i]).toBeCloseTo(hand, 3);
    }
    expect(Array.from(g.slice(4))).toEqual([0, 0, 0, 0]);
  });
});

describe('KL, reparameterisation and units', () => {
  it('1-D KL(N(1, 4) ‖ N(0, 1)) = 0.5·(4 + 1 − 1 − ln 4)', () => {
    const kl = klPerDim(tf.tensor2d([[1]]), tf.tensor2d([[Math.log(4)]])).dataSync()[0]!;
    expect(kl).toBeCloseTo(0.5 * (4 - Math.log(4)), 6);
    expect(klPerDim(tf.tensor2d([[0]]), tf.tensor2d([[0]])).dataSync()[0]).toBe(0);
  });

  it('z = μ + σ·ε', () => {
    const z = reparameterize(
      tf.tensor2d([[1, -2]]),
      tf.tensor2d([[Math.log(4), 0]]),
      tf.tensor2d([[0.5, -1]]),
    );
    expect(Array.from(z.dataSync())).toEqual([2, -3]);
  });

  it('bits/dim = nats / (H·W·C·ln 2)', () => {
    expect(bitsPerDim(100, 28, 1)).toBeCloseTo(100 / (784 * Math.LN2), 12);
    expect(lossTerms(80, 20, 28, 1)).toEqual({
      reconstruction: 80,
      kl: 20,
      negElbo: 100,
      bitsPerDim: bitsPerDim(100, 28, 1),
    });
  });

  it('seeded noise repeats', () => {
    expect(noise(2, 3, 42).dataSync()).toEqual(noise(2, 3, 42).dataSync());
    expect(noise(2, 3, 42).dataSync()).not.toEqual(noise(2, 3, 43).dataSync());
  });
});

describe('negElboTerms', () => {
  // A stand-in model with fixed outputs: μ = [[0.1, 2], [0.3, 2]], log σ² = 0, logits 0 (p = 0.5 everywhere).
  const fake = {
    config: { ...defaultConfig(16, 1), imageSize: 1, latentDim: 2 },
    encode: () => ({
      mu: tf.tensor2d([
        [0.1, 2],
        [0.3, 2],
      ]),
      logVar: tf.zeros<tf.Rank.R2>([2, 2]),
    }),
    decodeLogits: (z: tf.Tensor2D) => tf.zeros<tf.Rank.R4>([z.shape[0], 1, 2, 1]),
  } as unknown as VaeModel;
  const x = tf.tensor4d([0, 1, 1, 1], [2, 1, 2, 1]);
  const eps = tf.zeros<tf.Rank.R2>([2, 2]);

  it('gives mean reconstruction, true KL and reconstruction + β·KL', () => {
    const t = negElboTerms(fake, x, eps, 0.5, 0);
    const rec = 2 * Math.LN2; // two pixels at p = 0.5
    const kl = 0.5 * ((0.01 + 0.09) / 2) + 0.5 * 4; // batch mean of 0.5·μ² per dimension, summed
    expect(t.reconstruction.dataSync()[0]).toBeCloseTo(rec, 5);
    expect(t.kl.dataSync()[0]).toBeCloseTo(kl, 5);
    expect(t.loss.dataSync()[0]).toBeCloseTo(rec + 0.5 * kl, 5);
  });

  it('free bits clamp each dimension’s batch-mean KL in the loss only', () => {
    const t = negElboTerms(fake, x, eps, 1, 0.5);
    const rec = 2 * Math.LN2;
    const dim0 = 0.5 * ((0.01 + 0.09) / 2); // 0.025 < 0.5 → clamped to 0.5
    const dim1 = 2; // above the threshold, unchanged
    expect(t.kl.dataSync()[0]).toBeCloseTo(dim0 + dim1, 5);
    expect(t.loss.dataSync()[0]).toBeCloseTo(rec + 0.5 + dim1, 5);
  });
});
