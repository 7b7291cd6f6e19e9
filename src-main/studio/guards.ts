import type { DatasetManifest } from '../dataset/index.js';
import { readLatestCheckpointMeta, type CheckpointMeta, type ProjectLayout } from '../project/index.js';
import { UserError } from '../util/errors.js';
import type { StudioContext } from './context.js';

/**
 * The current project and its dataset.
 *
 * @throws UserError NO_PROJECT, or NO_DATASET when nothing has been imported yet.
 */
export async function requireDataset(
  ctx: StudioContext,
): Promise<{ layout: ProjectLayout; manifest: DatasetManifest }> {
  const layout = ctx.project.require();
  const manifest = await ctx.datasets.manifest(layout.datasetDir);
  if (!manifest) {
    throw new UserError('NO_DATASET', `${layout.root} has no dataset yet; import a folder of images first`);
  }
  return { layout, manifest };
}

/**
 * The current project and its latest checkpoint's metadata.
 *
 * @throws UserError NO_PROJECT, or NO_MODEL when no model has been trained yet.
 */
export async function requireModel(
  ctx: StudioContext,
): Promise<{ layout: ProjectLayout; checkpoint: { dir: string; meta: CheckpointMeta } }> {
  const layout = ctx.project.require();
  const checkpoint = await readLatestCheckpointMeta(layout);
  if (!checkpoint)
    throw new UserError('NO_MODEL', `${layout.root} has no trained model yet; train one first`);
  return { layout, checkpoint };
}
