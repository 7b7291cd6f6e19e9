import { basename, dirname, join } from 'node:path';
import { ZodError } from 'zod';
import { describeZodError, type NearCopy, type QualityReport } from '../../contract/index.js';
import { encodeImage, type DatasetManifest } from '../../dataset/index.js';
import { listQualityReports, qualityDir, readDatasetImages, readQualityReport } from '../../jobs/index.js';
import type { ProjectLayout } from '../../project/index.js';
import { UserError } from '../../util/errors.js';
import { isInside, realpathInside } from '../../util/pathContainment.js';
import type { StudioContext } from '../context.js';
import { imageFileToDataUrl, toDataUrl } from '../dataUrl.js';
import { requireModel } from '../guards.js';
import { resolveRequestPath } from '../paths.js';
import type { HandlersOf } from './types.js';

const REPORT_FILE = 'report.json';

/**
 * `quality.*`: score the current model (a job), cancel it, list the project's stored reports for the trend, and
 * read one report with its images.
 */
export function registerQualityHandlers(ctx: StudioContext): HandlersOf<'quality'> {
  return {
    'quality.start': async ({
      count,
      likelihoodImages,
      likelihoodSamples,
      sampler,
      seed,
      allModels,
      backend,
    }) => {
      const { layout, checkpoint } = await requireModel(ctx);
      const epoch = checkpoint.meta.epoch;
      return ctx.jobs.start({
        kind: 'quality',
        project: layout.root,
        title: `Score the model at epoch ${epoch} on ${count} sampled images`,
        onSettled: (outcome) => {
          if (!outcome.ok) {
            if (outcome.code !== 'CANCELLED') ctx.notify('Quality report failed', outcome.message);
          } else ctx.notify('Quality report finished', outcome.result.verdict[0] ?? outcome.result.markdown);
        },
        body: async (scope) => {
          const report = await scope.run('quality', {
            project: layout.root,
            count,
            ...(likelihoodImages === undefined ? {} : { likelihoodImages }),
            likelihoodSamples,
            sampler,
            seed,
            allModels,
            backend: backend ?? ctx.backend,
          });
          return { cancelled: false, result: report };
        },
      });
    },

    'quality.cancel': () => Promise.resolve({ cancelled: ctx.jobs.cancelKind('quality') }),

    'quality.reports': () => listQualityReports(ctx.project.require().root),

    'quality.report': async ({ report: requested, copies: shown }) => {
      const layout = ctx.project.require();
      const file = await reportFile(layout, requested);
      const report = await readReport(file);
      const folder = dirname(file);
      // The scored images of a report on a folder stay in that folder; a model's are copied into the report's.
      const scoredFolder = report.scored.source === 'folder' ? report.scored.folder : null;
      const withImages = async (list: NearCopy[]) => {
        const training = await trainingImages(ctx, layout, list);
        return Promise.all(
          list.map(async (copy, i) => ({
            image: await imageInside([folder, scoredFolder], copy.image),
            ...training[i]!,
          })),
        );
      };
      const copies = await withImages(report.copies.files.slice(0, shown));
      const closest = await withImages(report.copies.closest ?? []);
      const samples = await imageInside([folder], report.samples);
      return { report, folder, samples, copies, closest };
    },
  };
}

/**
 * The report.json a request names, checked to be one of the current project's reports
 * (`quality/<time>/report.json`, links followed).
 *
 * @throws UserError INVALID_INPUT for any other file, NOT_FOUND when it is gone.
 */
async function reportFile(layout: ProjectLayout, requested: string): Promise<string> {
  const reports = qualityDir(layout.root);
  const file = resolveRequestPath(layout.root, requested, 'report');
  const folder = dirname(file);
  if (basename(file) !== REPORT_FILE || dirname(folder) !== reports || basename(folder).startsWith('.')) {
    throw new UserError(
      'INVALID_INPUT',
      `report: ${file} is not one of this project's reports (a ${REPORT_FILE} in a folder of ${reports})`,
    );
  }
  // Lexically inside, and on disk too: a link out of quality/ is not followed.
  if ((await realpathInside(reports, file)) === null) {
    throw new UserError('NOT_FOUND', `report not found: ${file}`);
  }
  return file;
}

/** @throws UserError UNREADABLE when the file is not JSON or not a report of this version. */
async function readReport(file: string): Promise<QualityReport> {
  try {
    return await readQualityReport(file);
  } catch (err) {
    if (err instanceof ZodError) {
      throw new UserError(
        'UNREADABLE',
        `the report ${file} was written by another version of VAE Studio (${describeZodError(err)}); ` +
          'score the model again for a new one',
      );
    }
    if (err instanceof SyntaxError) {
      throw new UserError('UNREADABLE', `cannot read the report ${file}: it is not valid JSON`);
    }
    // A file-system failure (permissions, I/O): the boundary names it (util/fsErrors.ts).
    throw err;
  }
}

/** An image file as a data URL when it lies inside one of `folders` (links followed) and is an image. */
async function imageInside(folders: (string | null)[], file: string): Promise<string | null> {
  for (const folder of folders) {
    if (folder === null || !isInside(folder, file)) continue;
    const real = await realpathInside(folder, file);
    if (real !== null) return imageFileToDataUrl(real);
  }
  return null;
}

/**
 * Each copy's nearest training images from the current dataset, by index. A report names them by index and path;
 * an index whose path is no longer the dataset's (a new import since) gives null rather than another image.
 */
async function trainingImages(
  ctx: StudioContext,
  layout: ProjectLayout,
  copies: NearCopy[],
): Promise<{ training: string | null; pixelTraining: string | null }[]> {
  const manifest = copies.length > 0 ? await ctx.datasets.manifest(layout.datasetDir) : null;
  if (!manifest) return copies.map(() => ({ training: null, pixelTraining: null }));
  const named = copies.flatMap((c): [number, string][] => [
    [c.trainingIndex, c.training],
    [c.pixelTrainingIndex, c.pixelTraining],
  ]);
  const wanted = [...new Set(named.filter(([i, path]) => matches(manifest, i, path)).map(([i]) => i))];
  const pixels = wanted.length > 0 ? await readDatasetImages(layout.datasetDir, manifest, wanted) : [];
  const { size, channels } = manifest;
  const urls = new Map<number, string>();
  await Promise.all(
    pixels.map(async (image, i) =>
      urls.set(wanted[i]!, toDataUrl(await encodeImage(image, size, size, channels, 'png'))),
    ),
  );
  const url = (index: number, path: string) =>
    matches(manifest, index, path) ? (urls.get(index) ?? null) : null;
  return copies.map((c) => ({
    training: url(c.trainingIndex, c.training),
    pixelTraining: url(c.pixelTrainingIndex, c.pixelTraining),
  }));
}

/** The dataset's item `index` is the file a report named (its path relative to the dataset's source). */
function matches(manifest: DatasetManifest, index: number, path: string): boolean {
  const item = manifest.items[index];
  return item !== undefined && (item.path === path || join(manifest.sourceRoot, item.path) === path);
}
