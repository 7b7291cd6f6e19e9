import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { GalleryImage } from '../../contract/index.js';
import { readGenerationManifest, type ManifestRow } from '../../jobs/index.js';
import { UserError } from '../../util/errors.js';
import type { StudioContext } from '../context.js';
import { imageFileToDataUrl } from '../dataUrl.js';
import { requireModel } from '../guards.js';
import { freshFolder, makeFolder, resolveRequestPath, timestampName } from '../paths.js';
import { realpathInside } from '../../util/pathContainment.js';
import type { HandlersOf } from './types.js';

/** `generation.*`: generate images from the latest checkpoint (a job), cancel, and page a folder's gallery. */
export function registerGenerationHandlers(ctx: StudioContext): HandlersOf<'generation'> {
  return {
    'generation.start': async ({
      count,
      temperature,
      sampler,
      seed,
      format,
      rejectCopies,
      perClass,
      classes,
      out,
    }) => {
      const { layout } = await requireModel(ctx);
      const folder = out
        ? resolveRequestPath(layout.root, out, 'out')
        : await freshFolder(layout.generatedDir, `run-${timestampName()}`);
      // Made here, so a folder that cannot exist (/proc/…) is an answer, not a job that never ends.
      await makeFolder(folder, 'out');
      const handle = ctx.jobs.start({
        kind: 'generate',
        project: layout.root,
        title: `Generate ${perClass === undefined ? `${count} images` : 'images per class'} into ${folder}`,
        onSettled: (outcome) => {
          if (!outcome.ok) ctx.notify('Generation failed', outcome.message);
          else {
            const verb = outcome.cancelled ? 'Generation stopped' : 'Generation finished';
            ctx.notify(verb, `${outcome.result.count} images in ${outcome.result.out}`);
          }
        },
        body: async (scope) => {
          const result = await scope.run('generate', {
            project: layout.root,
            // perClass replaces the count (the form always has one).
            ...(perClass === undefined ? { count } : { perClass }),
            ...(classes ? { classes } : {}),
            out: folder,
            temperature,
            sampler,
            seed,
            format,
            rejectCopies,
            backend: ctx.backend,
          });
          const { files, manifest, cancelled, seconds, imagesPerSec } = result;
          return {
            cancelled,
            result: {
              out: result.out,
              files,
              ...(result.classes ? { classes: result.classes } : {}),
              manifest,
              count: result.count,
              alreadyThere: result.alreadyThere,
              rejected: result.rejected,
              cancelled,
              seconds,
              imagesPerSec,
            },
          };
        },
      });
      return { ...handle, out: folder };
    },

    'generation.cancel': () => Promise.resolve({ cancelled: ctx.jobs.cancelKind('generate') }),

    'generation.gallery': async ({ out, offset, limit, class: className }) => {
      const folder = resolveRequestPath(ctx.project.root ?? ctx.options.projectsDir, out, 'out');
      const all = await readManifestRows(folder);
      const classes = classesOf(all);
      const rows = className === undefined ? all : all.filter((row) => row.class === className);
      const images: GalleryImage[] = [];
      for (const row of rows.slice(offset, offset + limit)) {
        const file = resolve(folder, row.file);
        // The manifest is data on disk: a line naming a file outside the folder, or a link leading out of it,
        // is not followed, and only a real image is sent (whatever its name says).
        const real = await realpathInside(folder, file);
        const url = real === null ? null : await imageFileToDataUrl(real);
        // Missing (deleted since it was generated) or refused: the page is shorter, `total` still counts the lines.
        if (url !== null) {
          const ofClass = typeof row.class === 'string' ? { class: row.class } : {};
          images.push({ file, url, index: row.index, seed: row.seed, ...ofClass });
        }
      }
      return { total: rows.length, images, ...(classes.length > 0 ? { classes } : {}) };
    },
  };
}

/** The classes a conditional generation's rows name, each with its image count, in the model's class order. */
function classesOf(rows: readonly ManifestRow[]): { name: string; count: number }[] {
  const byName = new Map<string, { name: string; count: number; order: number }>();
  for (const row of rows) {
    if (typeof row.class !== 'string') continue;
    const entry = byName.get(row.class) ?? { name: row.class, count: 0, order: row.classIndex ?? Infinity };
    entry.count++;
    byName.set(row.class, entry);
  }
  return [...byName.values()]
    .sort((a, b) => a.order - b.order || a.name.localeCompare(b.name))
    .map(({ name, count }) => ({ name, count }));
}

/** The rows of `<folder>/manifest.jsonl` (none yet before a generation's first image is whole). */
async function readManifestRows(folder: string): Promise<ManifestRow[]> {
  const isFolder = await stat(folder).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isFolder) throw new UserError('NOT_FOUND', `folder not found: ${folder}`);
  try {
    // A line being appended while we read, or hand-edited, is passed over.
    return await readGenerationManifest(folder);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError('UNREADABLE', `cannot read ${folder}/manifest.jsonl: ${code ?? String(err)}`);
  }
}
