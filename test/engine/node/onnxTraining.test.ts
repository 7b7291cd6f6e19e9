/**
 * Training steps on ONNX Runtime (engine/onnx/trainingGraph.ts, engine/node/onnxTraining.ts): the graph's
 * objective and gradients equal tfjs's autodiff over loss.ts for every likelihood, with and without classes and
 * free bits; a whole step (clipping and Adam included) equals the tfjs trainer's; a run on it resumes exactly,
 * reports divergence the same way, and a training host says what runs its steps.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TRAIN_OPTIONS, defaultConfig, paramSpecs } from '../../../src-main/engine/config.js';
import { registerVaeGradients } from '../../../src-main/engine/gradients.js';
import { localTrainingHost } from '../../../src-main/engine/host/index.js';
import { registerWasmKernels } from '../../../src-main/engine/kernels/index.js';
import { negElboTerms } from '../../../src-main/engine/loss.js';
import { VaeModel } from '../../../src-main/engine/model.js';
import { nativeTraining, nativeTrainingRuntime } from '../../../src-main/engine/node/onnxTraining.js';
import { createOnnxSession, onnxRuntime, type OnnxReady } from '../../../src-main/engine/node/onnxRuntime.js';
import {
  gradientOutput,
  paramInput,
  trainingGraph,
  TRAINING_GRAPH_IO as IO,
} from '../../../src-main/engine/onnx/trainingGraph.js';
import { Rng } from '../../../src-main/engine/rng.js';
import { Trainer } from '../../../src-main/engine/trainer.js';
import type { EpochMetrics, ImageBatch, TrainOptions, VaeConfig } from '../../../src-main/engine/types.js';
import { UserError } from '../../../src-main/util/errors.js';
import { bars } from '../../helpers/tinyData.js';
import { relativeError, useBackend } from '../kernels/kernelTestData.js';

const classes = ['a', 'b', 'c'];
const cases: [string, VaeConfig, number][] = [
  [
    'Bernoulli, 32×32×3 (three conv layers)',
    { ...defaultConfig(32, 3), width: 4, latentDim: 4, likelihood: 'bernoulli' },
    0,
  ],
  [
    'fixed-σ Gaussian, conditional, free bits 0.5',
    {
      ...defaultConfig(16, 3),
      width: 4,
      latentDim: 4,
      likelihood: 'gaussian',
      gaussianSigma: 0.1,
      conditional: true,
      classes,
    },
    0.5,
  ],
  [
    'σ-VAE, conditional, 28×28×1',
    {
      ...defaultConfig(28, 1),
      width: 4,
      latentDim: 3,
      likelihood: 'gaussian-optimal',
      conditional: true,
      classes,
    },
    0,
  ],
  [
    "σ-VAE, conditional, 32×32×3 (the demo's and colour data's default)",
    {
      ...defaultConfig(32, 3),
      width: 4,
      latentDim: 4,
      likelihood: 'gaussian-optimal',
      conditional: true,
      classes,
    },
    0,
  ],
];

let ort: OnnxReady;

beforeAll(async () => {
  await useBackend('wasm');
  registerWasmKernels();
  registerVaeGradients();
  const available = await onnxRuntime();
  if (!available.ok) throw new Error(available.reason);
  ort = available;
});

/** A batch of n seeded pixels, noise and (for a conditional model) one-hot labels, as tensors. */
function batch(config: VaeConfig, n: number): { x: tf.Tensor4D; eps: tf.Tensor2D; y?: tf.Tensor2D } {
  const rng = new Rng(4);
  const { imageSize: s, channels: c, latentDim: L } = config;
  const x = tf.tensor4d(
    Float32Array.from({ length: n * s * s * c }, () => rng.uniform(0, 1)),
    [n, s, s, c],
  );
  const eps = tf.tensor2d(
    Float32Array.from({ length: n * L }, () => rng.normal()),
    [n, L],
  );
  if (!config.conditional) return { x, eps };
  const K = config.classes!.length;
  const y = tf.tensor2d(
    Float32Array.from({ length: n * K }, (_, i) => (i % K === Math.floor(i / K) % K ? 1 : 0)),
    [n, K],
  );
  return { x, eps, y };
}

