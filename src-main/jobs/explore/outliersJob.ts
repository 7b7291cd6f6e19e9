import { join } from 'node:path';
import type { OutlierItem, OutliersReport } from '../../contract/index.js';
import { scoreImages } from '../../engine/index.js';
import { resolveBackend, type BackendPreference } from '../../engine/node/index.js';
import { openProject } from '../../project/index.js';
import { UserError } from '../../util/errors.js';
import { makeFolder } from '../../util/folders.js';
import { ignoreEvents, jobEvent, logEvent, type JobContext } from '../events.js';
import { loadTrainedModel } from '../loadModel.js';
import { writeJsonAtomic } from '../../util/atomicWrite.js';
import { writeOutlierImages, writeScoresCsv } from './outlierFiles.js';
import { readScoredImages } from './scoredImages.js';

export interface OutliersJobInput {
  project: string;
  /** Score this folder's images (decoded like the dataset) instead of the project's dataset. */
  data?: string;
  /** How many of the worst images the report lists (the CSV has every image). Default 50. */
  top?: number;
  /** Posterior samples per image (engine/imageScores.ts). Default 4. */
  samples?: number;
  seed?: number;
  backend?: BackendPreference;
}

export type OutliersJobResult = OutliersReport;

/** How many of the most likely images (the lowest −ELBO) the report lists beside the worst: the OOD caveat's. */
export const MOST_LIKELY_SHOWN = 12;

/**
 * Ranks the dataset's images (or another folder's) by how badly the project's model explains them: each image's
 * −ELBO with its reconstruction term, KL and importance-weighted bound (engine/imageScores.ts; a conditional model's
 * under the image's own class), worst first. Writes `outliers/<time>/` in the project: outliers.json (the report),
 * scores.csv (every image) and images/ (each listed image beside its reconstruction). Beside the worst it lists the
 * most likely images (the lowest −ELBO), which a likelihood alone would call the most typical and which may be
 * out of distribution all the same (Nalisnick et
 * al. 2019; docs/explore.md).
 */
export async function runOutliers(input: OutliersJobInput, ctx: JobContext = {}): Promise<OutliersJobResult> {
  const emit = ctx.emit ?? ignoreEvents;
  const started = performance.now();
  const top = input.top ?? 50;
  if (!Number.isInteger(top) || top < 1)
    throw new UserError('INVALID_INPUT', `top: must be a whole number ≥ 1, got ${top}`);
  const project = await openProject(input.project);
  const { layout } = project;
  await resolveBackend(input.backend ?? 'auto');
  const { model, checkpoint } = await loadTrainedModel(layout, emit);
  try {
    const scored = await readScoredImages(layout, model.config, input.data, ctx);
    const total = scored.images.count;
    emit(logEvent(`scoring ${total} images of ${scored.folder}`));
    emit(jobEvent('outliers.progress', { done: 0, total }));
    const scores = await scoreImages(model, scored.images, {
      samples: input.samples ?? 4,
      seed: input.seed ?? 0,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      onProgress: (p) => emit(jobEvent('outliers.progress', { done: p.images, total: p.count })),
    });
    // Median and MAD, not mean and sd: the outliers looked for must not set the scale they are judged on.
    const { median, spread } = robustScale(scores.negElbo);
    const order = Array.from({ length: total }, (_, i) => i).sort(
      (a, b) => scores.negElbo[b]! - scores.negElbo[a]! || a - b,
    );
    const rankOf = new Int32Array(total);
    order.forEach((i, r) => (rankOf[i] = r + 1));
    const itemOf = (i: number): OutlierItem => ({
      file: scored.files[i]!,
      label: scored.labels[i] ?? '',
      index: scored.indices?.[i] ?? null,
      rank: rankOf[i]!,
      negElbo: scores.negElbo[i]!,
      reconstruction: scores.reconstruction[i]!,
      kl: scores.kl[i]!,
      iwBound: scores.iwBound[i]!,
      typicality: spread > 0 ? (scores.negElbo[i]! - median) / spread : 0,
      excluded: scored.excluded.has(i),
    });
    const all = order.map(itemOf);
    const worst = all.slice(0, top);
    // The other end of the ranking: what a likelihood alone calls the most typical (docs/explore.md).
    const mostLikely = all.slice(-Math.min(top, MOST_LIKELY_SHOWN)).reverse();

    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const dir = join(layout.outliersDir, stamp);
    await makeFolder(layout.outliersDir);
    await makeFolder(dir);
    const positionOf = new Map(order.map((i, r) => [r + 1, i]));
    const report: OutliersReport = {
      report: join(dir, 'outliers.json'),
      csv: join(dir, 'scores.csv'),
      createdAt: new Date().toISOString(),
      model: { checkpoint: checkpoint.dir, epoch: checkpoint.meta.epoch },
      scored: { source: scored.source, folder: scored.folder, count: total },
      likelihood: model.config.likelihood,
      samples: scores.samples,
      medianNegElbo: median,
      spreadNegElbo: spread,
      items: worst,
      mostLikely,
      excluded: scored.excludedCount,
      seconds: 0,
    };
    await writeScoresCsv(report.csv, all);
    await writeOutlierImages(dir, model, scored.images, report, (item) => positionOf.get(item.rank)!);
    report.seconds = (performance.now() - started) / 1000;
    await writeJsonAtomic(report.report, report);
    emit(logEvent(`ranking: ${report.csv}`));
    return report;
  } finally {
    model.dispose();
  }
}

/**
 * The median of `values` and their spread as a robust standard deviation, 1.4826 × the median absolute deviation
 * (equal to σ for a normal distribution, and moved by no handful of extreme values).
 */
export function robustScale(values: Float64Array): { median: number; spread: number } {
  const median = medianOf(Float64Array.from(values));
  const deviations = Float64Array.from(values, (v) => Math.abs(v - median));
  return { median, spread: 1.4826 * medianOf(deviations) };
}

function medianOf(values: Float64Array): number {
  if (values.length === 0) return 0;
  values.sort();
  const mid = values.length >> 1;
  return values.length % 2 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
}
