import { register } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmKernels } from '../../../src-main/engine/kernels/index.js';
import { randomValues, relativeError, size, useBackend } from './kernelTestData.js';

type Shape4 = [number, number, number, number];
type Pad =
  'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
type Rounding = 'floor' | 'round' | 'ceil';

interface Case {
  name: string;
  x: Shape4;
  filter: Shape4;
  strides: [number, number];
  pad: Pad;
  dimRoundingMode?: Rounding;
}

function forwardInfo(c: Case): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad, c.dimRoundingMode);
}

/** Runs the Conv2DBackpropFilter kernel on the current backend and copies the result out. */
function backpropFilter(c: Case, xValues: Float32Array, dyValues: Float32Array): Float32Array {
  return tf.tidy(() => {
    const info = forwardInfo(c);
    const x = tf.tensor4d(xValues, c.x);
    const dy = tf.tensor4d(dyValues, info.outShape);
    const attrs = {
      strides: c.strides,
      pad: c.pad,
      dataFormat: 'NHWC',
      dimRoundingMode: c.dimRoundingMode,
      filterShape: c.filter,
    };
    const out = tf
      .engine()
      .runKernel<tf.Tensor>('Conv2DBackpropFilter', { x, dy }, attrs as unknown as tf.NamedAttrMap);
    expect(out.shape).toEqual(c.filter);
    return out.dataSync() as Float32Array;
  });
}

