import { join } from 'node:path';
import type { ImageRef } from '../../contract/index.js';
import type { ProjectLayout } from '../../project/index.js';
import { UserError } from '../../util/errors.js';
import type { StudioContext } from '../context.js';
import { toDataUrl } from '../dataUrl.js';
import { requireModel } from '../guards.js';
import { freshFolder, makeFolder, resolveRequestPath, timestampName } from '../paths.js';
import type { HandlersOf } from './types.js';

/** `interpolation.*`: a live preview decoded in memory, and an export of frames, contact sheet and animation. */
export function registerInterpolationHandlers(ctx: StudioContext): HandlersOf<'interpolation'> {
  return {
    'interpolation.preview': async ({ a, b, steps, mode }) => {
      const { layout } = await requireModel(ctx);
      const ends = await resolveEnds(ctx, layout, a, b);
      const preview = ctx.runner.start(
        'interpolate-preview',
        { project: layout.root, ...ends, steps, mode, backend: ctx.backend },
        () => undefined,
      );
      const { frames } = await preview.result;
      return { frames: frames.map((png) => toDataUrl(png)) };
    },

    'interpolation.export': async ({ a, b, steps, mode, animation, out }) => {
      const { layout } = await requireModel(ctx);
      const ends = await resolveEnds(ctx, layout, a, b);
      const folder = out
        ? resolveRequestPath(layout.root, out, 'out')
        : await freshFolder(join(layout.root, 'interpolations'), timestampName());
      await makeFolder(folder, 'out');
      const handle = ctx.jobs.start({
        kind: 'interpolate',
        project: layout.root,
        title: `Interpolate ${steps} frames into ${folder}`,
        body: async (scope) => {
          const result = await scope.run('interpolate', {
            project: layout.root,
            imageA: ends.a,
            imageB: ends.b,
            out: folder,
            steps,
            mode,
            animation,
            backend: ctx.backend,
          });
          const { frames, contactSheet, classA, classB } = result;
          const classes = classA !== undefined && classB !== undefined ? { classA, classB } : {};
          return {
            cancelled: false,
            result: {
              out: result.out,
              frames,
              contactSheet,
              animation: result.animation,
              steps,
              mode,
              ...classes,
            },
          };
        },
      });
      return { ...handle, out: folder };
    },
  };
}

/**
 * Checks both ends before any work starts, so a bad index is an answer naming its field rather than a failed
 * job: dataset indices must exist, files are resolved against the project folder.
 */
async function resolveEnds(
  ctx: StudioContext,
  layout: ProjectLayout,
  a: ImageRef,
  b: ImageRef,
): Promise<{ a: ImageRef; b: ImageRef }> {
  const usesDataset = 'datasetIndex' in a || 'datasetIndex' in b;
  const manifest = usesDataset ? await ctx.datasets.manifest(layout.datasetDir) : null;
  const check = (ref: ImageRef, field: string): ImageRef => {
    if ('file' in ref) {
      const file = resolveRequestPath(layout.root, ref.file, `${field}.file`);
      return ref.class === undefined ? { file } : { file, class: ref.class };
    }
    if (!manifest) {
      throw new UserError(
        'NO_DATASET',
        `${field}.datasetIndex: the project has no dataset; import images first`,
      );
    }
    if (ref.datasetIndex >= manifest.count) {
      throw new UserError(
        'INVALID_INPUT',
        `${field}.datasetIndex: ${ref.datasetIndex} is out of range; the dataset has ${manifest.count} images`,
      );
    }
    return { datasetIndex: ref.datasetIndex };
  };
  return { a: check(a, 'a'), b: check(b, 'b') };
}
