import { VaeModel } from '../engine/index.js';
import { requireLatestCheckpoint, type Checkpoint, type ProjectLayout } from '../project/index.js';
import { log } from '../util/log.js';
import { logEvent, type EmitJobEvent } from './events.js';

/**
 * The project's latest model, verified (sizes, checksums, finite values), ready to encode and decode. When the
 * checkpoint `latest.json` names is missing or damaged, the newest intact earlier one is used and its note is
 * said through `emit` (the CLI prints it), or logged. The caller disposes `model`.
 *
 * @throws UserError NO_MODEL, or BAD_CHECKPOINT naming the damaged file when no intact checkpoint is left.
 */
export async function loadTrainedModel(
  layout: ProjectLayout,
  emit?: EmitJobEvent,
): Promise<{ model: VaeModel; checkpoint: Checkpoint }> {
  const checkpoint = await requireLatestCheckpoint(layout);
  if (checkpoint.note) {
    if (emit) emit(logEvent(checkpoint.note));
    else log.info('jobs', checkpoint.note);
  }
  const model = VaeModel.create(checkpoint.meta.config, checkpoint.meta.trainOptions.seed);
  try {
    model.setWeights(checkpoint.weights);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return { model, checkpoint };
}
