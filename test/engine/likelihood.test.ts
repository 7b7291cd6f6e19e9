import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig, DEFAULT_TRAIN_OPTIONS } from '../../src-main/engine/config.js';
import {
  ACTIVE_UNIT_THRESHOLD,
  importanceNoise,
  importanceWeightedBound,
  latentHealth,
  type LikelihoodProgress,
} from '../../src-main/engine/likelihood.js';
import { bitsPerDim, klPerDim, reconstructionNll } from '../../src-main/engine/loss.js';
import { DECODER_LOG_SIGMA, VaeModel } from '../../src-main/engine/model.js';
import { pickImages, sliceToTensor } from '../../src-main/engine/pixels.js';
import { evaluateNegElbo } from '../../src-main/engine/sampler.js';
import { Trainer } from '../../src-main/engine/trainer.js';
import type { ImageBatch, VaeConfig } from '../../src-main/engine/types.js';
import { CancelledError } from '../../src-main/util/errors.js';
import { bars } from '../helpers/tinyData.js';

const config: VaeConfig = { ...defaultConfig(16, 1), width: 8, latentDim: 2 };
const L = config.latentDim;
const data = bars(64);
const images = pickImages(
  data,
  Array.from({ length: 12 }, (_, i) => i),
);
let trained: VaeModel;

beforeAll(async () => {
  await tf.setBackend('cpu');
  trained = VaeModel.create(config, 3);
  await new Trainer(trained, data, {
    ...DEFAULT_TRAIN_OPTIONS,
    epochs: 20,
    batchSize: 16,
    learningRate: 3e-3,
    lrWarmupSteps: 0, // 40 steps in all: a warm-up of 200 would hold them near 0
    seed: 3,
    valFraction: 0,
  }).run();
});

/** μ and log σ² of every image of `batch`, as float64 rows. */
function posterior(model: VaeModel, batch: ImageBatch): { mu: number[][]; logVar: number[][] } {
  return tf.tidy(() => {
    const q = model.encode(sliceToTensor(batch, 0, batch.count));
    return { mu: q.mu.arraySync(), logVar: q.logVar.arraySync() };
  });
}

/** −log p(x|z) of image `index` of `batch` for each row of `z` (decoded by the model), float64 out. */
function negLogLikelihoods(model: VaeModel, batch: ImageBatch, index: number, z: number[][]): number[] {
  return tf.tidy(() => {
    const x = tf.tile(sliceToTensor(batch, index, 1), [z.length, 1, 1, 1]);
    return Array.from(reconstructionNll(model.config, model.decodeLogits(tf.tensor2d(z)), x).dataSync());
  });
}

/** log p(z) − log q(z|x) in float64, written from the densities (constants included, not cancelled). */
function logPriorOverPosterior(z: number[], mu: number[], logVar: number[]): number {
  let s = 0;
  for (let d = 0; d < z.length; d++) {
    const logPrior = -0.5 * z[d]! ** 2 - 0.5 * Math.log(2 * Math.PI);
    const logQ =
      (-0.5 * (z[d]! - mu[d]!) ** 2) / Math.exp(logVar[d]!) - 0.5 * logVar[d]! - 0.5 * Math.log(2 * Math.PI);
    s += logPrior - logQ;
  }
  return s;
}

/** −log p̂(x) of image `index`, computed by hand in float64 from the same noise as the engine. */
function handNegLogP(model: VaeModel, batch: ImageBatch, index: number, k: number, seed: number): number {
  const { mu, logVar } = posterior(model, batch);
  const eps = importanceNoise(seed, index, k, L);
  const z = Array.from({ length: k }, (_, j) =>
    mu[index]!.map((m, d) => m + Math.exp(0.5 * logVar[index]![d]!) * eps[j * L + d]!),
  );
  const nll = negLogLikelihoods(model, batch, index, z);
  const logW = z.map((zj, j) => -nll[j]! + logPriorOverPosterior(zj, mu[index]!, logVar[index]!));
  const max = Math.max(...logW);
  return -(max + Math.log(logW.reduce((a, w) => a + Math.exp(w - max), 0) / k));
}

