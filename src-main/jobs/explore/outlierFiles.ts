import { join } from 'node:path';
import type { OutlierItem, OutliersReport } from '../../contract/index.js';
import { encodeImage } from '../../dataset/index.js';
import { pickImages, reconstructImages, type ImageBatch, type VaeModel } from '../../engine/index.js';
import { writeFileAtomic } from '../../util/atomicWrite.js';
import { makeFolder } from '../../util/folders.js';

/** The CSV's columns, in order. */
export const SCORES_CSV_HEADER = 'rank,file,label,neg_elbo,reconstruction,kl,iw_bound,typicality,excluded';

/** The pictures of a listed image inside the report folder: `images/<list>-<n>-original.png` and its reconstruction. */
export function outlierImageFiles(
  dir: string,
  list: 'worst' | 'likely',
  position: number,
): { original: string; reconstruction: string } {
  const stem = join(dir, 'images', `${list}-${String(position + 1).padStart(4, '0')}`);
  return { original: `${stem}-original.png`, reconstruction: `${stem}-reconstruction.png` };
}

/** Every scored image, worst first: one row each (nats per image; typicality in standard deviations). */
export async function writeScoresCsv(path: string, items: readonly OutlierItem[]): Promise<void> {
  const rows = items.map((item) =>
    [
      item.rank,
      csvField(item.file),
      csvField(item.label),
      item.negElbo.toFixed(4),
      item.reconstruction.toFixed(4),
      item.kl.toFixed(4),
      item.iwBound.toFixed(4),
      item.typicality.toFixed(4),
      item.excluded ? 1 : 0,
    ].join(','),
  );
  await writeFileAtomic(path, [SCORES_CSV_HEADER, ...rows].join('\n') + '\n');
}

/**
 * Each image of the report's two lists as the model saw it (its imported pixels) beside the model's reconstruction
 * (decoded from the mean, under its class), as PNGs in `dir/images/`. `positionOf` gives an item's place in
 * `images`.
 */
export async function writeOutlierImages(
  dir: string,
  model: VaeModel,
  images: ImageBatch,
  report: Pick<OutliersReport, 'items' | 'mostLikely'>,
  positionOf: (item: OutlierItem) => number,
): Promise<void> {
  await makeFolder(join(dir, 'images'));
  const lists = [
    { list: 'worst' as const, items: report.items },
    { list: 'likely' as const, items: report.mostLikely },
  ];
  for (const { list, items } of lists) {
    if (items.length === 0) continue;
    const picked = pickImages(images, items.map(positionOf));
    const rebuilt = await reconstructImages(model, picked, 64);
    const { size, channels } = picked;
    const per = size * size * channels;
    for (let i = 0; i < items.length; i++) {
      const files = outlierImageFiles(dir, list, i);
      const [original, reconstruction] = await Promise.all([
        encodeImage(picked.pixels.subarray(i * per, (i + 1) * per), size, size, channels, 'png'),
        encodeImage(rebuilt.pixels.subarray(i * per, (i + 1) * per), size, size, channels, 'png'),
      ]);
      await writeFileAtomic(files.original, original);
      await writeFileAtomic(files.reconstruction, reconstruction);
    }
  }
}

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
