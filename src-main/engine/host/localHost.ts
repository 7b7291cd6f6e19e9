/**
 * The training host that runs the engine in this JavaScript context: Node's job worker, the hidden renderer or
 * a browser page. Which backend it activates is the business of the resolver it is given.
 */
import { VaeModel } from '../model.js';
import { Trainer } from '../trainer.js';
import type {
  BackendResolver,
  HostKind,
  HostTrainHooks,
  HostTrainResult,
  NativeTrainingSource,
  TrainingHost,
  TrainRequest,
} from './types.js';

/**
 * A {@link TrainingHost} that builds a {@link VaeModel} and a {@link Trainer} here.
 *
 * @param resolve activates a backend for a preference: engine/node's `resolveBackend` under Node, the
 *   compute page's browser resolver in Chromium.
 * @param host what {@link TrainingHost.describe} calls this context.
 * @param native runs training steps outside tfjs where it can (engine/node's ONNX Runtime); each run asks it
 *   after the backend started, since whether it pays depends on the backend.
 */
export function localTrainingHost(
  resolve: BackendResolver,
  host: HostKind = 'node',
  native?: NativeTrainingSource,
): TrainingHost {
  return {
    async describe(preference) {
      const info = await resolve(preference);
      const steps = (await native?.runtime()) ?? null;
      return { ...info, host, ...(steps ? { native: steps } : {}) };
    },
    async train(request: TrainRequest, hooks: HostTrainHooks = {}): Promise<HostTrainResult> {
      await resolve(request.backend);
      const model = VaeModel.create(request.config, request.options.seed);
      const steps = (await native?.create(request.config, request.options.freeBits)) ?? null;
      try {
        if (request.weights) model.setWeights(request.weights);
        const trainer = new Trainer(model, request.images, request.options, request.state, steps);
        const { onEpoch } = hooks;
        const outcome = await trainer.run({
          ...(hooks.signal ? { signal: hooks.signal } : {}),
          ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
          ...(onEpoch
            ? {
                // Read before the next step changes the variables; asynchronous, as WebGPU needs.
                onEpoch: async (metrics, preview, state) =>
                  onEpoch(metrics, preview, state, await model.readWeights()),
              }
            : {}),
        });
        return { ...outcome, weights: await model.readWeights() };
      } finally {
        steps?.dispose();
        model.dispose();
      }
    },
  };
}
