import { describe, expect, it } from 'vitest';
import {
  countParameters,
  defaultConfig,
  DEFAULT_TRAIN_OPTIONS,
  describeArchitecture,
  planLayers,
  referenceConfig,
  resolveTrainSettings,
  trainingFlopsPerImage,
  validateConfig,
  validateTrainOptions,
} from '../../src-main/engine/config.js';
import {
  DEFAULT_EPOCH_RANGE,
  defaultEpochs,
  TRAINING_STEPS,
} from '../../src-main/contract/settings/index.js';
import { UserError } from '../../src-main/util/errors.js';

/** Parameter count of a PyTorch Conv2d / ConvTranspose2d(k=4) and Linear, from ARCHITECTURES.md. */
const conv = (inC: number, outC: number): number => 4 * 4 * inC * outC + outC;
const linear = (inF: number, outF: number): number => inF * outF + outF;

function thrownMessage(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).code).toBe('INVALID_CONFIG');
    return (e as Error).message;
  }
  throw new Error('did not throw');
}

describe('defaults', () => {
  it('picks the measured defaults (docs/quality.md): latent 32, β 0.1, lr 3e-3', () => {
    expect(defaultConfig(28, 1)).toEqual({
      imageSize: 28,
      channels: 1,
      latentDim: 32,
      beta: 0.1,
      width: 32,
      likelihood: 'bernoulli',
      gaussianSigma: 0.1,
      conditional: false,
    });
    expect(defaultConfig(64, 3).latentDim).toBe(32);
    expect(DEFAULT_TRAIN_OPTIONS).toMatchObject({
      epochs: 20,
      batchSize: 64,
      learningRate: 3e-3,
      seed: 0,
      valFraction: 0.1,
    });
    expect(() => validateConfig(defaultConfig(256, 3))).not.toThrow();
    expect(() => validateTrainOptions({ ...DEFAULT_TRAIN_OPTIONS })).not.toThrow();
  });
});

