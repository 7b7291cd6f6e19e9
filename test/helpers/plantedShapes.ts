import { join } from 'node:path';
import sharp from 'sharp';
import { writeSampleDataset } from '../../src-main/dataset/index.js';
import { Rng } from '../../src-main/engine/rng.js';

/** The files planted among the shapes: uniform noise, which no shape model explains. */
export const NOISE_FILES = [0, 1, 2, 3, 4].map((i) => `squares/noise-${i}.png`);
/** Flat-colour images: no shape at all, the easiest images there are to explain. */
export const BLANK_FILES = [0, 1, 2].map((i) => `circles/blank-${i}.png`);

/** Writes `count` built-in shapes (size×size RGB) with the noise and blank images planted among them. */
export async function writeShapesWithPlants(folder: string, count = 300, size = 16): Promise<void> {
  await writeSampleDataset(folder, { count, size, seed: 3 });
  const rng = new Rng(99);
  const bytes = size * size * 3;
  const write = (pixels: Uint8Array, file: string) =>
    sharp(pixels, { raw: { width: size, height: size, channels: 3 } })
      .png()
      .toFile(join(folder, file));
  for (const file of NOISE_FILES)
    await write(
      Uint8Array.from({ length: bytes }, () => Math.floor(rng.next() * 256)),
      file,
    );
  for (const [i, file] of BLANK_FILES.entries()) await write(new Uint8Array(bytes).fill(200 + i * 20), file);
}
