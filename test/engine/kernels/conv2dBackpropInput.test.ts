import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src-main/engine/config.js';
import { registerVaeGradients } from '../../../src-main/engine/gradients.js';
import { registerWasmKernels } from '../../../src-main/engine/kernels/index.js';
import {
  conv2dBackpropInputWasmConfig,
  isFastConv2dBackpropInput,
} from '../../../src-main/engine/kernels/wasm/conv2dBackpropInput.js';
import { negElboTerms, noise } from '../../../src-main/engine/loss.js';
import { CONV_PAD, VaeModel } from '../../../src-main/engine/model.js';
import { Rng } from '../../../src-main/engine/rng.js';
import type { VaeConfig } from '../../../src-main/engine/types.js';
import { randomValues, relativeError, size, useBackend } from './kernelTestData.js';

type Shape4 = [number, number, number, number];
type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil';

/** One Conv2DBackpropInput call: `input` is dx's shape, `filter` the forward conv's [KH, KW, C, O]. */
interface Case {
  name: string;
  input: Shape4;
  filter: Shape4;
  strides: [number, number];
  pad: Pad;
  dimRoundingMode?: Rounding;
}

/** dy's shape: the output of the forward conv whose input gradient this is. */
function dyShape(c: Case): Shape4 {
  const info = tf.backend_util.computeConv2DInfo(c.input, c.filter, c.strides, 1, c.pad, c.dimRoundingMode);
  return info.outShape;
}

function attrsOf(c: Case, extra: Record<string, unknown> = {}): tf.NamedAttrMap {
  return {
    strides: c.strides,
    pad: c.pad,
    dataFormat: 'NHWC',
    dimRoundingMode: c.dimRoundingMode,
    inputShape: c.input,
    ...extra,
  } as unknown as tf.NamedAttrMap;
}

/** Runs the registered Conv2DBackpropInput on the current backend and copies dx out. */
function backpropInput(c: Case, dyValues: Float32Array, filterValues: Float32Array): Float32Array {
  return tf.tidy(() => {
    const dy = tf.tensor4d(dyValues, dyShape(c));
    const filter = tf.tensor4d(filterValues, c.filter);
    const out = tf.engine().runKernel<tf.Tensor>('Conv2DBackpropInput', { dy, filter }, attrsOf(c));
    expect(out.shape).toEqual(c.input);
    return out.dataSync() as Float32Array;
  });
}

/** Seeded random shapes: odd and even sizes, kernels 1–5, strides 1–3 (some non-square), every pad kind. */
function randomCases(count: number): Case[] {
  const rng = new Rng(42);
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)] as T;
  const cases: Case[] = [];
  while (cases.length < count) {
    const i = cases.length;
    const k = pick([1, 2, 3, 4, 5]);
    // Strides 1 and 2 most of the time, as the VAE uses; 3 and non-square now and then.
    const strides: [number, number] =
      i % 7 === 6 ? [pick([1, 2, 3]), pick([1, 2, 3])] : [i % 3 === 0 ? 1 : 2, 0];
    if (strides[1] === 0) strides[1] = strides[0];
    const pads: Pad[] = [
      'same',
      'valid',
      pick([0, 1, 2]),
      [
        [0, 0],
        [pick([0, 1, 2]), pick([0, 1, 3])],
        [pick([0, 1, 2]), pick([0, 1, 3])],
        [0, 0],
      ],
    ];
    const pad = pads[i % pads.length] ?? 'same';
    const c: Case = {
      name: '',
      input: [pick([1, 2, 3, 5]), 1 + rng.int(11), 1 + rng.int(11), pick([1, 2, 3, 8, 17])],
      filter: [k, pick([k, k, 1, 3]), 0, pick([1, 2, 5, 16])],
      strides,
      pad,
    };
    c.filter[2] = c.input[3];
    if (typeof pad === 'number') c.dimRoundingMode = pick(['floor', 'ceil', 'round'] as const);
    try {
      const [, oh, ow] = dyShape(c);
      if (oh <= 0 || ow <= 0) continue;
    } catch {
      continue; // a kernel larger than the padded input
    }
    c.name = `#${i} dx[${c.input.join(',')}] w[${c.filter.join(',')}] s[${strides.join(',')}] pad ${JSON.stringify(pad)}${c.dimRoundingMode === undefined ? '' : ` ${c.dimRoundingMode}`}`;
    cases.push(c);
  }
  return cases;
}

