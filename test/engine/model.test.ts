import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { countParameters, defaultConfig } from '../../src-main/engine/config.js';
import { CONV_PAD, DECODER_LOG_SIGMA, VaeModel } from '../../src-main/engine/model.js';
import type { VaeConfig } from '../../src-main/engine/types.js';
import { UserError } from '../../src-main/util/errors.js';

const tiny: VaeConfig = { ...defaultConfig(16, 1), width: 4, latentDim: 3 };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * PyTorch ConvTranspose2d(k, stride 2, padding 1) written out: every input pixel scatters its k×k footprint,
 * out[iy·2 − 1 + ky, ix·2 − 1 + kx, co] += x[iy, ix, ci] · W[ci, co, ky, kx]; footprint outside the output is
 * cropped (that is what padding=1 means for a transposed conv).
 */
function torchConvTranspose(x: number[][][], w: number[][][][], bias: number[]): number[][][] {
  const h = x.length;
  const inC = x[0]![0]!.length;
  const outC = bias.length;
  const k = w[0]![0]!.length;
  const oh = (h - 1) * 2 - 2 + k;
  const out = Array.from({ length: oh }, () => Array.from({ length: oh }, () => [...bias]));
  for (let iy = 0; iy < h; iy++)
    for (let ix = 0; ix < h; ix++)
      for (let ci = 0; ci < inC; ci++)
        for (let co = 0; co < outC; co++)
          for (let ky = 0; ky < k; ky++)
            for (let kx = 0; kx < k; kx++) {
              const oy = iy * 2 - 1 + ky;
              const ox = ix * 2 - 1 + kx;
              if (oy < 0 || ox < 0 || oy >= oh || ox >= oh) continue;
              out[oy]![ox]![co]! += x[iy]![ix]![ci]! * w[ci]![co]![ky]![kx]!;
            }
  return out;
}

describe('padding arithmetic', () => {
  it('convT(4,2) with CONV_PAD equals PyTorch ConvTranspose2d(k4, s2, p1) and doubles the side', () => {
    const h = 3;
    const inC = 2;
    const outC = 2;
    // Small integers so the float32 result is exact.
    const x = Array.from({ length: h }, (_, y) =>
      Array.from({ length: h }, (_, xx) =>
        Array.from({ length: inC }, (_, c) => ((y * 5 + xx * 3 + c * 7) % 5) - 2),
      ),
    );
    const w = Array.from({ length: inC }, (_, ci) =>
      Array.from({ length: outC }, (_, co) =>
        Array.from({ length: 4 }, (_, ky) =>
          Array.from({ length: 4 }, (_, kx) => ((ci * 3 + co * 5 + ky * 4 + kx) % 7) - 3),
        ),
      ),
    );
    const expected = torchConvTranspose(x, w, [0, 0]);
    expect(expected).toHaveLength(6);
    // tfjs filter layout [KH, KW, outC, inC].
    const wTf = tf.tensor4d(
      Array.from({ length: 4 }, (_, ky) =>
        Array.from({ length: 4 }, (_, kx) =>
          Array.from({ length: outC }, (_, co) =>
            Array.from({ length: inC }, (_, ci) => w[ci]![co]![ky]![kx]!),
          ),
        ),
      ),
    );
    const y = tf.conv2dTranspose(tf.tensor4d([x]), wTf, [1, 6, 6, outC], 2, CONV_PAD);
    expect(y.shape).toEqual([1, 6, 6, 2]);
    expect(y.arraySync()[0]).toEqual(expected);
  });

  it('conv(4,2) with CONV_PAD equals PyTorch Conv2d(k4, s2, p1) on a hand-checked case', () => {
    // 4×4 input of ones, all-ones kernel: each output sums the in-bounds part of a 4×4 window at stride 2
    // starting at −1, so corners see 3×3 = 9 pixels.
    const y = tf.conv2d(tf.ones<tf.Rank.R4>([1, 4, 4, 1]), tf.ones<tf.Rank.R4>([4, 4, 1, 1]), 2, CONV_PAD);
    expect(y.shape).toEqual([1, 2, 2, 1]);
    expect(Array.from(y.dataSync())).toEqual([9, 9, 9, 9]);
    const x = tf.tensor4d(
      Array.from({ length: 16 }, (_, i) => i),
      [1, 4, 4, 1],
    );
    // Top-left output: rows 0..2, cols 0..2 of the input (the padded row/column contributes 0).
    expect(tf.conv2d(x, tf.ones<tf.Rank.R4>([4, 4, 1, 1]), 2, CONV_PAD).dataSync()[0]).toBe(
      0 + 1 + 2 + 4 + 5 + 6 + 8 + 9 + 10,
    );
  });
});

