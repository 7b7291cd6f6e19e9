import type { StudioContext } from '../context.js';
import { toDataUrl } from '../dataUrl.js';
import { requireDataset, requireModel } from '../guards.js';
import { UserError } from '../../util/errors.js';
import type { HandlersOf } from './types.js';

/** `model.*`: what the current model makes of one dataset image (the large view's reconstruction). */
export function registerModelHandlers(ctx: StudioContext): HandlersOf<'model'> {
  return {
    'model.reconstruct': async ({ index }) => {
      const { layout } = await requireModel(ctx);
      const { manifest } = await requireDataset(ctx);
      if (index >= manifest.count) {
        throw new UserError(
          'INVALID_INPUT',
          `index: ${index} is out of range; the dataset has ${manifest.count} images`,
        );
      }
      const job = ctx.runner.start(
        'reconstruct',
        { project: layout.root, index, backend: ctx.backend },
        () => undefined,
      );
      const { original, reconstruction, path, label } = await job.result;
      return { index, path, label, original: toDataUrl(original), reconstruction: toDataUrl(reconstruction) };
    },
  };
}
