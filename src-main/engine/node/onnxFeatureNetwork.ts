/**
 * The quality report's feature network on ONNX Runtime (engine/onnx/featureGraph.ts): the {@link FeatureNetwork}
 * of engine/quality/features.ts, native. One session per image size and channel count, made on first use.
 */
import { CancelledError } from '../../util/errors.js';
import { featureGraph, FEATURE_GRAPH_IO } from '../onnx/featureGraph.js';
import {
  DEFAULT_FEATURE_BATCH,
  type FeatureExtractOptions,
  type FeatureNetwork,
  type FeatureTopology,
} from '../quality/features.js';
import type { FeatureSet } from '../quality/featureSet.js';
import type { ImageBatch } from '../types.js';
import { createOnnxSession, type OnnxReady, type OnnxSession } from './onnxRuntime.js';

export function onnxFeatureNetwork(
  available: OnnxReady,
  topology: FeatureTopology,
  weights: Float32Array,
): FeatureNetwork {
  const sessions = new Map<string, Promise<OnnxSession>>();
  const sessionFor = (size: number, channels: 1 | 3): Promise<OnnxSession> => {
    const key = `${size}x${channels}`;
    let session = sessions.get(key);
    if (!session) {
      session = createOnnxSession(available, featureGraph(topology, weights, size, channels));
      sessions.set(key, session);
    }
    return session;
  };

  async function extract(images: ImageBatch, options: FeatureExtractOptions = {}): Promise<FeatureSet> {
    const batchSize = options.batchSize ?? DEFAULT_FEATURE_BATCH;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batch size ${batchSize}`);
    const { size, channels, count } = images;
    const values = new Float32Array(count * topology.dim);
    if (count === 0) return { count, dim: topology.dim, values };
    const session = await sessionFor(size, channels);
    const per = size * size * channels;
    const input = new Float32Array(Math.min(batchSize, count) * per);
    for (let start = 0; start < count; start += batchSize) {
      if (options.signal?.aborted) throw new CancelledError();
      const n = Math.min(batchSize, count - start);
      const pixels = images.pixels.subarray(start * per, (start + n) * per);
      for (let i = 0; i < pixels.length; i++) input[i] = pixels[i]! / 255;
      const feed = new available.ort.Tensor('float32', input.subarray(0, n * per), [n, size, size, channels]);
      const out = await session.run({ [FEATURE_GRAPH_IO.input]: feed });
      const features = out[FEATURE_GRAPH_IO.output]!;
      values.set(features.data as Float32Array, start * topology.dim);
      features.dispose();
      options.onProgress?.({ images: start + n, count });
    }
    return { count, dim: topology.dim, values };
  }

  return {
    name: topology.name,
    runtime: available.runtime,
    dim: topology.dim,
    inputSize: topology.inputSize,
    extract,
    dispose() {
      for (const session of sessions.values()) void session.then((s) => s.release()).catch(() => undefined);
      sessions.clear();
    },
  };
}