function buildCases(): Case[] {
  const cases: Case[] = [];
  const sizes: [number, number][] = [
    [7, 9],
    [8, 8],
    [5, 6],
  ];
  const kernels = [1, 3, 4];
  const pads: Pad[] = [
    'same',
    'valid',
    1,
    [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  ];
  const channels: [number, number][] = [
    [1, 1],
    [3, 5],
    [8, 16],
  ];
  let i = 0;
  for (const [h, w] of sizes) {
    for (const k of kernels) {
      for (const pad of pads) {
        for (const s of [1, 2]) {
          // Rotate channels and batch through the grid so every value appears with every stride and pad.
          const [cin, cout] = channels[i % channels.length] ?? [1, 1];
          const batch = i % 2 === 0 ? 1 : 3;
          i++;
          const c: Case = {
            name: `x[${batch},${h},${w},${cin}] k${k} cout${cout} s${s} pad ${JSON.stringify(pad)}`,
            x: [batch, h, w, cin],
            filter: [k, k, cin, cout],
            strides: [s, s],
            pad,
          };
          try {
            const info = forwardInfo(c);
            if (info.outHeight <= 0 || info.outWidth <= 0) continue;
          } catch {
            continue; // e.g. numeric pad with a non-integer output size needs a rounding mode (covered below)
          }
          cases.push(c);
        }
      }
    }
  }
  // Non-square strides, rounding modes and the VAE's own layer (k4 s2 pad 1).
  cases.push(
    { name: 'strides [2,1] same', x: [2, 7, 9, 3], filter: [3, 3, 3, 4], strides: [2, 1], pad: 'same' },
    {
      name: 'k4 s2 pad1 ceil',
      x: [2, 7, 7, 2],
      filter: [4, 4, 2, 3],
      strides: [2, 2],
      pad: 1,
      dimRoundingMode: 'ceil',
    },
    {
      name: 'k4 s2 pad1 floor',
      x: [2, 7, 7, 2],
      filter: [4, 4, 2, 3],
      strides: [2, 2],
      pad: 1,
      dimRoundingMode: 'floor',
    },
    {
      name: 'k3 s2 pad0 round',
      x: [1, 8, 8, 2],
      filter: [3, 3, 2, 2],
      strides: [2, 2],
      pad: 0,
      dimRoundingMode: 'round',
    },
    { name: 'VAE layer k4 s2 pad1', x: [4, 16, 16, 3], filter: [4, 4, 3, 32], strides: [2, 2], pad: 1 },
    {
      name: 'explicit pad larger than the kernel',
      x: [2, 6, 6, 2],
      filter: [2, 2, 2, 3],
      strides: [2, 2],
      pad: [
        [0, 0],
        [3, 0],
        [0, 3],
        [0, 0],
      ],
    },
  );
  return cases;
}

const CASES = buildCases();

/**
 * tfjs-core's Node entry (dist/tf-core.node.js) registers NO gradient functions: they live only in its ESM build,
 * dist/register_all_gradients.js, whose extensionless relative imports Node's ESM loader refuses (the
 * @tensorflow/tfjs union package normally supplies them). Stopgap for this test until the engine registers
 * gradients itself: a resolve hook that adds the missing '.js' / '/index.js', then load that file. The ESM copy of
 * tfjs-core it pulls in shares the global engine and registries with the CJS one.
 */
async function registerCoreGradients(): Promise<void> {
  if (tf.getGradient('Conv2D') !== undefined) return;
  const hook = `export async function resolve(specifier, context, next) {
    const fromCore = context.parentURL?.includes('/@tensorflow/tfjs-core/dist/') && specifier.startsWith('.') && !specifier.endsWith('.js');
    if (!fromCore) return next(specifier, context);
    try { return await next(specifier + '.js', context); } catch { return next(specifier + '/index.js', context); }
  }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
  await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
}

beforeAll(async () => {
  await registerCoreGradients();
  registerWasmKernels();
  await useBackend('wasm');
});

describe('Conv2DBackpropFilter on wasm', () => {
  it('is registered by registerWasmKernels, idempotently', () => {
    const first = tf.getKernel('Conv2DBackpropFilter', 'wasm');
    registerWasmKernels();
    expect(first).toBeDefined();
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBe(first);
    expect(CASES.length).toBeGreaterThan(40);
  });

  it.each(CASES.map((c, i) => [c.name, c, i] as const))('matches the cpu kernel: %s', async (_name, c, i) => {
    const info = forwardInfo(c);
    const xValues = randomValues(size(c.x), 1000 + i);
    const dyValues = randomValues(size(info.outShape), 2000 + i);
    await useBackend('cpu');
    const ref = backpropFilter(c, xValues, dyValues);
    await useBackend('wasm');
    const got = backpropFilter(c, xValues, dyValues);
    expect(relativeError(got, ref, { allowZeroReference: true })).toBeLessThan(1e-4);
  });

  it('matches a direct sum for dilation 2 at stride 1 (which the cpu kernel cannot take)', async () => {
    await useBackend('wasm');
    const xShape: Shape4 = [2, 7, 8, 3];
    const filterShape: Shape4 = [3, 2, 3, 4];
    const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, 1, 2, 'same');
    const xv = randomValues(size(xShape), 7);
    const dyv = randomValues(size(info.outShape), 8);
    const got = tf.tidy(() => {
      const out = tf
        .engine()
        .runKernel<tf.Tensor>(
          'Conv2DBackpropFilter',
          { x: tf.tensor4d(xv, xShape), dy: tf.tensor4d(dyv, info.outShape) },
          { strides: 1, dilations: 2, pad: 'same', dataFormat: 'NHWC', filterShape },
        );
      return out.dataSync() as Float32Array;
    });
    const [n, h, w, cin] = xShape;
    const [kh, kw, , cout] = filterShape;
    const { outHeight: oh, outWidth: ow } = info;
    const { top, left } = info.padInfo;
    const ref = new Float32Array(size(filterShape));
    for (let a = 0; a < kh; a++)
      for (let b = 0; b < kw; b++)
        for (let ci = 0; ci < cin; ci++)
          for (let co = 0; co < cout; co++) {
            let sum = 0;
            for (let bi = 0; bi < n; bi++)
              for (let i = 0; i < oh; i++)
                for (let j = 0; j < ow; j++) {
                  const r = i - top + a * 2;
                  const col = j - left + b * 2;
                  if (r < 0 || r >= h || col < 0 || col >= w) continue;
                  sum +=
                    (xv[((bi * h + r) * w + col) * cin + ci] ?? 0) *
                    (dyv[((bi * oh + i) * ow + j) * cout + co] ?? 0);
                }
            ref[((a * kw + b) * cin + ci) * cout + co] = sum;
          }
    expect(relativeError(got, ref, { allowZeroReference: true })).toBeLessThan(1e-4);
  });

  it('frees every intermediate', async () => {
    await useBackend('wasm');
    const c = CASES.find((k) => k.name.startsWith('VAE layer'));
    if (c === undefined) throw new Error('missing case');
    const info = forwardInfo(c);
    const xv = randomValues(size(c.x), 1);
    const dyv = randomValues(size(info.outShape), 2);
    backpropFilter(c, xv, dyv); // warm-up
    const backend = tf.backend();
    const dataIds = backend.numDataIds();
    const tensors = tf.memory().numTensors;
    for (let k = 0; k < 3; k++) backpropFilter(c, xv, dyv);
    expect(backend.numDataIds()).toBe(dataIds);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('refuses what it does not support, with a clear message', async () => {
    await useBackend('wasm');
    const run = (attrs: Record<string, unknown>): void => {
      tf.tidy(() => {
        tf.engine().runKernel(
          'Conv2DBackpropFilter',
          { x: tf.zeros([1, 8, 8, 2]), dy: tf.zeros([1, 4, 4, 3]) },
          { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 2, 3], ...attrs },
        );
      });
    };
    expect(() => run({ dataFormat: 'NCHW' })).toThrow(/NHWC only/);
    expect(() => run({ dilations: 2 })).toThrow(/not supported/);
  });
});

describe('gradients of a small VAE on wasm', () => {
  // Every op the VAE's loss and gradient use: conv2d (k4 s2 explicit pad 1, k3 'same'), conv2dTranspose, matMul,
  // add, relu (step), exp, softplus, log1p, abs, maximum, sum, mean, sqrt, square, sigmoid, isNaN/isFinite,
  // concat and slice.
  const shapes: Record<string, number[]> = {
    w1: [4, 4, 3, 8],
    b1: [8],
    w2: [3, 3, 8, 16],
    b2: [16],
    wEnc: [64, 6],
    bEnc: [6],
    wDec: [3, 64],
    bDec: [64],
    w3: [4, 4, 8, 16],
    w4: [4, 4, 3, 8],
    b4: [3],
  };
  const names = Object.keys(shapes);
  const xShape: Shape4 = [2, 8, 8, 3];

  function loss(params: Record<string, tf.Tensor>, x: tf.Tensor4D, eps: tf.Tensor2D): tf.Scalar {
    const p = (name: string): tf.Tensor => {
      const t = params[name];
      if (t === undefined) throw new Error(name);
      return t;
    };
    const pad1: [[number, number], [number, number], [number, number], [number, number]] = [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ];
    const h1 = tf.relu(tf.add<tf.Tensor4D>(tf.conv2d(x, p('w1') as tf.Tensor4D, 2, pad1), p('b1'))); // [2,4,4,8]
    const h2 = tf.relu(tf.add<tf.Tensor4D>(tf.conv2d(h1, p('w2') as tf.Tensor4D, 2, 'same'), p('b2'))); // [2,2,2,16]
    const stats = tf.add(tf.matMul(tf.reshape(h2, [2, 64]), p('wEnc') as tf.Tensor2D), p('bEnc')); // [2,6]
    const mu = tf.slice(stats, [0, 0], [2, 3]);
    const logVar = tf.slice(stats, [0, 3], [2, 3]);
    const z = tf.add(mu, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps));
    const d0 = tf.relu(tf.add(tf.matMul(z, p('wDec') as tf.Tensor2D), p('bDec')));
    const d1 = tf.relu(
      tf.conv2dTranspose(
        tf.reshape<tf.Rank.R4>(d0, [2, 2, 2, 16]),
        p('w3') as tf.Tensor4D,
        [2, 4, 4, 8],
        2,
        1,
      ),
    );
    const logits = tf.add(tf.conv2dTranspose(d1, p('w4') as tf.Tensor4D, [2, 8, 8, 3], 2, 'same'), p('b4'));
    // Bernoulli NLL with logits: softplus(l) − x·l.
    const recon = tf.sum(tf.sub(tf.softplus(logits), tf.mul(x, logits)));
    const kl = tf.mul(-0.5, tf.sum(tf.sub(tf.sub(tf.add(1, logVar), tf.square(mu)), tf.exp(logVar))));
    // Odds and ends the trainer uses: free-bits style max, an L1/L2 mix, log1p, sigmoid, concat, guards.
    const freeBits = tf.sum(tf.maximum(tf.abs(mu), 0.1));
    const norm = tf.sqrt(tf.add(tf.sum(tf.square(tf.concat([mu, logVar], 1))), 1e-6));
    const extra = tf.add(tf.mean(tf.log1p(tf.sigmoid(logits))), tf.mul(0.01, tf.add(freeBits, norm)));
    // No tf.where guard here: its condition gets a (zero) gradient, and LogicalAnd/IsFinite have no gradient.
    return tf.add<tf.Scalar>(tf.add(recon, kl), extra);
  }

  function gradients(
    values: Record<string, Float32Array>,
    xv: Float32Array,
    ev: Float32Array,
  ): Record<string, Float32Array> {
    return tf.tidy(() => {
      const x = tf.tensor4d(xv, xShape);
      const eps = tf.tensor2d(ev, [2, 3]);
      const params = names.map((n) => tf.tensor(values[n] ?? new Float32Array(), shapes[n]));
      const grads = tf.grads((...ps: tf.Tensor[]) =>
        loss(Object.fromEntries(names.map((n, i) => [n, ps[i] as tf.Tensor])), x, eps),
      )(params);
      // The trainer's divergence guard runs these on the backend too.
      const bad = tf.addN(
        grads.map((g) =>
          tf.cast(tf.logicalOr(tf.any(tf.isNaN(g)), tf.logicalNot(tf.all(tf.isFinite(g)))), 'int32'),
        ),
      );
      expect(bad.dataSync()[0]).toBe(0);
      return Object.fromEntries(names.map((n, i) => [n, grads[i]?.dataSync() as Float32Array]));
    });
  }

  it('match the cpu backend for every weight', async () => {
    const values = Object.fromEntries(
      names.map((n, i) => [n, randomValues(size(shapes[n] ?? []), 300 + i).map((v) => v * 0.3)]),
    );
    const xv = randomValues(size(xShape), 11).map((v) => (v + 1) / 2);
    const ev = randomValues(6, 12);
    await useBackend('cpu');
    const ref = gradients(values, xv, ev);
    await useBackend('wasm');
    const got = gradients(values, xv, ev);
    for (const n of names) {
      const r = ref[n];
      const g = got[n];
      if (r === undefined || g === undefined) throw new Error(`no gradient for ${n}`);
      expect(Math.max(...r.map(Math.abs)), `${n} gradient is all zeros`).toBeGreaterThan(0);
      expect(relativeError(g, r, { allowZeroReference: true }), n).toBeLessThan(1e-4);
    }
  });
});