describe('importanceWeightedBound', () => {
  it('at k = 1 equals the one-sample −ELBO (reconstruction + log q − log p) of the same z', async () => {
    const seed = 11;
    const iw = await importanceWeightedBound(trained, images, { k: 1, seed });
    let sum = 0;
    for (let i = 0; i < images.count; i++) sum += handNegLogP(trained, images, i, 1, seed);
    const negElbo = sum / images.count;
    expect(Math.abs(iw.negLogLikelihood - negElbo) / negElbo).toBeLessThan(1e-4);
    expect(iw).toMatchObject({ k: 1, count: images.count });
    expect(iw.bitsPerDim).toBeCloseTo(bitsPerDim(iw.negLogLikelihood, 16, 1), 12);
  });

  it('matches a float64 log-sum-exp by hand for one image and k = 3', async () => {
    const one = pickImages(images, [5]);
    const iw = await importanceWeightedBound(trained, one, { k: 3, seed: 4 });
    const hand = handNegLogP(trained, one, 0, 3, 4);
    expect(Math.abs(iw.negLogLikelihood - hand) / hand).toBeLessThan(1e-5);
  });

  it('tightens as k grows and sits below the −ELBO', async () => {
    const mean = async (k: number): Promise<number> => {
      let s = 0;
      for (const seed of [1, 2])
        s += (await importanceWeightedBound(trained, images, { k, seed })).negLogLikelihood;
      return s / 2;
    };
    const [k1, k10, k100] = [await mean(1), await mean(10), await mean(100)];
    const elbo = await evaluateNegElbo(trained, images, 64, 0);
    expect(k10).toBeLessThanOrEqual(k1 + 0.05);
    expect(k100).toBeLessThanOrEqual(k10 + 0.05);
    expect(k100).toBeLessThan(k1);
    expect(k100).toBeLessThan(elbo.negElbo);
  });

  it('is deterministic for a seed, whatever the batch size, and differs between seeds', async () => {
    const a = await importanceWeightedBound(trained, images, { k: 10, seed: 7 });
    // 7 decodes a batch: each image's 10 samples are split over two batches.
    const b = await importanceWeightedBound(trained, images, { k: 10, seed: 7, decodesPerBatch: 7 });
    const c = await importanceWeightedBound(trained, images, { k: 10, seed: 8 });
    expect((await importanceWeightedBound(trained, images, { k: 10, seed: 7 })).negLogLikelihood).toBe(
      a.negLogLikelihood,
    );
    expect(b.negLogLikelihood).toBeCloseTo(a.negLogLikelihood, 4);
    expect(c.negLogLikelihood).not.toBe(a.negLogLikelihood);
  });

  it('of a conditional model: the bound on log p(x|y) with each image’s own label, tighter than under the wrong one', async () => {
    // bars(): even images vertical, odd horizontal, their class.
    const labelled: ImageBatch = {
      ...pickImages(
        data,
        Array.from({ length: 32 }, (_, i) => i),
      ),
      labels: Uint16Array.from({ length: 32 }, (_, i) => i % 2),
    };
    const cond = VaeModel.create({ ...config, conditional: true, classes: ['h', 'v'] }, 3);
    await new Trainer(cond, labelled, {
      ...DEFAULT_TRAIN_OPTIONS,
      epochs: 20,
      batchSize: 16,
      learningRate: 3e-3,
      lrWarmupSteps: 0,
      seed: 3,
      valFraction: 0,
    }).run();
    const own = pickImages(
      labelled,
      Array.from({ length: 12 }, (_, i) => i),
    );
    const wrong: ImageBatch = { ...own, labels: own.labels!.map((k) => 1 - k) };
    const right = await importanceWeightedBound(cond, own, { k: 20, seed: 2 });
    const swapped = await importanceWeightedBound(cond, wrong, { k: 20, seed: 2 });
    const elbo = await evaluateNegElbo(cond, own, 64, 0);
    expect(right.negLogLikelihood).toBeLessThan(elbo.negElbo);
    // The decoder uses the label: the wrong one costs nats (measured 4.0 per image here).
    expect(swapped.negLogLikelihood).toBeGreaterThan(right.negLogLikelihood + 1);
    await expect(importanceWeightedBound(cond, images, { k: 2 })).rejects.toThrow(
      'the model is conditional on 2 classes, and the images carry no labels',
    );
    cond.dispose();
  });

  it('stays finite with a sharp Gaussian likelihood, where exp(log w) underflows', async () => {
    const sharp = VaeModel.create({ ...config, likelihood: 'gaussian', gaussianSigma: 0.01 }, 5);
    sharp.setWeights(await trained.readWeights());
    const one = pickImages(images, [2]);
    const iw = await importanceWeightedBound(sharp, one, { k: 3, seed: 1 });
    const hand = handNegLogP(sharp, one, 0, 3, 1);
    expect(hand).toBeGreaterThan(1000); // every weight is below e^−1000: a naive Σ exp would be 0
    expect(Math.abs(iw.negLogLikelihood - hand) / hand).toBeLessThan(1e-5);
    sharp.dispose();
  });

  it('bounds the σ-VAE with its stored σ̂: the fixed-σ Gaussian of that σ, for one image as for many', async () => {
    const sigma = Math.fround(0.08);
    const sigmaVae = VaeModel.create({ ...config, likelihood: 'gaussian-optimal' }, 5);
    const fixed = VaeModel.create({ ...config, likelihood: 'gaussian', gaussianSigma: sigma }, 5);
    const params = await trained.readWeights();
    fixed.setWeights(params);
    sigmaVae.setWeights([
      ...params,
      { name: DECODER_LOG_SIGMA, shape: [1], values: Float32Array.of(Math.log(sigma)) },
    ]);
    for (const set of [images, pickImages(images, [4])]) {
      const a = await importanceWeightedBound(sigmaVae, set, { k: 5, seed: 2 });
      const b = await importanceWeightedBound(fixed, set, { k: 5, seed: 2 });
      expect(a.negLogLikelihood).toBeCloseTo(b.negLogLikelihood, 2);
    }
    [sigmaVae, fixed].forEach((m) => m.dispose());
  });

  it('reports progress per batch, stops when cancelled and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const seen: LikelihoodProgress[] = [];
    await importanceWeightedBound(trained, images, {
      k: 4,
      decodesPerBatch: 16,
      onProgress: (p) => seen.push(p),
    });
    expect(seen.map((p) => p.images)).toEqual([4, 8, 12]);
    expect(seen.at(-1)).toEqual({ images: 12, count: 12, decodes: 48, totalDecodes: 48 });

    const controller = new AbortController();
    let batches = 0;
    const run = importanceWeightedBound(trained, images, {
      k: 4,
      decodesPerBatch: 4,
      signal: controller.signal,
      onProgress: () => {
        batches++;
        if (batches === 2) controller.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(batches).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses images of another shape and a k below 1', async () => {
    await expect(importanceWeightedBound(trained, bars(2, 32))).rejects.toThrow(/model needs 16×16×1/);
    await expect(importanceWeightedBound(trained, images, { k: 0 })).rejects.toThrow(/k must be/);
  });
});

describe('latentHealth', () => {
  it('finds no active unit and a collapse when the encoder ignores its input', async () => {
    const blind = VaeModel.create(config, 9);
    const weights = await trained.readWeights();
    const kernel = weights.find((w) => w.name === 'encoder/dense/kernel')!;
    kernel.values.fill(0);
    const bias = weights.find((w) => w.name === 'encoder/dense/bias')!;
    bias.values.set([0.8, -0.5, 0.3, -0.2]); // μ = (0.8, −0.5), log σ² = (0.3, −0.2) for every image
    blind.setWeights(weights);
    const health = await latentHealth(blind, images, { batchSize: 5 });
    expect(health.activeUnits).toBe(0);
    expect(health.activeDims).toEqual([]);
    expect(health.meanVariance.every((v) => v < 1e-12)).toBe(true);
    expect(health.collapsed).toBe(true);
    const kl = (m: number, lv: number): number => 0.5 * (Math.exp(lv) + m * m - 1 - lv);
    expect(health.klPerDim[0]).toBeCloseTo(kl(0.8, 0.3), 5);
    expect(health.klPerDim[1]).toBeCloseTo(kl(-0.5, -0.2), 5);
    blind.dispose();
  });

  it('averages klPerDim over images and counts dimensions whose μ varies', async () => {
    const seen: number[] = [];
    const health = await latentHealth(trained, images, {
      batchSize: 5,
      onProgress: (p) => seen.push(p.images),
    });
    expect(seen).toEqual([5, 10, 12]);
    const { mu, logVar } = posterior(trained, images);
    const byHand = tf.tidy(() =>
      Array.from(tf.mean(klPerDim(tf.tensor2d(mu), tf.tensor2d(logVar)), 0).dataSync()),
    );
    health.klPerDim.forEach((v, d) => expect(v).toBeCloseTo(byHand[d]!, 5));
    expect(health.kl).toBeCloseTo(byHand[0]! + byHand[1]!, 5);
    const variance = (d: number): number => {
      const m = mu.reduce((a, r) => a + r[d]!, 0) / mu.length;
      return mu.reduce((a, r) => a + (r[d]! - m) ** 2, 0) / mu.length;
    };
    health.meanVariance.forEach((v, d) => expect(v).toBeCloseTo(variance(d), 6));
    const active = [0, 1].filter((d) => variance(d) > ACTIVE_UNIT_THRESHOLD);
    expect(health.activeDims).toEqual(active);
    expect(active.length).toBeGreaterThan(0); // a trained model uses its code
    expect(health.collapsed).toBe(false);
    expect(health.count).toBe(12);
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(latentHealth(trained, images, { signal: controller.signal })).rejects.toBeInstanceOf(
      CancelledError,
    );
  });
});
