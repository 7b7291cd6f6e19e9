import { join } from 'node:path';
import type { Thumbnail } from '../../contract/index.js';
import { encodeImage } from '../../dataset/index.js';
import { readDatasetImages } from '../../jobs/index.js';
import { excludedIndices, readExclusions, readLatestCheckpointMeta } from '../../project/index.js';
import { UserError } from '../../util/errors.js';
import type { StudioContext } from '../context.js';
import { toDataUrl } from '../dataUrl.js';
import { requireDataset } from '../guards.js';
import { resolveRequestPath } from '../paths.js';
import { checkUpload, uploadFolder, writeUpload } from '../upload.js';
import type { HandlersOf } from './types.js';

/** `dataset.*`: import a folder (a job), upload dropped files, page through the imported images. */
export function registerDatasetHandlers(ctx: StudioContext): HandlersOf<'dataset'> {
  return {
    'dataset.import': async ({ folder, size, channels, fit, background, replaceModel }) => {
      const layout = ctx.project.require();
      // A relative folder is one inside the project, such as an upload batch.
      const source = resolveRequestPath(layout.root, folder, 'folder');
      ctx.jobs.refuseIfBusy('import');
      const model = await readLatestCheckpointMeta(layout);
      if (model && !replaceModel) {
        throw new UserError(
          'REPLACES_MODEL',
          `${layout.root} has a model trained for ${model.meta.epoch} epochs on its current images; importing ` +
            `${source} replaces them, and the model and its images are then archived in the project`,
        );
      }
      const handle = ctx.jobs.start({
        kind: 'import',
        project: layout.root,
        title: `Import ${source} at ${size}×${size}`,
        body: async (scope) => {
          const report = await scope.run('import', {
            folder: source,
            project: layout.root,
            size,
            channels,
            fit,
            ...(background ? { background } : {}),
          });
          await ctx.projectChanged(layout.root);
          const { sourceRoot, scanned, imported, skipped, duplicates, seconds, imagesPerSec } = report;
          const { archivedPrevious } = report;
          return {
            cancelled: false,
            result: {
              sourceRoot,
              scanned,
              imported,
              skipped,
              duplicates,
              seconds,
              imagesPerSec,
              archivedPrevious,
            },
          };
        },
      });
      return handle;
    },

    'dataset.upload': async ({ batch, name, files }) => {
      const layout = ctx.project.require();
      const checked = checkUpload(files);
      // The upload keeps the folder's own name, so the dataset is called what the user called it.
      const folder = await uploadFolder(join(layout.root, 'uploads'), batch, name);
      return { folder, written: await writeUpload(folder, checked) };
    },

    'dataset.list': async ({ offset, limit, label }) => {
      const { layout, manifest } = await requireDataset(ctx);
      const excluded = new Set(excludedIndices(manifest, await readExclusions(layout)));
      const indexed = manifest.items.map((item, index) => ({
        index,
        path: item.path,
        label: item.label,
        ...(excluded.has(index) ? { excluded: true as const } : {}),
      }));
      const matching = label === undefined ? indexed : indexed.filter((item) => item.label === label);
      return { total: matching.length, items: matching.slice(offset, offset + limit) };
    },

    'dataset.thumbnails': async ({ indices }) => {
      const { layout, manifest } = await requireDataset(ctx);
      indices.forEach((index, i) => {
        if (index >= manifest.count) {
          throw new UserError(
            'INVALID_INPUT',
            `indices.${i}: ${index} is out of range; the dataset has ${manifest.count} images`,
          );
        }
      });
      const { size, channels } = manifest;
      const pixels = await readDatasetImages(layout.datasetDir, manifest, indices);
      return Promise.all(
        pixels.map(async (image, i): Promise<Thumbnail> => ({
          index: indices[i]!,
          url: toDataUrl(await encodeImage(image, size, size, channels, 'png')),
        })),
      );
    },
  };
}
