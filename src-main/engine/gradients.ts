/**
 * Gradient functions for exactly the kernels the VAE's forward pass and loss use.
 *
 * Why this file exists: tfjs-core's Node entry (dist/tf-core.node.js) registers no gradients at all; they live
 * only in its ESM build (dist/register_all_gradients.js), whose extensionless relative imports Node's ESM loader
 * refuses, and the @tensorflow/tfjs union package that normally loads them is not a dependency. The formulas
 * are those of tfjs-core 4.22's src/gradients/*_grad.ts (Apache-2.0), written against the public API.
 * Registration is idempotent and leaves any gradient that is already registered in place.
 */
import * as tf from '@tensorflow/tfjs-core';

type Saved = tf.Tensor[];
type Attrs = tf.NamedAttrMap;

/** Sums `dy` over the axes that broadcasting added or stretched, so it has `shape` again. */
function unbroadcast(dy: tf.Tensor, shape: number[], outShape: number[]): tf.Tensor {
  const axes = tf.broadcast_util.getReductionAxes(shape, outShape);
  return tf.reshape(axes.length > 0 ? tf.sum(dy, axes) : dy, shape);
}

function binary(
  kernelName: string,
  da: (dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
  db: (dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved: Saved) => {
      const [a, b] = saved as [tf.Tensor, tf.Tensor];
      const d = dy as tf.Tensor;
      const out = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
      return {
        a: () => unbroadcast(da(d, a, b), a.shape, out),
        b: () => unbroadcast(db(d, a, b), b.shape, out),
      };
    },
  };
}

function unaryFromInput(kernelName: string, dx: (dy: tf.Tensor, x: tf.Tensor) => tf.Tensor): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy, saved: Saved) => ({ x: () => dx(dy as tf.Tensor, saved[0]!) }),
  };
}

function unaryFromOutput(kernelName: string, dx: (dy: tf.Tensor, y: tf.Tensor) => tf.Tensor): tf.GradConfig {
  return {
    kernelName,
    outputsToSave: [true],
    gradFunc: (dy, saved: Saved) => ({ x: () => dx(dy as tf.Tensor, saved[0]!) }),
  };
}

function reductionAxes(x: tf.Tensor, attrs: Attrs): number[] {
  return tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
}