describe('the training graph on ONNX Runtime', () => {
  for (const [what, config, freeBits] of cases) {
    it(`gives tfjs's objective and every gradient: ${what}`, async () => {
      const model = VaeModel.create(config, 3);
      const n = 5;
      const beta = 0.7;
      const { x, eps, y } = batch(config, n);
      const { value, grads } = tf.variableGrads(
        () => negElboTerms(model, x, eps, beta, freeBits, 'batch', y).loss,
        model.variables,
      );
      const terms = negElboTerms(model, x, eps, beta, freeBits, 'batch', y);
      const session = await createOnnxSession(ort, trainingGraph(config, freeBits));
      const { Tensor } = ort.ort;
      const feeds: Record<string, InstanceType<typeof Tensor>> = {
        [IO.x]: new Tensor('float32', (await x.data()) as Float32Array, x.shape),
        [IO.eps]: new Tensor('float32', (await eps.data()) as Float32Array, eps.shape),
        [IO.beta]: new Tensor('float32', Float32Array.of(beta), []),
        [IO.invBatch]: new Tensor('float32', Float32Array.of(1 / n), []),
      };
      if (y) feeds[IO.y] = new Tensor('float32', (await y.data()) as Float32Array, y.shape);
      for (const [i, v] of model.variables.entries())
        feeds[paramInput(i)] = new Tensor('float32', (await v.data()) as Float32Array, v.shape);
      const out = await session.run(feeds);
      const scalar = (name: string): number => (out[name]!.data as Float32Array)[0]!;
      expect(scalar(IO.loss)).toBeCloseTo((await value.data())[0]!, 2);
      expect(scalar(IO.reconstruction)).toBeCloseTo((await terms.reconstruction.data())[0]!, 2);
      expect(scalar(IO.kl)).toBeCloseTo((await terms.kl.data())[0]!, 4);
      if (terms.meanSquaredError)
        expect(scalar(IO.mse)).toBeCloseTo((await terms.meanSquaredError.data())[0]!, 6);
      const names = paramSpecs(config).map((s) => s.name);
      for (const [i, v] of model.variables.entries()) {
        const expected = (await grads[v.name]!.data()) as Float32Array;
        const got = out[gradientOutput(i)]!.data as Float32Array;
        expect(got.length, names[i]).toBe(expected.length);
        // Some gradient is not zero everywhere, or the comparison would prove nothing.
        expect(
          expected.some((g) => g !== 0),
          names[i],
        ).toBe(true);
        expect(relativeError(got, expected), names[i]).toBeLessThan(1e-5);
      }
      await session.release();
      const termTensors: tf.Tensor[] = [terms.loss, terms.reconstruction, terms.kl];
      if (terms.meanSquaredError) termTensors.push(terms.meanSquaredError);
      tf.dispose([value, ...Object.values(grads), x, eps, ...(y ? [y] : []), ...termTensors]);
      model.dispose();
    });
  }
});

const trainConfig: VaeConfig = { ...defaultConfig(16, 1), width: 4, latentDim: 3 };
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

/** Coloured 16×16 images of three classes, each class its own hue, labelled: a conditional σ-VAE's data. */
function colourSquares(count: number): ImageBatch {
  const size = 16;
  const rng = new Rng(11);
  const pixels = new Uint8Array(count * size * size * 3);
  const labels = new Uint16Array(count);
  const hues: [number, number, number][] = [
    [200, 40, 220],
    [30, 90, 200],
    [240, 200, 20],
  ];
  for (let i = 0; i < count; i++) {
    labels[i] = i % 3;
    const [r, g, b] = hues[i % 3]!;
    const x0 = rng.int(9);
    const y0 = rng.int(9);
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const on = x >= x0 && x < x0 + 7 && y >= y0 && y < y0 + 7;
        pixels.set(on ? [r, g, b] : [20, 30, 40], ((i * size + y) * size + x) * 3);
      }
  }
  return { pixels, count, size, channels: 3, labels };
}

async function trainOn(
  steps: 'native' | 'tfjs',
  opts: TrainOptions,
  config: VaeConfig = trainConfig,
  images: ImageBatch = data,
): Promise<{ history: EpochMetrics[]; model: VaeModel }> {
  const model = VaeModel.create(config, opts.seed);
  const native = steps === 'native' ? await nativeTraining(config, opts.freeBits) : null;
  if (steps === 'native') expect(native).not.toBeNull();
  try {
    const { history } = await new Trainer(model, images, opts, undefined, native).run();
    return { history, model };
  } finally {
    native?.dispose();
  }
}