describe('std28 and std64 match ARCHITECTURES.md', () => {
  it('std28 (28×28×1, L 16): layer shapes and PyTorch parameter count', () => {
    const c = referenceConfig('std28');
    const torch =
      conv(1, 32) + conv(32, 64) + linear(3136, 32) + linear(16, 3136) + conv(64, 32) + conv(32, 1);
    expect(torch).toBe(220385);
    expect(countParameters(c)).toBe(torch);
    const plan = planLayers(c);
    expect(plan.encoder.map((l) => [l.outSize, l.outChannels])).toEqual([
      [14, 32],
      [7, 64],
    ]);
    expect(plan.flatSize).toBe(3136);
    expect(plan.decoder.map((l) => [l.outSize, l.outChannels])).toEqual([
      [14, 32],
      [28, 1],
    ]);
    const lines = describeArchitecture(c);
    expect(lines).toHaveLength(10);
    expect(lines[1]).toMatch(/conv\(4,2,32\).*→ 14×14×32 .*\(544 params\)/);
    expect(lines[2]).toMatch(/conv\(4,2,64\).*→ 7×7×64 /);
    expect(lines[3]).toMatch(/flatten\s+→ 3136/);
    expect(lines[4]).toMatch(/dense 32 .*→ 32 /);
    expect(lines[5]).toMatch(/dense 3136 ReLU\s+→ 3136/);
    expect(lines[6]).toMatch(/reshape\s+→ 7×7×64/);
    expect(lines[7]).toMatch(/convT\(4,2,32\) ReLU\s+→ 14×14×32/);
    expect(lines[8]).toMatch(/convT\(4,2,1\) logits\s+→ 28×28×1 /);
    expect(lines.at(-1)).toBe('total 220385 parameters');
  });

  it('std64 (64×64×3, L 32): layer shapes and PyTorch parameter count', () => {
    const c = referenceConfig('std64');
    const torch =
      conv(3, 32) +
      conv(32, 64) +
      conv(64, 128) +
      conv(128, 256) +
      linear(4096, 64) +
      linear(32, 4096) +
      conv(256, 128) +
      conv(128, 64) +
      conv(64, 32) +
      conv(32, 3);
    expect(countParameters(c)).toBe(torch);
    const plan = planLayers(c);
    expect(plan.encoder.map((l) => `${l.outSize}x${l.outChannels}`)).toEqual([
      '32x32',
      '16x64',
      '8x128',
      '4x256',
    ]);
    expect(plan.flatSize).toBe(4096);
    expect(plan.decoder.map((l) => `${l.outSize}x${l.outChannels}`)).toEqual([
      '8x128',
      '16x64',
      '32x32',
      '64x3',
    ]);
    const lines = describeArchitecture(c);
    expect(lines.filter((l) => l.includes('→ 4×4×256'))).toHaveLength(2); // last conv and the reshape
    expect(lines.some((l) => /convT\(4,2,3\) logits\s+→ 64×64×3 /.test(l))).toBe(true);
  });

  it('conditional std28 on K classes: the one-hot label adds K·2L to the encoder dense and K·3136 to the decoder dense', () => {
    const classes = ['circles', 'squares', 'triangles'];
    const c = { ...referenceConfig('std28'), conditional: true, classes };
    const K = 3;
    const L = 16;
    // By hand: the dense layers take flatten + K and z + K inputs, nothing else changes.
    const torch =
      conv(1, 32) + conv(32, 64) + linear(3136 + K, 2 * L) + linear(L + K, 3136) + conv(64, 32) + conv(32, 1);
    expect(torch).toBe(220385 + K * 2 * L + K * 3136);
    expect(countParameters(c)).toBe(229889);
    expect(countParameters(c)).toBe(torch);
    expect(planLayers(c).labelSize).toBe(3);
    expect(planLayers(defaultConfig(28, 1)).labelSize).toBe(0);
    const lines = describeArchitecture(c);
    expect(lines).toHaveLength(12);
    expect(lines[4]).toMatch(/encoder \+ one-hot class \(3\)\s+→ 3139/);
    expect(lines[5]).toMatch(/dense 32 .*→ 32 .*\(100480 params\)/);
    expect(lines[6]).toMatch(/decoder z \+ one-hot class \(3\)\s+→ 19/);
    expect(lines[7]).toMatch(/dense 3136 ReLU\s+→ 3136 .*\(62720 params\)/);
    expect(lines.at(-1)).toBe('total 229889 parameters');
  });

  it('caps channels at 8·width for deep plans', () => {
    const plan = planLayers({ ...defaultConfig(256, 3), width: 8 });
    expect(plan.encoder.map((l) => l.outChannels)).toEqual([8, 16, 32, 64, 64, 64]);
    expect(plan.bottleneckSize).toBe(4);
  });
});

