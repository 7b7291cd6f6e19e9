import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { ImageBatch } from '../../src-main/engine/types.js';
import { SCRATCH_ENV } from './scratchRoot.js';

/** A fresh temporary folder for one test, inside the run's scratch folder (removed when the run ends). */
export async function tempDir(prefix = 'vae-test-'): Promise<string> {
  return mkdtemp(join(process.env[SCRATCH_ENV] ?? tmpdir(), prefix));
}

/**
 * Writes `count` small grayscale PNGs of bright squares at seeded positions into `folder`/a and `folder`/b:
 * a pattern a tiny VAE learns in a few epochs. Returns the file paths.
 */
export async function writeSquares(folder: string, count: number, size = 16): Promise<string[]> {
  const files: string[] = [];
  let state = 12345;
  const rand = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  for (const label of ['a', 'b']) await mkdir(join(folder, label), { recursive: true });
  for (let i = 0; i < count; i++) {
    const pixels = new Uint8Array(size * size);
    // A distinct brightness per image (i < 100) keeps every file unique, so none is dropped as a duplicate.
    const intensity = 255 - (i % 100);
    const side = 4 + Math.floor(rand() * 5);
    const x0 = Math.floor(rand() * (size - side));
    const y0 = Math.floor(rand() * (size - side));
    for (let y = y0; y < y0 + side; y++)
      for (let x = x0; x < x0 + side; x++) pixels[y * size + x] = intensity;
    const file = join(folder, i % 2 ? 'b' : 'a', `img-${String(i).padStart(4, '0')}.png`);
    await sharp(pixels, { raw: { width: size, height: size, channels: 1 } })
      .png()
      .toFile(file);
    files.push(file);
  }
  return files;
}

/**
 * `count` size×size grayscale images of one bright bar each (vertical for even indices, horizontal for odd) at a
 * position set by the index: a pattern a tiny VAE learns in a few steps. Fresh pixels every call, since a remote
 * training host takes the buffer over.
 */
export function bars(count: number, size = 16): ImageBatch {
  const pixels = new Uint8Array(count * size * size);
  for (let i = 0; i < count; i++) {
    const vertical = i % 2 === 0;
    const pos = 2 + ((i * 5) % (size - 5));
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const on = vertical ? Math.abs(x - pos) <= 1 : Math.abs(y - pos) <= 1;
        pixels[i * size * size + y * size + x] = on ? 255 : 0;
      }
  }
  return { pixels, count, size, channels: 1 };
}

/**
 * Writes `count` size×size grayscale PNGs of four far-apart modes — a vertical bar at the left or right, a
 * horizontal one at the top or bottom, a distinct brightness each — into `folder`/v and `folder`/h. A VAE
 * trained on them places four separate clusters far out in its latent space, so its aggregate posterior is far
 * from N(0, I) and prior samples between the clusters decode to blends of two bars.
 */
export async function writeFourBars(folder: string, count: number, size = 16): Promise<void> {
  for (const label of ['v', 'h']) await mkdir(join(folder, label), { recursive: true });
  for (let i = 0; i < count; i++) {
    const mode = i % 4;
    const vertical = mode < 2;
    const pos = mode % 2 === 0 ? 4 : size - 5;
    const intensity = 255 - Math.floor(i / 4);
    const pixels = new Uint8Array(size * size);
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const on = vertical ? Math.abs(x - pos) <= 1 : Math.abs(y - pos) <= 1;
        pixels[y * size + x] = on ? intensity : 0;
      }
    const file = join(folder, vertical ? 'v' : 'h', `bar-${String(i).padStart(4, '0')}.png`);
    await sharp(pixels, { raw: { width: size, height: size, channels: 1 } })
      .png()
      .toFile(file);
  }
}

/** The classes {@link writeBarsAndBlocks} draws, one folder each. */
export const BAR_CLASSES = ['block', 'horizontal', 'vertical'] as const;

/**
 * Writes `perClass` size×size grayscale PNGs of each of three classes into `folder`/<class>: a horizontal bar at a
 * random row, a vertical bar at a random column, or a 6×6 block at a random place, at a random brightness on
 * black. Which class an image is cannot be told from where its pixels are on average (every class covers the whole
 * image), only from its shape, so a model that draws the class asked for must have learnt the condition; and a
 * k-NN in pixel space tells the classes apart on real images. Returns each file's class, in order written.
 */
export async function writeBarsAndBlocks(folder: string, perClass: number, size = 16): Promise<string[]> {
  let state = 424242;
  const rand = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const written: string[] = [];
  for (const label of BAR_CLASSES) await mkdir(join(folder, label), { recursive: true });
  for (let i = 0; i < perClass; i++) {
    for (const label of BAR_CLASSES) {
      const pixels = new Uint8Array(size * size);
      // i < 100 gives each image of a class its own brightness, so no file is dropped as a duplicate.
      const intensity = 255 - (i % 100);
      const along = Math.floor(rand() * (size - 3));
      const x0 = Math.floor(rand() * (size - 6));
      const y0 = Math.floor(rand() * (size - 6));
      for (let y = 0; y < size; y++)
        for (let x = 0; x < size; x++) {
          const on =
            label === 'horizontal'
              ? y >= along && y < along + 3
              : label === 'vertical'
                ? x >= along && x < along + 3
                : x >= x0 && x < x0 + 6 && y >= y0 && y < y0 + 6;
          if (on) pixels[y * size + x] = intensity;
        }
      await sharp(pixels, { raw: { width: size, height: size, channels: 1 } })
        .png()
        .toFile(join(folder, label, `${label}-${String(i).padStart(4, '0')}.png`));
      written.push(label);
    }
  }
  return written;
}
