/**
 * Training steps on ONNX Runtime (engine/onnx/trainingGraph.ts): the forward pass, the objective, every gradient,
 * clipping and the Adam update in native CPU code, about three times the wasm backend's images per second on the
 * reference networks, and past PyTorch's best CPU setting (docs/benchmarks.md). The trainer keeps the weights in
 * its tfjs variables and validation, previews and checkpoints on tfjs. Null where ONNX Runtime does not load, or
 * where tfjs trains on a GPU or native TensorFlow, which keep the work.
 */
import { ADAM_DEFAULTS } from '../adam.js';
import { classCount, paramSpecs } from '../config.js';
import {
  ADAM_GRAPH_IO,
  momentInput,
  momentOutput,
  paramInput,
  paramOutput,
  trainingGraph,
  TRAINING_GRAPH_IO,
  type AdamConstants,
} from '../onnx/trainingGraph.js';
import type { NativeTraining, VaeConfig } from '../types.js';
import { createOnnxSession, onnxInPlaceOfTfjs, type OnnxReady } from './onnxRuntime.js';

/**
 * What would run a training step here instead of tfjs, in words ("ONNX Runtime 1.30.0, 2 threads"), or null where
 * tfjs does: what a training host says before a run.
 */
export async function nativeTrainingRuntime(): Promise<string | null> {
  return (await onnxInPlaceOfTfjs('training'))?.runtime ?? null;
}

/**
 * Training steps of `config` (free bits `freeBits`, fixed for a run; Adam's β1, β2 and ε those the trainer's
 * Adam uses, engine/adam.ts's {@link ADAM_DEFAULTS}) outside tfjs, or null (see above).
 */
export async function nativeTraining(config: VaeConfig, freeBits: number): Promise<NativeTraining | null> {
  const available = await onnxInPlaceOfTfjs('training');
  if (!available) return null;
  return onnxTraining(available, config, freeBits, ADAM_DEFAULTS);
}

async function onnxTraining(
  available: OnnxReady,
  config: VaeConfig,
  freeBits: number,
  adam: AdamConstants,
): Promise<NativeTraining> {
  const session = await createOnnxSession(available, trainingGraph(config, freeBits, adam));
  const specs = paramSpecs(config);
  const sizes = specs.map((s) => s.shape.reduce((a, b) => a * b, 1));
  const { imageSize: size, channels, latentDim: L } = config;
  const K = classCount(config);
  const calibrated = config.likelihood === 'gaussian-optimal';
  const { Tensor } = available.ort;
  const IO = TRAINING_GRAPH_IO;
  const A = ADAM_GRAPH_IO;
  const fetches = [
    IO.loss,
    IO.reconstruction,
    IO.kl,
    A.gradNorm,
    ...(calibrated ? [IO.mse] : []),
    ...specs.flatMap((_, i) => [paramOutput(i), momentOutput(i, 'm'), momentOutput(i, 'v')]),
  ];
  const scalar = (value: number): InstanceType<typeof Tensor> =>
    new Tensor('float32', Float32Array.of(value), []);
  return {
    runtime: available.runtime,
    async step(input) {
      const { n, x, eps, y } = input;
      if (x.length !== n * size * size * channels || eps.length !== n * L)
        throw new Error(`a batch of ${n} needs ${n}×${size}×${size}×${channels} pixels and ${n}×${L} ε`);
      if (K > 0 !== (y !== undefined) || (y !== undefined && y.length !== n * K))
        throw new Error(
          K > 0 ? `the model needs [${n}, ${K}] class labels` : 'the model takes no class labels',
        );
      const feeds: Record<string, InstanceType<typeof Tensor>> = {
        [IO.x]: new Tensor('float32', x, [n, size, size, channels]),
        [IO.eps]: new Tensor('float32', eps, [n, L]),
        [IO.beta]: scalar(input.beta),
        [IO.invBatch]: scalar(1 / n),
        [A.rate]: scalar(input.rate),
        [A.c2]: scalar(input.c2),
        [A.clipNorm]: scalar(input.clipNorm),
      };
      if (y !== undefined) feeds[IO.y] = new Tensor('float32', y, [n, K]);
      specs.forEach((spec, i) => {
        for (const [name, values] of [
          [paramInput(i), input.params[i]],
          [momentInput(i, 'm'), input.m[i]],
          [momentInput(i, 'v'), input.v[i]],
        ] as const) {
          if (values === undefined || values.length !== sizes[i])
            throw new Error(
              `${name} of ${spec.name} has ${values?.length} values for [${spec.shape.join(', ')}]`,
            );
          feeds[name] = new Tensor('float32', values, spec.shape);
        }
      });
      const out = await session.run(feeds, fetches);
      const first = (name: string): number => (out[name]!.data as Float32Array)[0]!;
      const all = (name: (i: number) => string): Float32Array[] =>
        specs.map((_, i) => out[name(i)]!.data as Float32Array);
      return {
        loss: first(IO.loss),
        reconstruction: first(IO.reconstruction),
        kl: first(IO.kl),
        meanSquaredError: calibrated ? first(IO.mse) : 0,
        gradNorm: first(A.gradNorm),
        params: all(paramOutput),
        m: all((i) => momentOutput(i, 'm')),
        v: all((i) => momentOutput(i, 'v')),
      };
    },
    dispose() {
      void session.release().catch(() => undefined);
    },
  };
}
