import { VaeModel } from '../engine/index.js';
import { requireLatestCheckpoint, type Checkpoint, type ProjectLayout } from '../project/index.js';

/** The project's latest model, ready to encode and decode. The caller disposes `model`. */
export async function loadTrainedModel(
  layout: ProjectLayout,
): Promise<{ model: VaeModel; checkpoint: Checkpoint }> {
  const checkpoint = await requireLatestCheckpoint(layout);
  const model = VaeModel.create(checkpoint.meta.config, checkpoint.meta.trainOptions.seed);
  try {
    model.setWeights(checkpoint.weights);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return { model, checkpoint };
}
