import { excludedIndices, readExclusions, type ProjectLayout } from '../project/index.js';
import type { StudioContext } from './context.js';

/**
 * Whether a ranked image is excluded from training now: a dataset image (by index, still the same file) whose
 * file the project's exclusions name. An image of another folder never is.
 */
export async function exclusionState(
  ctx: StudioContext,
  layout: ProjectLayout,
): Promise<(item: { index: number | null; file: string }) => boolean> {
  const manifest = await ctx.datasets.manifest(layout.datasetDir);
  if (!manifest) return () => false;
  const excluded = new Set(excludedIndices(manifest, await readExclusions(layout)));
  return (item) =>
    item.index !== null && manifest.items[item.index]?.path === item.file && excluded.has(item.index);
}