describe('VaeModel', () => {
  it('has the planned parameters, shapes and a deterministic init', () => {
    const a = VaeModel.create(tiny, 7);
    const b = VaeModel.create(tiny, 7);
    const c = VaeModel.create(tiny, 8);
    expect(a.parameterCount).toBe(countParameters(tiny));
    expect(a.paramNames[0]).toBe('encoder/conv0/kernel');
    const wa = a.getWeights();
    expect(wa.map((w) => w.values)).toEqual(b.getWeights().map((w) => w.values));
    expect(wa[0]!.values).not.toEqual(c.getWeights()[0]!.values);
    // PyTorch's default bound 1/√fanIn: conv0 has fanIn 1·4·4 = 16 → |w| ≤ 0.25.
    expect(Math.max(...wa[0]!.values.map(Math.abs))).toBeLessThanOrEqual(0.25);
    expect(Math.max(...wa[0]!.values.map(Math.abs))).toBeGreaterThan(0.2);
    [a, b, c].forEach((m) => m.dispose());
  });

  it('encodes to [N, L] twice and decodes to [N, H, W, C] without leaking', () => {
    const m = VaeModel.create(tiny, 1);
    const x = tf.randomUniform<tf.Rank.R4>([5, 16, 16, 1]);
    const before = tf.memory().numTensors;
    const { mu, logVar } = m.encode(x);
    expect(mu.shape).toEqual([5, 3]);
    expect(logVar.shape).toEqual([5, 3]);
    const logits = m.decodeLogits(mu);
    expect(logits.shape).toEqual([5, 16, 16, 1]);
    tf.dispose([mu, logVar, logits]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    m.dispose();
  });

  it('a conditional model takes the one-hot label in both dense layers, and its output depends on it', () => {
    const config: VaeConfig = { ...tiny, conditional: true, classes: ['a', 'b', 'c'] };
    const m = VaeModel.create(config, 1);
    expect(m.labelSize).toBe(3);
    const shapes = Object.fromEntries(m.getWeights().map((w) => [w.name, w.shape]));
    // 16×16, width 4: flatten 4·4·8 = 128.
    expect(shapes['encoder/dense/kernel']).toEqual([128 + 3, 6]);
    expect(shapes['decoder/dense/kernel']).toEqual([3 + 3, 128]);
    const x = tf.randomUniform<tf.Rank.R4>([2, 16, 16, 1], 0, 1, 'float32', 3);
    const ya = tf.tensor2d([1, 0, 0, 1, 0, 0], [2, 3]);
    const yc = tf.tensor2d([0, 0, 1, 0, 0, 1], [2, 3]);
    const before = tf.memory().numTensors;
    const qa = m.encode(x, ya);
    const qc = m.encode(x, yc);
    const diff = (p: tf.Tensor, q: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(p, q))).dataSync()[0]!);
    expect(diff(qa.mu, qc.mu)).toBeGreaterThan(1e-4);
    const la = m.decodeLogits(qa.mu, ya);
    const lc = m.decodeLogits(qa.mu, yc);
    expect(la.shape).toEqual([2, 16, 16, 1]);
    expect(diff(la, lc)).toBeGreaterThan(1e-4);
    tf.dispose([qa.mu, qa.logVar, qc.mu, qc.logVar, la, lc]);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => m.encode(x)).toThrow('encode: this model is conditional and needs [N, 3] class labels');
    expect(() => m.decodeLogits(tf.zeros([2, 3]), tf.zeros([2, 2]))).toThrow(
      'decodeLogits: labels are [2, 2], the model needs [2, 3]',
    );
    const plain = VaeModel.create(tiny, 1);
    expect(() => plain.encode(x, ya)).toThrow(
      'encode: this model is unconditional and takes no class labels',
    );
    tf.dispose([x, ya, yc]);
    m.dispose();
    plain.dispose();
  });

  it('round-trips weights and rejects mismatched checkpoints by name', () => {
    const a = VaeModel.create(tiny, 1);
    const b = VaeModel.create(tiny, 2);
    b.setWeights(a.getWeights());
    expect(b.getWeights()).toEqual(a.getWeights());
    const w = a.getWeights();
    const err = (fn: () => void): UserError => {
      try {
        fn();
      } catch (e) {
        return e as UserError;
      }
      throw new Error('did not throw');
    };
    const missing = err(() => b.setWeights(w.slice(1)));
    expect(missing.code).toBe('CHECKPOINT_MISMATCH');
    expect(missing.message).toContain('encoder/conv0/kernel');
    const bad = w.map((x, i) => (i === 2 ? { ...x, shape: [x.values.length], values: x.values } : x));
    expect(err(() => b.setWeights(bad)).message).toMatch(/encoder\/conv1\/kernel has shape/);
    const extra = [...w, { name: 'decoder/extra', shape: [1], values: new Float32Array(1) }];
    expect(err(() => b.setWeights(extra)).message).toContain('decoder/extra');
    a.dispose();
    b.dispose();
  });

  it('a σ-VAE saves its log σ beside the weights and needs it back; the other likelihoods have none', async () => {
    const err = (fn: () => void): UserError => {
      try {
        fn();
      } catch (e) {
        return e as UserError;
      }
      throw new Error('did not throw');
    };
    const plain = VaeModel.create(tiny, 1);
    const params = plain.getWeights();
    // Bernoulli and fixed-σ Gaussian weights are exactly the parameters, as checkpoints always held them.
    expect(params.map((w) => w.name)).toEqual(plain.paramNames);
    const gaussian = VaeModel.create({ ...tiny, likelihood: 'gaussian' }, 1);
    expect((await gaussian.readWeights()).map((w) => w.name)).toEqual(plain.paramNames);
    const sigmaVae = VaeModel.create({ ...tiny, likelihood: 'gaussian-optimal' }, 1);
    expect(sigmaVae.parameterCount).toBe(plain.parameterCount);
    sigmaVae.decoderLogSigma = Math.fround(Math.log(0.07));
    const saved = await sigmaVae.readWeights();
    expect(saved.map((w) => w.name)).toEqual([...plain.paramNames, DECODER_LOG_SIGMA]);
    expect(saved.at(-1)).toEqual({
      name: DECODER_LOG_SIGMA,
      shape: [1],
      values: Float32Array.of(Math.log(0.07)),
    });
    const loaded = VaeModel.create({ ...tiny, likelihood: 'gaussian-optimal' }, 2);
    loaded.setWeights(saved);
    expect(loaded.decoderLogSigma).toBe(sigmaVae.decoderLogSigma);
    expect(loaded.getWeights()).toEqual(saved);
    const missing = err(() => loaded.setWeights(params));
    expect(missing.code).toBe('CHECKPOINT_MISMATCH');
    expect(missing.message).toContain(DECODER_LOG_SIGMA);
    // A Bernoulli model refuses a σ-VAE's state like any tensor it does not have.
    expect(err(() => plain.setWeights(saved)).message).toContain(DECODER_LOG_SIGMA);
    [plain, gaussian, sigmaVae, loaded].forEach((m) => m.dispose());
  });
});