describe('training on ONNX Runtime', () => {
  it("takes the tfjs trainer's steps: clipping, both warm-ups, free bits and Adam, to float rounding", async () => {
    // Clipped from the first step (the norm is in the hundreds), KL and learning-rate warm-up and free bits on.
    const opts = {
      ...options,
      epochs: 1,
      gradClipNorm: 5,
      klWarmupEpochs: 2,
      freeBits: 0.05,
      lrWarmupSteps: 2,
    };
    const ours = await trainOn('native', opts);
    const theirs = await trainOn('tfjs', opts);
    const a = ours.history[0]!;
    const b = theirs.history[0]!;
    // Three steps of Adam from the same start: the same figures and weights to within float rounding.
    expect(a.train.negElbo).toBeCloseTo(b.train.negElbo, 1);
    expect(a.val!.negElbo).toBeCloseTo(b.val!.negElbo, 1);
    const wa = ours.model.getWeights();
    const wb = theirs.model.getWeights();
    const start = VaeModel.create(trainConfig, opts.seed).getWeights();
    wa.forEach((w, i) => {
      // The weights moved (by about lr per step), and both sides moved them alike.
      expect(relativeError(w.values, start[i]!.values), w.name).toBeGreaterThan(1e-4);
      expect(relativeError(w.values, wb[i]!.values), w.name).toBeLessThan(1e-3);
    });
    ours.model.dispose();
    theirs.model.dispose();
  });

  it("takes the tfjs trainer's steps for a conditional σ-VAE on colour images, labels and all", async () => {
    const config: VaeConfig = {
      ...defaultConfig(16, 3),
      width: 4,
      latentDim: 3,
      likelihood: 'gaussian-optimal',
      conditional: true,
      classes,
    };
    const opts = { ...options, epochs: 2, valFraction: 0.2 };
    const images = colourSquares(60);
    const ours = await trainOn('native', opts, config, images);
    const theirs = await trainOn('tfjs', opts, config, images);
    ours.history.forEach((a, i) => {
      const b = theirs.history[i]!;
      expect(a.train.negElbo).toBeCloseTo(b.train.negElbo, 0);
      expect(a.val!.negElbo).toBeCloseTo(b.val!.negElbo, 0);
    });
    const wb = theirs.model.getWeights();
    ours.model.getWeights().forEach((w, i) => {
      expect(relativeError(w.values, wb[i]!.values), w.name).toBeLessThan(1e-3);
    });
    ours.model.dispose();
    theirs.model.dispose();
  });

  it('resumes exactly: 4 epochs straight equals 2 + 2', async () => {
    // The learning-rate warm-up runs on past the resume (3 steps per epoch).
    const opts = { ...options, epochs: 4, klWarmupEpochs: 3, gradClipNorm: 20, lrWarmupSteps: 8 };
    const straight = await trainOn('native', opts);
    const firstModel = VaeModel.create(trainConfig, opts.seed);
    const native = await nativeTraining(trainConfig, opts.freeBits);
    const first = new Trainer(firstModel, data, { ...opts, epochs: 2 }, undefined, native);
    await first.run();
    const resumed = VaeModel.create(trainConfig, 99);
    resumed.setWeights(firstModel.getWeights());
    const second = await new Trainer(resumed, data, opts, first.getState(), native).run();
    native!.dispose();
    const strip = (h: EpochMetrics[]): unknown[] => h.map((m) => [m.epoch, m.train, m.val, m.beta]);
    expect(strip(second.history)).toEqual(strip(straight.history));
    expect(resumed.getWeights()).toEqual(straight.model.getWeights());
    [firstModel, resumed, straight.model].forEach((m) => m.dispose());
  });

  it('reports a broken model as DIVERGED and applies nothing', async () => {
    const model = VaeModel.create(trainConfig, 1);
    const broken = model
      .getWeights()
      .map((w, i) => (i === 0 ? { ...w, values: new Float32Array(w.values.length).fill(NaN) } : w));
    model.setWeights(broken);
    const native = await nativeTraining(trainConfig, 0);
    const err = await new Trainer(model, data, options, undefined, native).run().catch((e: unknown) => e);
    native!.dispose();
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).code).toBe('DIVERGED');
    expect((err as UserError).message).toMatch(/^training diverged: loss became NaN at epoch 1, step 1\./);
    // The finite weights are as they were: the step's update was not taken.
    model.getWeights().forEach((w, i) => i > 0 && expect(w.values).toEqual(broken[i]!.values));
    model.dispose();
  });

  it('a training host says what runs its steps, and trains on them', async () => {
    const runtime = await nativeTrainingRuntime();
    expect(runtime).toMatch(/^ONNX Runtime \d+\.\d+\.\d+, \d+ threads?$/);
    const host = localTrainingHost(
      () =>
        Promise.resolve({
          backend: tf.getBackend(),
          device: 'cpu' as const,
          package: '@tensorflow/tfjs-backend-wasm',
          reason: 'test',
          attempts: [],
        }),
      'node',
      { runtime: nativeTrainingRuntime, create: nativeTraining },
    );
    const info = await host.describe();
    expect(info.native).toBe(runtime);
    const made: string[] = [];
    const counting = localTrainingHost(() => Promise.resolve(info), 'node', {
      runtime: nativeTrainingRuntime,
      create: async (config, freeBits) => {
        made.push(`${config.latentDim}/${freeBits}`);
        return nativeTraining(config, freeBits);
      },
    });
    const result = await counting.train({
      config: trainConfig,
      options: { ...options, epochs: 1 },
      images: bars(64),
    });
    expect(made).toEqual(['3/0']);
    expect(result.history).toHaveLength(1);
    expect(Number.isFinite(result.history[0]!.train.negElbo)).toBe(true);
  });
});