/** The decoder layers of std28 and std64 (convT(4, 2) with PyTorch's padding=1) at a small batch, and oddities. */
const FIXED_CASES: Case[] = [
  {
    name: 'std28 convT0 (k4 s2 p1, 7→14)',
    input: [3, 14, 14, 32],
    filter: [4, 4, 32, 64],
    strides: [2, 2],
    pad: CONV_PAD,
  },
  {
    name: 'std28 convT1 (1 channel out)',
    input: [2, 28, 28, 1],
    filter: [4, 4, 1, 32],
    strides: [2, 2],
    pad: CONV_PAD,
  },
  {
    name: 'std64 convT3 (3 channels out)',
    input: [2, 64, 64, 3],
    filter: [4, 4, 3, 32],
    strides: [2, 2],
    pad: CONV_PAD,
  },
  {
    name: 'std64 convT1, batch 1',
    input: [1, 16, 16, 64],
    filter: [4, 4, 64, 128],
    strides: [2, 2],
    pad: CONV_PAD,
  },
  {
    name: 'k4 s2 pad 1 on an odd input',
    input: [2, 7, 9, 3],
    filter: [4, 4, 3, 5],
    strides: [2, 2],
    pad: 1,
    dimRoundingMode: 'ceil',
  },
  {
    name: 'kernel smaller than stride',
    input: [2, 9, 8, 2],
    filter: [1, 2, 2, 3],
    strides: [3, 3],
    pad: 'valid',
  },
  { name: 'strides [2,1] same', input: [2, 7, 9, 3], filter: [3, 3, 3, 4], strides: [2, 1], pad: 'same' },
  { name: 'strides [1,3] same', input: [2, 7, 9, 3], filter: [3, 5, 3, 4], strides: [1, 3], pad: 'same' },
  {
    name: 'explicit pad larger than the kernel (dy rows that only met padding)',
    input: [2, 6, 6, 2],
    filter: [2, 2, 2, 3],
    strides: [2, 2],
    pad: [
      [0, 0],
      [3, 0],
      [0, 3],
      [0, 0],
    ],
  },
  { name: '1×1 input', input: [2, 1, 1, 4], filter: [3, 3, 4, 2], strides: [2, 2], pad: 'same' },
];

const CASES = [...FIXED_CASES, ...randomCases(48)];

/** The wasm package's own kernel, captured before registerWasmKernels replaces it. */
let packageKernel: tf.KernelConfig | undefined;

beforeAll(async () => {
  // getKernel is typed as always finding one; it returns undefined when none is registered.
  const found: tf.KernelConfig | undefined = tf.getKernel('Conv2DBackpropInput', 'wasm');
  packageKernel = found;
  // Replace before the wasm backend initialises, as the app does: the package kernel's setup must still run.
  registerWasmKernels();
  registerVaeGradients();
  await useBackend('wasm');
});

