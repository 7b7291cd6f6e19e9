import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { UserError } from '../util/errors.js';
import { realpathInside } from '../util/pathContainment.js';
import type { StudioContext } from './context.js';
import { resolveRequestPath } from './paths.js';

/**
 * The real path of an output folder of the current project that a client may download: a folder inside its
 * generated/ or interpolations/ folder once every link is followed (util/pathContainment.ts), never the project's
 * dataset, checkpoints or anything else on the disk. A relative path is taken inside the project.
 *
 * @throws UserError NO_PROJECT; NOT_FOUND when there is no such folder; NOT_AN_OUTPUT when it lies elsewhere.
 */
export async function resolveOutputFolder(ctx: StudioContext, path: string): Promise<string> {
  const layout = ctx.project.require();
  const folder = resolveRequestPath(layout.root, path, 'folder');
  const info = await stat(folder).catch(() => null);
  if (!info?.isDirectory()) throw new UserError('NOT_FOUND', `there is no folder ${folder}`);
  for (const outputs of [layout.generatedDir, layout.interpolationsDir]) {
    const real = await realpathInside(outputs, folder);
    if (real !== null) return real;
  }
  throw new UserError(
    'NOT_AN_OUTPUT',
    `${basename(folder)} is not a folder of generated images or an interpolation of the project ${layout.root}, ` +
      'so it cannot be downloaded from here',
  );
}
