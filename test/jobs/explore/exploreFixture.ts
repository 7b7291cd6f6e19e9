import { join } from 'node:path';
import sharp from 'sharp';
import { writeSampleDataset } from '../../../src-main/dataset/index.js';
import { Rng } from '../../../src-main/engine/index.js';
import { runImport, runTraining } from '../../../src-main/jobs/index.js';
import type { TrainSettings } from '../../../src-main/contract/index.js';
import { tempDir } from '../../helpers/tinyData.js';

/** The files planted among the shapes: uniform noise, which no shape model explains. */
export const NOISE_FILES = [0, 1, 2, 3, 4].map((i) => `squares/noise-${i}.png`);
/** Flat-colour images: no shape at all, the easiest images there are to explain. */
export const BLANK_FILES = [0, 1, 2].map((i) => `circles/blank-${i}.png`);

/** Writes `count` built-in shapes (16×16 RGB) with the noise and blank images planted among them. */
export async function writeShapesWithPlants(folder: string, count = 300): Promise<void> {
  await writeSampleDataset(folder, { count, size: 16, seed: 3 });
  const rng = new Rng(99);
  for (const file of NOISE_FILES) {
    const pixels = Uint8Array.from({ length: 16 * 16 * 3 }, () => Math.floor(rng.next() * 256));
    await sharp(pixels, { raw: { width: 16, height: 16, channels: 3 } })
      .png()
      .toFile(join(folder, file));
  }
  for (const [i, file] of BLANK_FILES.entries()) {
    const grey = 200 + i * 20;
    const pixels = new Uint8Array(16 * 16 * 3).fill(grey);
    await sharp(pixels, { raw: { width: 16, height: 16, channels: 3 } })
      .png()
      .toFile(join(folder, file));
  }
}

/** A small model, quick on wasm, trained on the planted shapes; returns the project folder. */
export async function trainedShapesProject(
  epochs = 40,
  settings: Partial<TrainSettings> = {},
): Promise<{ project: string; images: string }> {
  const work = await tempDir('vae-explore-');
  const images = join(work, 'shapes');
  await writeShapesWithPlants(images);
  const project = join(work, 'project');
  await runImport({ folder: images, project, size: 16, channels: 3, fit: 'cover' });
  await runTraining({
    project,
    backend: 'wasm',
    settings: {
      latentDim: 8,
      width: 8,
      conditional: false,
      batchSize: 32,
      epochs,
      seed: 1,
      valFraction: 0.1,
      ...settings,
    },
  });
  return { project, images };
}
