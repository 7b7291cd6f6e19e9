import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig, DEFAULT_TRAIN_OPTIONS } from '../../src-main/engine/config.js';
import { VaeModel } from '../../src-main/engine/model.js';
import { meanNegElbo } from '../../src-main/engine/loss.js';
import { pickImages } from '../../src-main/engine/pixels.js';
import { hashSeed, SeedTag } from '../../src-main/engine/rng.js';
import { evaluateNegElbo } from '../../src-main/engine/sampler.js';
import {
  benchmarkTraining,
  pickAcrossClasses,
  splitIndices,
  Trainer,
} from '../../src-main/engine/trainer.js';
import type {
  EpochMetrics,
  ImageBatch,
  NamedArray,
  TrainOptions,
  TrainProgress,
  VaeConfig,
} from '../../src-main/engine/types.js';
import { UserError } from '../../src-main/util/errors.js';
import { bars } from '../helpers/tinyData.js';

const config: VaeConfig = { ...defaultConfig(16, 1), width: 4, latentDim: 3 };
const options: TrainOptions = {
  ...DEFAULT_TRAIN_OPTIONS,
  epochs: 2,
  batchSize: 16,
  learningRate: 3e-3,
  // Off unless a test says: a default warm-up of 200 steps would hold these runs of a few steps near lr 0.
  lrWarmupSteps: 0,
  seed: 5,
  valFraction: 0.25,
};

const data = bars(64);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function train(
  opts: TrainOptions,
  seed = opts.seed,
): Promise<{ history: EpochMetrics[]; model: VaeModel }> {
  const model = VaeModel.create(config, seed);
  const { history } = await new Trainer(model, data, opts).run();
  return { history, model };
}