describe('validation names the field and the cause', () => {
  it('config', () => {
    const c = referenceConfig('std28');
    expect(thrownMessage(() => validateConfig({ ...c, latentDim: 0 }))).toBe(
      'latentDim: must be a whole number from 1 to 512, got 0',
    );
    expect(thrownMessage(() => validateConfig({ ...c, imageSize: 48 }))).toMatch(
      /^imageSize: .*power of two.*got 48$/,
    );
    expect(thrownMessage(() => validateConfig({ ...c, channels: 2 as 1 }))).toMatch(/^channels: .*got 2$/);
    expect(thrownMessage(() => validateConfig({ ...c, beta: -1 }))).toMatch(/^beta: .*got -1$/);
    expect(thrownMessage(() => validateConfig({ ...c, width: 2.5 }))).toMatch(/^width: .*got 2.5$/);
    expect(thrownMessage(() => validateConfig({ ...c, likelihood: 'poisson' as 'bernoulli' }))).toMatch(
      /^likelihood: .*got "poisson"$/,
    );
    expect(thrownMessage(() => validateConfig({ ...c, gaussianSigma: 0 }))).toMatch(
      /^gaussianSigma: must be a number above 0 and at most 10, got 0$/,
    );
  });

  it('a conditional config names its sorted classes; an unconditional one has none', () => {
    const c = { ...defaultConfig(16, 1), conditional: true };
    expect(thrownMessage(() => validateConfig(c))).toBe(
      'classes: a conditional model needs its class names, a list of non-empty strings, got undefined',
    );
    expect(thrownMessage(() => validateConfig({ ...c, classes: ['a'] }))).toBe(
      'classes: a conditional model needs 2 or more classes, got ["a"]',
    );
    expect(thrownMessage(() => validateConfig({ ...c, classes: ['b', 'a'] }))).toBe(
      'classes: must be sorted and distinct (the one-hot order), got ["b","a"]',
    );
    expect(thrownMessage(() => validateConfig({ ...c, classes: ['a', 'a'] }))).toMatch(
      /^classes: must be sorted/,
    );
    expect(thrownMessage(() => validateConfig({ ...defaultConfig(16, 1), classes: ['a', 'b'] }))).toBe(
      'classes: an unconditional model has no classes, got ["a","b"]',
    );
    expect(thrownMessage(() => validateConfig({ ...c, conditional: 'yes' as unknown as boolean }))).toBe(
      'conditional: must be true or false, got "yes"',
    );
    expect(() => validateConfig({ ...c, classes: ['a', 'b'] })).not.toThrow();
  });

  it('train options', () => {
    const o = { ...DEFAULT_TRAIN_OPTIONS };
    expect(thrownMessage(() => validateTrainOptions({ ...o, epochs: 0 }))).toMatch(/^epochs: .*got 0$/);
    expect(thrownMessage(() => validateTrainOptions({ ...o, batchSize: 1.5 }))).toMatch(/^batchSize: /);
    expect(thrownMessage(() => validateTrainOptions({ ...o, learningRate: NaN }))).toMatch(
      /^learningRate: .*got NaN$/,
    );
    expect(thrownMessage(() => validateTrainOptions({ ...o, valFraction: 1 }))).toBe(
      'valFraction: must be a number from 0 to 0.9, got 1',
    );
    expect(thrownMessage(() => validateTrainOptions({ ...o, seed: -1 }))).toMatch(/^seed: /);
    expect(thrownMessage(() => validateTrainOptions({ ...o, freeBits: -0.5 }))).toMatch(/^freeBits: /);
    expect(thrownMessage(() => validateTrainOptions({ ...o, klWarmupEpochs: Infinity }))).toMatch(
      /^klWarmupEpochs: /,
    );
    expect(thrownMessage(() => validateTrainOptions({ ...o, gradClipNorm: -1 }))).toMatch(/^gradClipNorm: /);
  });
});

describe('training length scales with the dataset', () => {
  const stepsPerEpoch = (count: number) => Math.ceil(Math.round(count * 0.9) / 64);

  it('gives every dataset about TRAINING_STEPS optimiser steps, within the epoch range', () => {
    for (const count of [300, 500, 1211, 5000, 10_000, 60_000]) {
      const epochs = defaultEpochs(count);
      const clamped = epochs === DEFAULT_EPOCH_RANGE.min || epochs === DEFAULT_EPOCH_RANGE.max;
      if (!clamped) {
        expect(epochs * stepsPerEpoch(count)).toBeGreaterThanOrEqual(TRAINING_STEPS);
        expect((epochs - 1) * stepsPerEpoch(count)).toBeLessThan(TRAINING_STEPS);
      }
    }
    // A small folder trains more passes than a large one.
    expect(defaultEpochs(500)).toBeGreaterThan(5 * defaultEpochs(5000));
    expect(defaultEpochs(3)).toBe(DEFAULT_EPOCH_RANGE.max);
    expect(defaultEpochs(10_000_000)).toBe(DEFAULT_EPOCH_RANGE.min);
    expect(defaultEpochs(undefined)).toBe(20);
  });

  it('is what a new run on a dataset of known size trains, unless epochs are given', () => {
    const shape = { imageSize: 28, channels: 1 as const, count: 500 };
    expect(resolveTrainSettings(shape, {}).options.epochs).toBe(defaultEpochs(500));
    expect(resolveTrainSettings(shape, { epochs: 7 }).options.epochs).toBe(7);
  });
});

