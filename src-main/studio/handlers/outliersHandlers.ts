import { excludedIndices, readExclusions, setExcluded } from '../../project/index.js';
import type { StudioContext } from '../context.js';
import { requireDataset, requireModel } from '../guards.js';
import { latestOutliers } from '../outlierReports.js';
import { resolveRequestPath } from '../paths.js';
import type { HandlersOf } from './types.js';

/** `outliers.*` (rank the dataset by how badly the model explains it) and `exclusions.*` (leave images out). */
export function registerOutliersHandlers(ctx: StudioContext): HandlersOf<'outliers' | 'exclusions'> {
  return {
    'outliers.start': async ({ data, top, samples, backend }) => {
      const { layout, checkpoint } = await requireModel(ctx);
      const folder = data ? resolveRequestPath(layout.root, data, 'data') : undefined;
      return ctx.jobs.start({
        kind: 'outliers',
        project: layout.root,
        title: `Rank ${folder ?? 'the dataset'} by the model at epoch ${checkpoint.meta.epoch}`,
        onSettled: (outcome) => {
          if (!outcome.ok && outcome.code !== 'CANCELLED')
            ctx.notify('Outlier ranking failed', outcome.message);
        },
        body: async (scope) => {
          const report = await scope.run('outliers', {
            project: layout.root,
            ...(folder ? { data: folder } : {}),
            top,
            samples,
            backend: backend ?? ctx.backend,
          });
          return { cancelled: false, result: report };
        },
      });
    },

    'outliers.cancel': () => Promise.resolve({ cancelled: ctx.jobs.cancelKind('outliers') }),

    'outliers.latest': () => latestOutliers(ctx, ctx.project.require()),

    'exclusions.set': async ({ files, excluded }) => {
      const { layout, manifest } = await requireDataset(ctx);
      const change = await setExcluded(layout, manifest, files, excluded);
      if (change.changed.length > 0) await ctx.projectChanged(layout.root);
      return change;
    },

    'exclusions.list': async () => {
      const layout = ctx.project.require();
      const listed = await readExclusions(layout);
      const manifest = await ctx.datasets.manifest(layout.datasetDir);
      const indexOf = new Map<string, number>();
      if (manifest)
        for (const i of excludedIndices(manifest, listed)) indexOf.set(manifest.items[i]!.hash, i);
      return listed.map((e) => ({
        path: e.path,
        index: indexOf.get(e.hash) ?? null,
        excludedAt: e.excludedAt,
      }));
    },
  };
}
