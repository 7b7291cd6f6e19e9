import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { outliersReportSchema, type OutliersReport, type OutliersView } from '../contract/index.js';
import { outlierImageFiles } from '../jobs/index.js';
import type { ProjectLayout } from '../project/index.js';
import { log } from '../util/log.js';
import type { StudioContext } from './context.js';
import { imageFileToDataUrl } from './dataUrl.js';
import { exclusionState } from './exclusionState.js';

/**
 * The newest outlier ranking of the project (`outliers/<time>/outliers.json`), each listed image's `excluded` as
 * it is now, and the pictures the job wrote beside it; null when there is none (or none this version reads).
 */
export async function latestOutliers(
  ctx: StudioContext,
  layout: ProjectLayout,
): Promise<OutliersView | null> {
  const folders = await readdir(layout.outliersDir).catch(() => [] as string[]);
  for (const name of folders
    .filter((n) => !n.startsWith('.'))
    .sort()
    .reverse()) {
    const file = join(layout.outliersDir, name, 'outliers.json');
    let report: OutliersReport;
    try {
      report = outliersReportSchema.parse(JSON.parse(await readFile(file, 'utf8')));
    } catch (err) {
      // A ranking still being written, or one of another version: the one before it.
      log.info('studio', `passing over ${file}`, err);
      continue;
    }
    const isExcluded = await exclusionState(ctx, layout);
    const now = (item: (typeof report.items)[number]) => ({ ...item, excluded: isExcluded(item) });
    report = { ...report, items: report.items.map(now), mostLikely: report.mostLikely.map(now) };
    const dir = dirname(file);
    const images: OutliersView['images'] = {};
    const lists = [
      ['worst', report.items],
      ['likely', report.mostLikely],
    ] as const;
    for (const [list, items] of lists) {
      await Promise.all(
        items.map(async (item, i) => {
          const files = outlierImageFiles(dir, list, i);
          images[item.file] ??= {
            original: await imageFileToDataUrl(files.original),
            reconstruction: await imageFileToDataUrl(files.reconstruction),
          };
        }),
      );
    }
    return { report, images };
  }
  return null;
}