describe('resolveTrainSettings and the classes of the data', () => {
  const shape = { imageSize: 16, channels: 1 as const };

  it('trains a conditional model by default when the dataset has 2 or more classes, on its classes', () => {
    const { config } = resolveTrainSettings({ ...shape, classes: ['cats', 'dogs'] }, {});
    expect(config.conditional).toBe(true);
    expect(config.classes).toEqual(['cats', 'dogs']);
    // 16×16: flatten 4·4·64 = 1024, L = 32, K = 2.
    expect(countParameters(config)).toBe(countParameters(defaultConfig(16, 1)) + 2 * 64 + 2 * 1024);
  });

  it('is unconditional, with no classes key, without classes, with one, or when turned off', () => {
    for (const classes of [undefined, [], ['only']]) {
      const { config } = resolveTrainSettings({ ...shape, ...(classes ? { classes } : {}) }, {});
      expect(config.conditional).toBe(false);
      expect('classes' in config).toBe(false);
    }
    const off = resolveTrainSettings({ ...shape, classes: ['a', 'b'] }, { conditional: false }).config;
    expect(off).toEqual(defaultConfig(16, 1));
  });

  it('refuses a conditional model on fewer than 2 classes, naming the field and the cause', () => {
    expect(
      thrownMessage(() => resolveTrainSettings({ ...shape, classes: ['only'] }, { conditional: true })),
    ).toBe(
      'conditional: a conditional model needs 2 or more classes (first-level subfolders of the imported folder), ' +
        'and the dataset has 1 ("only"); train without it (--no-conditional, "Conditional on the class" off in the app)',
    );
    expect(thrownMessage(() => resolveTrainSettings(shape, { conditional: true }))).toMatch(
      /^conditional: .*and the dataset has 0;/,
    );
  });
});

describe('trainingFlopsPerImage', () => {
  it("counts the reference networks' work by hand: 3 × (convs + transposed convs + dense layers)", () => {
    // std28: 28 → 14 → 7, channels 1 → 32 → 64, 4×4 kernels, latent 16, flat 7·7·64.
    const std28 =
      2 * 14 * 14 * 1 * 32 * 16 + // encoder conv0
      2 * 7 * 7 * 32 * 64 * 16 + // encoder conv1
      2 * 7 * 7 * 64 * 32 * 16 + // decoder convT0, from 7×7
      2 * 14 * 14 * 32 * 1 * 16 + // decoder convT1, from 14×14
      2 * 3136 * 32 + // encoder dense to μ, log σ²
      2 * 16 * 3136; // decoder dense
    expect(trainingFlopsPerImage(referenceConfig('std28'))).toBe(3 * std28);
    // std64: four convs down to 4×4×256, latent 32: the 0.32 GFLOP per image issue 16 quotes.
    expect(trainingFlopsPerImage(referenceConfig('std64')) / 1e9).toBeCloseTo(0.323, 3);
    // A conditional model's label columns add to both dense layers: K · (2L + flat) multiply-adds, times 2 and 3.
    const conditional = { ...referenceConfig('std28'), conditional: true, classes: ['a', 'b', 'c'] };
    expect(trainingFlopsPerImage(conditional) - trainingFlopsPerImage(referenceConfig('std28'))).toBe(
      3 * 2 * 3 * (32 + 3136),
    );
  });
});
