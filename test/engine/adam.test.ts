import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Adam, ADAM_STEP_NAME, clipScale, globalNorm } from '../../src-main/engine/adam.js';
import { UserError } from '../../src-main/util/errors.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('Adam', () => {
  it('first step equals the closed form p − lr·ĝ/(|ĝ| + ε) and later steps follow the moment recursion', () => {
    const p = tf.variable(tf.tensor1d([1, -2, 3]));
    const adam = new Adam([p], ['p'], { learningRate: 0.1 });
    const g1 = [0.5, -4, 0];
    adam.apply([tf.tensor1d(g1)]);
    // Step 1: m̂ = g, v̂ = g², so the update is lr·g/(|g| + ε).
    const expected1 = [1, -2, 3].map((x, i) => x - (0.1 * g1[i]!) / (Math.abs(g1[i]!) + 1e-8));
    Array.from(p.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected1[i]!, 6));
    // Step 2 by hand, with clipping scale 0.5 applied to the raw gradient.
    const g2 = [1, 1, 2].map((g) => g * 0.5);
    adam.apply([tf.tensor1d([1, 1, 2])], 0.5);
    const expected2 = expected1.map((x, i) => {
      const m = 0.9 * (0.1 * g1[i]!) + 0.1 * g2[i]!;
      const v = 0.999 * (0.001 * g1[i]! ** 2) + 0.001 * g2[i]! ** 2;
      const mHat = m / (1 - 0.9 ** 2);
      const vHat = v / (1 - 0.999 ** 2);
      return x - (0.1 * mHat) / (Math.sqrt(vHat) + 1e-8);
    });
    Array.from(p.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected2[i]!, 5));
    expect(adam.step).toBe(2);
    adam.dispose();
  });

  it('with a warm-up, ramps the rate linearly: step t of N moves a weight by lr·t/N, then by lr', () => {
    const p = tf.variable(tf.tensor1d([0]));
    const adam = new Adam([p], ['p'], { learningRate: 0.1, warmupSteps: 4 });
    // A constant gradient keeps m̂/√v̂ at 1, so each step moves p by exactly that step's rate.
    const moves: number[] = [];
    for (let t = 1; t <= 6; t++) {
      const before = p.dataSync()[0]!;
      adam.apply([tf.tensor1d([2])]);
      moves.push(before - p.dataSync()[0]!);
    }
    [0.025, 0.05, 0.075, 0.1, 0.1, 0.1].forEach((m, i) => expect(moves[i]).toBeCloseTo(m, 6));
    // The rate handed to an update computed elsewhere (ONNX Runtime) is the same ramp, bias-corrected.
    expect(adam.rateAt(2)).toBeCloseTo(0.05, 12);
    expect(new Adam([p], ['p'], { learningRate: 0.1, warmupSteps: 4 }).nextStep().rate).toBeCloseTo(
      0.025 / (1 - 0.9),
      12,
    );
    adam.dispose();
  });

  it('exports and imports its state by name so a resumed optimiser continues identically', async () => {
    const make = (): [tf.Variable, Adam] => {
      const v = tf.variable(
        tf.tensor2d([
          [1, 2],
          [3, 4],
        ]),
      );
      return [v, new Adam([v], ['w'], { learningRate: 0.01 })];
    };
    const [a, adamA] = make();
    const [b, adamB] = make();
    adamA.apply([
      tf.tensor2d([
        [1, -1],
        [2, 0.5],
      ]),
    ]);
    const state = await adamA.getState();
    expect(state.map((s) => s.name)).toEqual([ADAM_STEP_NAME, 'w/m', 'w/v']);
    b.assign(a);
    adamB.setState(state);
    expect(adamB.step).toBe(1);
    const g = tf.tensor2d([
      [0.3, 0.2],
      [-1, 1],
    ]);
    adamA.apply([g]);
    adamB.apply([g]);
    expect(b.dataSync()).toEqual(a.dataSync());
    expect(() => adamB.setState(state.slice(0, 2))).toThrow(UserError);
    expect(() => adamB.setState(state.slice(0, 2))).toThrow(/w\/v/);
  });
});

describe('gradient clipping', () => {
  it('global norm is √Σ‖g‖² and the clip factor brings it to maxNorm', () => {
    const grads = [tf.tensor1d([3, 0]), tf.tensor2d([[4]]), tf.tensor1d([12])];
    const norm = globalNorm(grads).dataSync()[0]!;
    expect(norm).toBeCloseTo(13, 6);
    const s = clipScale(norm, 6.5);
    expect(s).toBeCloseTo(0.5, 6);
    const clipped = globalNorm(grads.map((g) => tf.mul(g, s))).dataSync()[0]!;
    expect(clipped).toBeCloseTo(6.5, 4);
    expect(clipScale(norm, 100)).toBe(1);
    expect(clipScale(norm, 0)).toBe(1);
    expect(clipScale(NaN, 1)).toBe(1);
  });
});
