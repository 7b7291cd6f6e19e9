/**
 * Training's gradients on ONNX Runtime (engine/onnx/trainingGraph.ts): the forward pass, the objective and every
 * parameter's gradient of a step in native CPU code, about three times the wasm backend's images per second (and
 * past PyTorch's best CPU setting on the reference networks; docs/benchmarks.md). The trainer keeps Adam, clipping,
 * validation and previews on tfjs. Null where ONNX Runtime does not load, or where tfjs trains on a GPU or native
 * TensorFlow, which keep the work.
 */
import type { VaeConfig, NativeGradients } from '../types.js';
import { gradientOutput, paramInput, trainingGraph, TRAINING_GRAPH_IO } from '../onnx/trainingGraph.js';
import { classCount, paramSpecs } from '../config.js';
import { createOnnxSession, onnxInPlaceOfTfjs, type OnnxReady } from './onnxRuntime.js';

/**
 * The runtime that would compute a training step's gradients here, in words, or null where tfjs does: what a
 * training host's description says before a run.
 */
export async function nativeTrainingRuntime(): Promise<string | null> {
  return (await onnxInPlaceOfTfjs('training'))?.runtime ?? null;
}

/** A session that computes `config`'s training steps (free bits `freeBits`, fixed for a run), or null (see above). */
export async function nativeGradients(config: VaeConfig, freeBits: number): Promise<NativeGradients | null> {
  const available = await onnxInPlaceOfTfjs('training');
  if (!available) return null;
  return onnxGradients(available, config, freeBits);
}

async function onnxGradients(
  available: OnnxReady,
  config: VaeConfig,
  freeBits: number,
): Promise<NativeGradients> {
  const session = await createOnnxSession(available, trainingGraph(config, freeBits));
  const specs = paramSpecs(config);
  const { imageSize: size, channels, latentDim: L } = config;
  const K = classCount(config);
  const calibrated = config.likelihood === 'gaussian-optimal';
  const { Tensor } = available.ort;
  const IO = TRAINING_GRAPH_IO;
  return {
    runtime: available.runtime,
    async compute(params, x, eps, y, n, beta) {
      if (params.length !== specs.length) throw new Error(`${params.length} parameters for ${specs.length}`);
      if (x.length !== n * size * size * channels || eps.length !== n * L)
        throw new Error(`a batch of ${n} needs ${n}×${size}×${size}×${channels} pixels and ${n}×${L} ε`);
      if (K > 0 !== (y !== undefined) || (y !== undefined && y.length !== n * K))
        throw new Error(
          K > 0 ? `the model needs [${n}, ${K}] class labels` : 'the model takes no class labels',
        );
      const feeds: Record<string, InstanceType<typeof Tensor>> = {
        [IO.x]: new Tensor('float32', x, [n, size, size, channels]),
        [IO.eps]: new Tensor('float32', eps, [n, L]),
        [IO.beta]: new Tensor('float32', Float32Array.of(beta), []),
        [IO.invBatch]: new Tensor('float32', Float32Array.of(1 / n), []),
      };
      if (y !== undefined) feeds[IO.y] = new Tensor('float32', y, [n, K]);
      specs.forEach((spec, i) => {
        const values = params[i]!;
        if (values.length !== spec.shape.reduce((a, b) => a * b, 1))
          throw new Error(
            `parameter ${spec.name} has ${values.length} values for [${spec.shape.join(', ')}]`,
          );
        feeds[paramInput(i)] = new Tensor('float32', values as Float32Array, spec.shape);
      });
      const out = await session.run(feeds);
      const first = (name: string): number => (out[name]!.data as Float32Array)[0]!;
      return {
        loss: first(IO.loss),
        reconstruction: first(IO.reconstruction),
        kl: first(IO.kl),
        meanSquaredError: calibrated ? first(IO.mse) : 0,
        gradients: specs.map((_, i) => out[gradientOutput(i)]!.data as Float32Array),
      };
    },
    dispose() {
      void session.release().catch(() => undefined);
    },
  };
}
