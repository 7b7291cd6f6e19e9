import type { ExplorerDecodeAnswer, ExplorerSaveAnswer, ExplorerStartAnswer } from '../../jobs/index.js';
import type { ExplorerModel } from '../../contract/index.js';
import { UserError } from '../../util/errors.js';
import type { StudioContext } from '../context.js';
import { toDataUrl } from '../dataUrl.js';
import { ExplorerSession } from '../explorerSession.js';
import type { HandlersOf } from './types.js';

/** `explorer.*`: the latent explorer's model, start points, live decodes and saved images. */
export function registerExplorerHandlers(ctx: StudioContext): HandlersOf<'explorer'> {
  const session = new ExplorerSession(ctx);
  return {
    'explorer.model': () => session.ask<ExplorerModel>({ type: 'model' }),

    'explorer.start': async ({ from, class: className }) => {
      if ('datasetIndex' in from) {
        const manifest = await ctx.datasets.manifest(ctx.project.require().datasetDir);
        if (manifest && from.datasetIndex >= manifest.count)
          throw new UserError(
            'INVALID_INPUT',
            `from.datasetIndex: ${from.datasetIndex} is out of range; the dataset has ${manifest.count} images`,
          );
      }
      const answer = await session.ask<ExplorerStartAnswer>({
        type: 'start',
        from,
        ...(className ? { class: className } : {}),
      });
      return {
        z: answer.z,
        ...(answer.class !== undefined ? { class: answer.class } : {}),
        image: toDataUrl(answer.png),
        origin: answer.origin,
      };
    },

    'explorer.decode': async ({ z, class: className }) => {
      const answer = await session.ask<ExplorerDecodeAnswer>({
        type: 'decode',
        z,
        ...(className ? { class: className } : {}),
      });
      return { image: toDataUrl(answer.png), decodeMs: answer.decodeMs };
    },

    'explorer.save': ({ z, class: className, origin }) =>
      session.ask<ExplorerSaveAnswer>({
        type: 'save',
        z,
        origin,
        ...(className ? { class: className } : {}),
      }),
  };
}