describe('splitIndices', () => {
  it('is a seeded, sorted, disjoint partition', () => {
    const a = splitIndices(100, 0.1, 3);
    expect(a.val).toHaveLength(10);
    expect(a.train).toHaveLength(90);
    expect([...a.train, ...a.val].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([...a.val]).toEqual([...a.val].sort((x, y) => x - y));
    expect(splitIndices(100, 0.1, 3)).toEqual(a);
    expect(splitIndices(100, 0.1, 4).val).not.toEqual(a.val);
    expect(splitIndices(100, 0, 3).val).toHaveLength(0);
    expect(splitIndices(3, 0.01, 3).val).toHaveLength(1);
  });
});

describe('pickAcrossClasses', () => {
  it('takes the first image of each class, then the second of each…, in class order', () => {
    // 12 images in a cache sorted by folder: class 0 is 0–5, class 1 is 6–9, class 2 is 10–11.
    const classes = Uint32Array.from([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2]);
    const all = Uint32Array.from({ length: 12 }, (_, i) => i);
    expect(pickAcrossClasses(all, classes, 8)).toEqual([0, 6, 10, 1, 7, 11, 2, 8]);
    // Only among the given indices (a validation split), and never more than there are.
    expect(pickAcrossClasses(Uint32Array.from([1, 4, 9]), classes, 8)).toEqual([1, 9, 4]);
  });

  it('without classes, spreads the pick evenly through the indices instead of taking the first', () => {
    const all = Uint32Array.from({ length: 16 }, (_, i) => i);
    expect(pickAcrossClasses(all, undefined, 4)).toEqual([2, 6, 10, 14]);
  });
});

describe('Trainer', () => {
  it('lowers −ELBO clearly over a few epochs, with progress, previews and finite metrics', async () => {
    const model = VaeModel.create(config, 1);
    const initial = await evaluateNegElbo(model, data, 64, 0);
    const progress: TrainProgress[] = [];
    const previews: { w: number; h: number; rw: number; rh: number; channels: number[] }[] = [];
    const { history, state, cancelled } = await new Trainer(model, data, {
      ...options,
      epochs: 6,
      batchSize: 8,
      learningRate: 1e-2,
    }).run({
      onProgress: (p) => progress.push(p),
      onEpoch: (_m, p) => {
        previews.push({
          w: p.samples.width,
          h: p.samples.height,
          rw: p.reconstructions.width,
          rh: p.reconstructions.height,
          channels: [p.samples.channels, p.reconstructions.channels],
        });
      },
    });
    expect(cancelled).toBe(false);
    expect(history).toHaveLength(6);
    expect(state.epoch).toBe(6);
    expect(state.globalStep).toBe(6 * 6); // 48 train images / batch 8
    const first = history[0]!;
    const last = history[5]!;
    // From ≈ 256·ln 2 nats at initialisation to well under 80 % of it; still falling in the last epochs.
    expect(initial.negElbo).toBeGreaterThan(150);
    expect(last.val!.negElbo).toBeLessThan(0.8 * initial.negElbo);
    expect(last.train.negElbo).toBeLessThan(0.8 * initial.negElbo);
    expect(last.train.negElbo).toBeLessThan(first.train.negElbo);
    expect(last.val!.negElbo).toBeLessThan(history[3]!.val!.negElbo);
    expect(last.train.negElbo).toBeCloseTo(last.train.reconstruction + last.train.kl, 3);
    expect(last.train.bitsPerDim).toBeCloseTo(last.train.negElbo / (256 * Math.LN2), 6);
    // 8×8 grid of 16-px samples with 2-px gaps; 2 rows of 8 for the reconstructions; grey + alpha, so the
    // gaps are transparent.
    expect(previews[0]).toEqual({
      w: 8 * 16 + 7 * 2,
      h: 8 * 16 + 7 * 2,
      rw: 8 * 16 + 7 * 2,
      rh: 2 * 16 + 2,
      channels: [2, 2],
    });
    expect(progress).toHaveLength(36); // few steps per epoch: every step is reported
    expect(progress[0]).toMatchObject({ epoch: 1, epochs: 6, step: 1, stepsPerEpoch: 6, globalStep: 1 });
    expect(progress.at(-1)!.etaSeconds).toBe(0);
    expect(progress[0]!.imagesPerSec).toBeGreaterThan(0);
    model.dispose();
  });

  it("reconstructs validation images of every class in its preview, not the first images' one class", async () => {
    // 40 16×16 images sorted by class as a cache is: 30 of class 0 (grey 40), then 10 of class 1 (grey 200).
    const per = 16 * 16;
    const pixels = new Uint8Array(40 * per);
    pixels.fill(40, 0, 30 * per);
    pixels.fill(200, 30 * per);
    const classes = Uint32Array.from({ length: 40 }, (_, i) => (i < 30 ? 0 : 1));
    const batch: ImageBatch = { pixels, count: 40, size: 16, channels: 1, classes };
    const model = VaeModel.create(config, 1);
    let top: number[] = [];
    await new Trainer(model, batch, { ...options, epochs: 1, batchSize: 8, valFraction: 0.5 }).run({
      onEpoch: (_m, p) => {
        const r = p.reconstructions;
        // The originals' row: the grey of each cell's centre pixel (grey + alpha, 2 bytes a pixel).
        top = Array.from({ length: 8 }, (_, k) => r.pixels[(8 * r.width + k * 18 + 8) * 2]!);
      },
    });
    expect(top).toHaveLength(8);
    expect(top.slice(0, 2)).toEqual([40, 200]);
    expect(top.filter((v) => v === 200).length).toBeGreaterThanOrEqual(4);
    model.dispose();
  });

  it('is deterministic for a seed and differs between seeds', async () => {
    const a = await train(options);
    const b = await train(options);
    const c = await train({ ...options, seed: 6 });
    const losses = (h: EpochMetrics[]): number[] => h.flatMap((m) => [m.train.negElbo, m.val!.negElbo]);
    expect(losses(a.history)).toEqual(losses(b.history));
    expect(losses(c.history)).not.toEqual(losses(a.history));
    [a, b, c].forEach((r) => r.model.dispose());
  });

  it('resumes exactly: 4 epochs straight equals 2 + 2 through getState/getWeights', async () => {
    // The learning-rate warm-up runs on past the resume (3 steps per epoch).
    const opts = {
      ...options,
      epochs: 4,
      klWarmupEpochs: 3,
      freeBits: 0.05,
      gradClipNorm: 20,
      lrWarmupSteps: 8,
    };
    const straight = await train(opts);
    const firstModel = VaeModel.create(config, opts.seed);
    const first = new Trainer(firstModel, data, { ...opts, epochs: 2 });
    await first.run();
    const state = first.getState();
    const weights = firstModel.getWeights();
    firstModel.dispose();
    const resumed = VaeModel.create(config, 99); // different init, overwritten by the checkpoint
    resumed.setWeights(weights);
    const second = await new Trainer(resumed, data, opts, state).run();
    expect(second.state.epoch).toBe(4);
    const strip = (h: EpochMetrics[]): unknown[] => h.map((m) => [m.epoch, m.train, m.val, m.beta]);
    expect(strip(second.history)).toEqual(strip(straight.history));
    // The warm-up raises β linearly to the config's own.
    const expected = [1 / 3, 2 / 3, 1, 1].map((f) => f * config.beta);
    second.history.forEach((m, i) => expect(m.beta).toBeCloseTo(expected[i]!, 12));
    expect(resumed.getWeights()).toEqual(straight.model.getWeights());
    resumed.dispose();
    straight.model.dispose();
  });

  it('σ-VAE: stores the epoch’s σ̂, validates with it, and resumes with the same σ', async () => {
    const sigmaConfig: VaeConfig = { ...config, likelihood: 'gaussian-optimal' };
    const opts = { ...options, epochs: 4 };
    const straight = VaeModel.create(sigmaConfig, opts.seed);
    const seen: number[] = [];
    const { history } = await new Trainer(straight, data, opts).run({
      onEpoch: (m) => {
        seen.push(straight.decoderLogSigma);
        expect(m.decoderSigma).toBe(Math.exp(straight.decoderLogSigma));
      },
    });
    const sigmas = history.map((m) => m.decoderSigma!);
    // σ̂ falls as the reconstructions sharpen, and stays a plausible pixel error.
    expect(sigmas[3]).toBeLessThan(sigmas[0]!);
    expect(sigmas[3]).toBeGreaterThan(Math.exp(-6));
    expect(sigmas[0]).toBeLessThan(0.6);
    // The validation figure is the fixed-σ̂ NLL: the same for any batch size, one image at a time included.
    const { val } = splitIndices(data.count, opts.valFraction, opts.seed);
    const valImages = pickImages(data, val);
    const inOne = await meanNegElbo(straight, valImages, 64, hashSeed(opts.seed, SeedTag.validation));
    expect(inOne.negElbo).toBeCloseTo(history[3]!.val!.negElbo, 3);
    const single = await evaluateNegElbo(straight, pickImages(valImages, [0]), 1, 0);
    const singleFixed = VaeModel.create(
      { ...sigmaConfig, likelihood: 'gaussian', gaussianSigma: sigmas[3]! },
      1,
    );
    singleFixed.setWeights((await straight.readWeights()).slice(0, -1));
    expect(single.negElbo).toBeCloseTo(
      (await evaluateNegElbo(singleFixed, pickImages(valImages, [0]), 1, 0)).negElbo,
      2,
    );
    // Resume from epoch 2 through the saved weights (σ̂ included): same σ, same run.
    const firstModel = VaeModel.create(sigmaConfig, opts.seed);
    const first = new Trainer(firstModel, data, { ...opts, epochs: 2 });
    await first.run();
    const weights = await firstModel.readWeights();
    const resumed = VaeModel.create(sigmaConfig, 99);
    resumed.setWeights(weights);
    expect(resumed.decoderLogSigma).toBe(seen[1]);
    const second = await new Trainer(resumed, data, opts, first.getState()).run();
    const strip = (h: EpochMetrics[]): unknown[] => h.map((m) => [m.train, m.val, m.decoderSigma]);
    expect(strip(second.history)).toEqual(strip(history));
    expect(resumed.decoderLogSigma).toBe(straight.decoderLogSigma);
    expect(resumed.getWeights()).toEqual(straight.getWeights());
    [straight, firstModel, resumed, singleFixed].forEach((m) => m.dispose());
  });

  it.each(['bernoulli', 'gaussian-optimal'] as const)(
    'does not leak tensors between epochs (%s)',
    async (likelihood) => {
      const model = VaeModel.create({ ...config, likelihood }, 1);
      const counts: number[] = [];
      await new Trainer(model, data, { ...options, epochs: 5 }).run({
        onEpoch: () => {
          counts.push(tf.memory().numTensors);
        },
      });
      expect(counts[1]).toBe(counts[4]);
      model.dispose();
    },
  );

  it('reports divergence as DIVERGED and never hands NaN metrics to onEpoch', async () => {
    const model = VaeModel.create(config, 1);
    model.setWeights(
      model
        .getWeights()
        .map((w, i) => (i === 0 ? { ...w, values: new Float32Array(w.values.length).fill(NaN) } : w)),
    );
    const seen: EpochMetrics[] = [];
    const err = await new Trainer(model, data, options)
      .run({ onEpoch: (m) => void seen.push(m) })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).code).toBe('DIVERGED');
    expect((err as UserError).message).toMatch(
      /^training diverged: loss became NaN at epoch 1, step 1\. Try a lower learning rate \(now 0\.003\) or (a lower gradient clip \(now [\d.]+\)|a gradient clip of 500 \(now off\)), then train again\.$/,
    );
    expect(seen).toHaveLength(0);
    model.dispose();

    // A learning rate far too high: DIVERGED within the first epoch, weights rolled back to finite ones.
    const wild = VaeModel.create(config, 1);
    const err2 = await new Trainer(wild, data, { ...options, learningRate: 1, gradClipNorm: 0 })
      .run({ onEpoch: (m) => void seen.push(m) })
      .catch((e: unknown) => e);
    expect((err2 as UserError).code).toBe('DIVERGED');
    expect((err2 as UserError).message).toMatch(
      /became (NaN|Infinity|-Infinity) at epoch 1, step \d+\. .*a gradient clip of 500 \(now off\)/,
    );
    expect(seen).toHaveLength(0);
    expect(wild.getWeights().every((w) => w.values.every(Number.isFinite))).toBe(true);
    wild.dispose();
  });

  it('after good epochs, a breakdown rolls the model back to the last good epoch', async () => {
    const model = VaeModel.create(config, 1);
    const seen: EpochMetrics[] = [];
    let goodWeights: NamedArray[] = [];
    const err = await new Trainer(model, data, { ...options, epochs: 5 })
      .run({
        onEpoch: (m) => {
          seen.push(m);
          if (m.epoch === 2) {
            goodWeights = model.getWeights();
            // Break the weights from outside, as a bad kernel or a flipped bit would.
            model.setWeights(
              goodWeights.map((w) =>
                w.name === 'decoder/dense/bias' ? { ...w, values: w.values.map(() => Infinity) } : w,
              ),
            );
          }
        },
      })
      .catch((e: unknown) => e);
    expect((err as UserError).code).toBe('DIVERGED');
    expect((err as UserError).message).toMatch(/at epoch 3, step 1\./);
    expect(seen.map((m) => m.epoch)).toEqual([1, 2]);
    for (const m of seen) expect([m.train.negElbo, m.val!.negElbo].every(Number.isFinite)).toBe(true);
    expect(model.getWeights()).toEqual(goodWeights);
    model.dispose();
  });

  it('stops quickly when cancelled and keeps the last completed epoch', async () => {
    const model = VaeModel.create(config, 1);
    const controller = new AbortController();
    let steps = 0;
    const epochs: number[] = [];
    let epochWeights: NamedArray[] = [];
    const t0 = performance.now();
    const result = await new Trainer(model, data, { ...options, epochs: 100, batchSize: 8 }).run({
      signal: controller.signal,
      onProgress: () => {
        if (++steps === 8) setTimeout(() => controller.abort(), 0);
      },
      onEpoch: (m) => {
        epochs.push(m.epoch);
        epochWeights = model.getWeights();
      },
    });
    expect(result.cancelled).toBe(true);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(epochs).toEqual([1]); // 6 steps per epoch: epoch 2 was cut short and not reported
    expect(result.state.epoch).toBe(1);
    expect(result.history).toHaveLength(1);
    expect(model.getWeights()).toEqual(epochWeights); // the partial epoch's updates were rolled back
    model.dispose();
  });

  it('benchmarks training throughput on random data', async () => {
    const model = VaeModel.create(config, 1);
    const r = await benchmarkTraining(model, { batchSize: 8, steps: 3, warmup: 1, seed: 0 });
    expect(r.imagesPerSec).toBeGreaterThan(0);
    expect(r.msPerStep).toBeCloseTo((8 * 1000) / r.imagesPerSec, 6);
    model.dispose();
  });
});
