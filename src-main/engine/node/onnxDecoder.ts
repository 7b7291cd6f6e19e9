/**
 * A model's decoder on ONNX Runtime (engine/onnx/decoderGraph.ts), for the long decode loops: the
 * {@link NativeDecoder} the quality job hands to the importance-weighted likelihood (generation stays on tfjs:
 * PNG encoding bounds it, and ONNX Runtime's calls made it slower, 560 against 676 images/s). Null where ONNX
 * Runtime does not load, or where tfjs runs on a GPU or native TensorFlow (they decode on tfjs then).
 */
import type { VaeModel } from '../model.js';
import { decoderGraph, DECODER_GRAPH_IO } from '../onnx/decoderGraph.js';
import type { NativeDecoder } from '../types.js';
import { createOnnxSession, onnxInPlaceOfTfjs } from './onnxRuntime.js';

export async function nativeDecoder(model: VaeModel): Promise<NativeDecoder | null> {
  const available = await onnxInPlaceOfTfjs('decoding');
  if (!available) return null;
  const { latentDim: L, imageSize: size, channels } = model.config;
  const K = model.labelSize;
  const session = await createOnnxSession(available, decoderGraph(model.plan, L, await model.readWeights()));
  const { Tensor } = available.ort;
  return {
    runtime: available.runtime,
    async decodeLogits(z, n, y) {
      if (z.length !== n * L) throw new Error(`${z.length} latent values for ${n} × ${L}`);
      if (K > 0 !== (y !== undefined) || (y !== undefined && y.length !== n * K)) {
        throw new Error(
          K > 0 ? `the model needs [${n}, ${K}] class labels` : 'the model takes no class labels',
        );
      }
      const feeds: Record<string, InstanceType<typeof Tensor>> = {
        [DECODER_GRAPH_IO.z]: new Tensor('float32', z, [n, L]),
      };
      if (y !== undefined) feeds[DECODER_GRAPH_IO.y] = new Tensor('float32', y, [n, K]);
      const out = await session.run(feeds);
      const logits = out[DECODER_GRAPH_IO.logits]!;
      const values = logits.data as Float32Array;
      if (values.length !== n * size * size * channels)
        throw new Error('the decoder gave logits of another shape');
      return values;
    },
    dispose() {
      void session.release().catch(() => undefined);
    },
  };
}