describe('Conv2DBackpropInput on wasm', () => {
  it('replaces the package kernel, keeps its setup, and registering again changes nothing', () => {
    expect(packageKernel).toBeDefined();
    const replaced = tf.getKernel('Conv2DBackpropInput', 'wasm');
    expect(isFastConv2dBackpropInput(replaced)).toBe(true);
    expect(isFastConv2dBackpropInput(packageKernel)).toBe(false);
    expect(replaced.kernelFunc).not.toBe(packageKernel?.kernelFunc);
    expect(replaced.setupFunc).toBe(packageKernel?.setupFunc);
    registerWasmKernels();
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).toBe(replaced);
    expect(CASES.length).toBeGreaterThanOrEqual(50);
  });

  it.each(CASES.map((c, i) => [c.name, c, i] as const))('matches the cpu kernel: %s', async (_name, c, i) => {
    const dyValues = randomValues(size(dyShape(c)), 1000 + i);
    const filterValues = randomValues(size(c.filter), 2000 + i);
    await useBackend('cpu');
    const ref = backpropInput(c, dyValues, filterValues);
    await useBackend('wasm');
    const got = backpropInput(c, dyValues, filterValues);
    expect(relativeError(got, ref)).toBeLessThan(1e-4);
  });

  it('takes the fast path for NHWC and hands NCHW and dilations to the package kernel', async () => {
    await useBackend('wasm');
    const calls: string[] = [];
    const stub: tf.KernelConfig = {
      kernelName: 'Conv2DBackpropInput',
      backendName: 'wasm',
      kernelFunc: ({ attrs, backend }) => {
        calls.push(attrs?.dataFormat as string);
        const dataId = (backend as tf.KernelBackend).write(new Float32Array(1), [1], 'float32');
        return { dataId, shape: [1], dtype: 'float32' };
      },
    };
    const fast = conv2dBackpropInputWasmConfig(stub);
    const c = FIXED_CASES[4] as Case;
    /** Calls `config`'s kernel directly (not through the registry); returns dx's shape. */
    const run = (config: tf.KernelConfig, extra: Record<string, unknown>, dy = dyShape(c)): number[] =>
      tf.tidy(() => {
        const inputs = { dy: tf.ones(dy), filter: tf.ones(c.filter) };
        const out = config.kernelFunc({ inputs, backend: tf.backend(), attrs: attrsOf(c, extra) });
        return tf.engine().makeTensorFromTensorInfo(out as tf.TensorInfo).shape;
      });
    expect(run(fast, {})).toEqual(c.input);
    expect(calls).toEqual([]);
    expect(run(fast, { dataFormat: 'NCHW' })).toEqual([1]);
    expect(run(fast, { dilations: 2 })).toEqual([1]);
    expect(calls).toEqual(['NCHW', 'NHWC']);
    expect(() => run(conv2dBackpropInputWasmConfig(undefined), { dilations: 2 })).toThrow(
      /dilations \[2,2\] is not supported/,
    );
    expect(() => run(fast, {}, [2, 3, 3, 5])).toThrow(
      /dy has shape \[2,3,3,5\] but the forward conv gives \[2,4,5,5\]/,
    );
  });

  it('falls back to a working package kernel for NCHW (its setup ran although it was replaced first)', async () => {
    const input: Shape4 = [2, 3, 7, 9]; // NCHW
    const filter: Shape4 = [3, 3, 3, 4];
    const attrs = { strides: 2, pad: 'same', dataFormat: 'NCHW', inputShape: input };
    const info = tf.backend_util.computeConv2DInfo(
      input,
      filter,
      2,
      1,
      'same',
      undefined,
      false,
      'channelsFirst',
    );
    const dyv = randomValues(size(info.outShape), 5);
    const wv = randomValues(size(filter), 6);
    const run = (): Float32Array =>
      tf.tidy(() => {
        const dy = tf.tensor4d(dyv, info.outShape);
        const out = tf
          .engine()
          .runKernel<tf.Tensor>('Conv2DBackpropInput', { dy, filter: tf.tensor4d(wv, filter) }, attrs);
        return out.dataSync() as Float32Array;
      });
    await useBackend('cpu');
    const ref = run();
    await useBackend('wasm');
    expect(relativeError(run(), ref)).toBeLessThan(1e-4);
  });

  it('gives exact zeros where the forward conv never read the input', async () => {
    // k1 s3 with one pad row on each side of a 1-row input: the single output row reads the top pad only, so
    // every phase that reaches dx has an all-zero sub-filter.
    const c: Case = {
      name: 'only padding',
      input: [2, 1, 4, 3],
      filter: [1, 1, 3, 2],
      strides: [3, 1],
      pad: [
        [0, 0],
        [1, 1],
        [0, 0],
        [0, 0],
      ],
    };
    expect(dyShape(c)).toEqual([2, 1, 4, 2]);
    await useBackend('wasm');
    const got = backpropInput(c, randomValues(16, 3), randomValues(6, 4));
    expect(Array.from(got)).toEqual(new Array(24).fill(0));
  });

  it('frees every intermediate', async () => {
    await useBackend('wasm');
    for (const c of [FIXED_CASES[0], FIXED_CASES[4], FIXED_CASES[8]] as Case[]) {
      const dyv = randomValues(size(dyShape(c)), 1);
      const wv = randomValues(size(c.filter), 2);
      backpropInput(c, dyv, wv); // warm-up
      const dataIds = tf.backend().numDataIds();
      const tensors = tf.memory().numTensors;
      for (let k = 0; k < 3; k++) backpropInput(c, dyv, wv);
      expect(tf.backend().numDataIds(), c.name).toBe(dataIds);
      expect(tf.memory().numTensors, c.name).toBe(tensors);
    }
  });
});

describe('VAE gradients on wasm with the replaced kernel', () => {
  const configs: VaeConfig[] = [
    { ...defaultConfig(16, 3), width: 4, latentDim: 3 },
    { ...defaultConfig(28, 1), width: 3, latentDim: 2 },
  ];

  /** Every weight's gradient of the −ELBO on the current backend, for a model built from `seed`. */
  function gradients(config: VaeConfig, seed: number): Float32Array[] {
    const model = VaeModel.create(config, seed);
    try {
      return tf.tidy(() => {
        const x = tf.tensor4d(
          randomValues(3 * config.imageSize * config.imageSize * config.channels, seed).map(
            (v) => (v + 1) / 2,
          ),
          [3, config.imageSize, config.imageSize, config.channels],
        );
        const eps = noise(3, config.latentDim, seed);
        const { grads } = tf.variableGrads(() => negElboTerms(model, x, eps, 1, 0).loss, model.variables);
        return model.variables.map((v) => grads[v.name]?.dataSync() as Float32Array);
      });
    } finally {
      model.dispose();
    }
  }

  it.each(configs.map((c, i) => [`${c.imageSize}×${c.imageSize}×${c.channels}`, c, i] as const))(
    'match the cpu backend for every weight, leaking no tensors: %s',
    async (_name, config, i) => {
      await useBackend('cpu');
      const ref = gradients(config, 7 + i);
      await useBackend('wasm');
      gradients(config, 7 + i); // warm-up: the first run on a backend may keep scalars it caches
      const tensors = tf.memory().numTensors;
      const got = gradients(config, 7 + i);
      expect(tf.memory().numTensors).toBe(tensors);
      expect(got.length).toBe(ref.length);
      got.forEach((g, k) => {
        expect(relativeError(g, ref[k] as Float32Array), `weight ${k}`).toBeLessThan(1e-4);
      });
    },
  );
});