const configs: tf.GradConfig[] = [
  binary(
    tf.Add,
    (dy) => dy,
    (dy) => dy,
  ),
  binary(
    tf.Sub,
    (dy) => dy,
    (dy) => tf.neg(dy),
  ),
  binary(
    tf.Multiply,
    (dy, _a, b) => tf.mul(dy, b),
    (dy, a) => tf.mul(dy, a),
  ),
  binary(
    tf.RealDiv,
    (dy, _a, b) => tf.div(dy, b),
    (dy, a, b) => tf.neg(tf.div(tf.mul(dy, a), tf.square(b))),
  ),
  binary(
    tf.Maximum,
    (dy, a, b) => tf.mul(dy, tf.cast(tf.greaterEqual(a, b), 'float32')),
    (dy, a, b) => tf.mul(dy, tf.cast(tf.less(a, b), 'float32')),
  ),
  unaryFromInput(tf.Relu, (dy, x) => tf.mul(dy, tf.step(x))),
  unaryFromInput(tf.Abs, (dy, x) => tf.mul(dy, tf.step(x, -1))),
  unaryFromInput(tf.Log1p, (dy, x) => tf.div(dy, tf.add(x, 1))),
  unaryFromInput(tf.Square, (dy, x) => tf.mul(dy, tf.mul(x, 2))),
  unaryFromOutput(tf.Exp, (dy, y) => tf.mul(dy, y)),
  unaryFromOutput(tf.Sigmoid, (dy, y) => tf.mul(dy, tf.mul(y, tf.sub(1, y)))),
  { kernelName: tf.Neg, gradFunc: (dy) => ({ x: () => tf.neg(dy as tf.Tensor) }) },
  unaryFromInput(tf.Reshape, (dy, x) => tf.reshape(dy, x.shape)),
  {
    kernelName: tf.Sum,
    inputsToSave: ['x'],
    gradFunc: (dy, saved: Saved, attrs: Attrs) => {
      const x = saved[0]!;
      const kept = tf.backend_util.expandShapeToKeepDim((dy as tf.Tensor).shape, reductionAxes(x, attrs));
      return { x: () => tf.mul(tf.reshape(dy as tf.Tensor, kept), tf.ones(x.shape)) };
    },
  },
  {
    kernelName: tf.Mean,
    inputsToSave: ['x'],
    gradFunc: (dy, saved: Saved, attrs: Attrs) => {
      const x = saved[0]!;
      const axes = reductionAxes(x, attrs);
      const count = axes.reduce((n, a) => n * x.shape[a]!, 1);
      const kept = tf.backend_util.expandShapeToKeepDim((dy as tf.Tensor).shape, axes);
      return { x: () => tf.div(tf.mul(tf.reshape(dy as tf.Tensor, kept), tf.ones(x.shape)), count) };
    },
  },
  {
    kernelName: tf.Slice,
    inputsToSave: ['x'],
    gradFunc: (dy, saved: Saved, attrs: Attrs) => {
      const x = saved[0]!;
      const [begin, size] = tf.slice_util.parseSliceParams(
        x,
        attrs.begin as number[],
        attrs.size as number[],
      );
      const paddings = x.shape.map((d, i): [number, number] => [begin![i]!, d - begin![i]! - size![i]!]);
      return { x: () => tf.pad(dy as tf.Tensor, paddings) };
    },
  },
  {
    // A conditional model joins the one-hot label to the features (model.ts): dy is cut back into one slice per
    // input along the joined axis (tfjs's Concat_grad uses split; slices need no SplitV kernel on any backend).
    kernelName: tf.Concat,
    saveAllInputs: true,
    gradFunc: (dy, saved: Saved, attrs: Attrs) => {
      const axis = tf.util.parseAxisParam(attrs.axis as number, saved[0]!.shape)[0]!;
      const d = dy as tf.Tensor;
      let offset = 0;
      const grads: Record<string, () => tf.Tensor> = {};
      saved.forEach((input, i) => {
        const begin = d.shape.map((_, a) => (a === axis ? offset : 0));
        const size = d.shape.map((n, a) => (a === axis ? input.shape[a]! : n));
        offset += input.shape[axis]!;
        grads[i] = () => tf.slice(d, begin, size);
      });
      return grads;
    },
  },
  {
    kernelName: tf.BatchMatMul,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved: Saved, attrs: Attrs) => {
      const [a, b] = saved as [tf.Tensor3D, tf.Tensor3D];
      const d = dy as tf.Tensor3D;
      const ta = attrs.transposeA as boolean;
      const tb = attrs.transposeB as boolean;
      // The four cases of tfjs's BatchMatMul_grad; batch dims match here (matMul reshapes to rank 3).
      if (!ta && !tb) return { a: () => tf.matMul(d, b, false, true), b: () => tf.matMul(a, d, true, false) };
      if (!ta && tb) return { a: () => tf.matMul(d, b, false, false), b: () => tf.matMul(d, a, true, false) };
      if (ta && !tb) return { a: () => tf.matMul(b, d, false, true), b: () => tf.matMul(a, d, false, false) };
      return { a: () => tf.matMul(b, d, true, true), b: () => tf.matMul(d, a, true, true) };
    },
  },
  {
    kernelName: tf.Conv2D,
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved: Saved, attrs: Attrs) => {
      const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      const { strides, pad, dataFormat, dimRoundingMode } = attrs;
      return {
        x: () =>
          tf.engine().runKernel(tf.Conv2DBackpropInput, { dy: dy as tf.Tensor, filter }, {
            strides,
            pad,
            dataFormat,
            dimRoundingMode,
            inputShape: x.shape,
          } as unknown as Attrs),
        filter: () =>
          tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy: dy as tf.Tensor }, {
            strides,
            pad,
            dataFormat,
            dimRoundingMode,
            filterShape: filter.shape,
          } as unknown as Attrs),
      };
    },
  },
  {
    kernelName: tf.Conv2DBackpropInput,
    inputsToSave: ['dy', 'filter'],
    gradFunc: (ddx, saved: Saved, attrs: Attrs) => {
      const [dy, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      const { strides, pad, dataFormat, dimRoundingMode } = attrs;
      return {
        dy: () =>
          tf.engine().runKernel(tf.Conv2D, { x: ddx as tf.Tensor, filter }, {
            strides,
            pad,
            dataFormat,
            dilations: 1,
            dimRoundingMode,
          } as unknown as Attrs),
        filter: () =>
          tf.engine().runKernel(tf.Conv2DBackpropFilter, { x: ddx as tf.Tensor, dy }, {
            strides,
            pad,
            dataFormat,
            dimRoundingMode,
            filterShape: filter.shape,
          } as unknown as Attrs),
      };
    },
  },
];

/** Kernel names this module provides gradients for. */
export const GRADIENT_KERNELS: readonly string[] = configs.map((c) => c.kernelName);

/**
 * Registers the VAE's gradients with tfjs unless a gradient for that kernel is already registered (for example
 * by @tensorflow/tfjs). Cheap and idempotent; the trainer calls it before its first gradient.
 */
export function registerVaeGradients(): void {
  for (const c of configs) {
    if (tf.getGradient(c.kernelName) === undefined) tf.registerGradient(c);
  }
}
