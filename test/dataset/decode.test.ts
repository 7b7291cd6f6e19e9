import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import sharp from 'sharp';

import { decodeImage, decodeImageFile, ImageDecodeError } from '../../src-main/dataset/index.js';
import type { Fit } from '../../src-main/dataset/index.js';
import { columns, makeTempDir, near, pixelAt, rawSharp, solid, solidPng } from './fixtures.js';
import type { Rgb } from './fixtures.js';

const RED: Rgb = [255, 0, 0];
const GREEN: Rgb = [0, 255, 0];
const BLUE: Rgb = [0, 0, 255];
const WHITE = [255, 255, 255];

/**
 * 40×20: green | red | blue columns (10, 20, 10 wide). Cover (size 10) keeps only the red middle; fill squeezes
 * all three; contain letterboxes them in rows 2..6.
 */
const stripes = columns(40, 20, (x) => (x < 10 ? GREEN : x < 30 ? RED : BLUE));

// PNG takes the JavaScript-resize fast path, TIFF the all-libvips path: both must give the same geometry
// (within a few levels: lanczos3 rings slightly next to a colour edge, the fast path's triangle filter does not).
const encoders: [string, () => Promise<Buffer>][] = [
  ['png', () => rawSharp(stripes, 40, 20).png().toBuffer()],
  ['tiff', () => rawSharp(stripes, 40, 20).tiff().toBuffer()],
];

describe('decodeImage fit', () => {
  for (const [format, encode] of encoders) {
    it(`cover crops the centre, contain pads with the background, fill stretches (${format})`, async () => {
      const input = await encode();
      const decode = (fit: Fit): Promise<Uint8Array> => decodeImage(input, { size: 10, channels: 3, fit });

      const cover = await decode('cover');
      expect(cover.length).toBe(300);
      for (const x of [2, 5, 7])
        for (const y of [0, 5, 9]) expect(near(pixelAt(cover, 10, 3, x, y), RED)).toBe(true);

      const fill = await decode('fill');
      expect(near(pixelAt(fill, 10, 3, 0, 5), GREEN, 40)).toBe(true);
      expect(near(pixelAt(fill, 10, 3, 5, 5), RED)).toBe(true);
      expect(near(pixelAt(fill, 10, 3, 9, 5), BLUE, 40)).toBe(true);
      expect(near(pixelAt(fill, 10, 3, 5, 0), RED)).toBe(true); // stretched vertically: no padding

      const contain = await decode('contain');
      for (const y of [0, 1, 8, 9]) expect(near(pixelAt(contain, 10, 3, 5, y), WHITE)).toBe(true);
      expect(near(pixelAt(contain, 10, 3, 0, 4), GREEN, 40)).toBe(true);
      expect(near(pixelAt(contain, 10, 3, 5, 4), RED)).toBe(true);
      expect(near(pixelAt(contain, 10, 3, 9, 4), BLUE, 40)).toBe(true);

      const black = await decodeImage(input, {
        size: 10,
        channels: 3,
        fit: 'contain',
        background: '#000000',
      });
      expect(near(pixelAt(black, 10, 3, 5, 0), [0, 0, 0])).toBe(true);
    });
  }
});

describe('decodeImage pixels', () => {
  it('gives size² bytes for grey and 3·size² for RGB, grey being the luminance', async () => {
    const png = await solidPng(8, 8, RED);
    const rgb = await decodeImage(png, { size: 4, channels: 3, fit: 'cover' });
    const grey = await decodeImage(png, { size: 4, channels: 1, fit: 'cover' });
    expect(rgb.length).toBe(48);
    expect(grey.length).toBe(16);
    expect(pixelAt(rgb, 4, 3, 1, 1)).toEqual(RED);
    // libvips' b-w of pure red: Rec. 709 luminance 0.2126 in linear light, sRGB-encoded = 127.
    expect(Math.abs(grey[5]! - 127)).toBeLessThanOrEqual(1);

    // The libvips path (TIFF) agrees with the fast path (PNG) on grey.
    const tiff = await rawSharp(solid(8, 8, RED), 8, 8)
      .tiff()
      .toBuffer();
    const greyTiff = await decodeImage(tiff, { size: 4, channels: 1, fit: 'cover' });
    expect(Math.abs(greyTiff[5]! - grey[5]!)).toBeLessThanOrEqual(1);

    // A grey source decoded as RGB repeats the grey value.
    const greyPng = await sharp(Buffer.alloc(64, 90), { raw: { width: 8, height: 8, channels: 1 } })
      .png()
      .toBuffer();
    expect(pixelAt(await decodeImage(greyPng, { size: 4, channels: 3, fit: 'fill' }), 4, 3, 2, 2)).toEqual([
      90, 90, 90,
    ]);
  });

  it('flattens transparency onto the background, white by default', async () => {
    const transparent = await sharp({
      create: { width: 6, height: 6, channels: 4, background: { r: 0, g: 0, b: 255, alpha: 0 } },
    })
      .png()
      .toBuffer();
    const white = await decodeImage(transparent, { size: 4, channels: 3, fit: 'cover' });
    expect([...white]).toEqual(new Array(48).fill(255));
    const red = await decodeImage(transparent, { size: 4, channels: 3, fit: 'cover', background: '#ff0000' });
    expect(pixelAt(red, 4, 3, 3, 3)).toEqual(RED);
    const greyWhite = await decodeImage(transparent, { size: 4, channels: 1, fit: 'cover' });
    expect([...greyWhite]).toEqual(new Array(16).fill(255));
  });

  it('reduces 16-bit input to 8 bits', async () => {
    const png16 = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } })
      .toColourspace('rgb16')
      .png()
      .toBuffer();
    expect((await sharp(png16).metadata()).depth).toBe('ushort');
    const out = await decodeImage(png16, { size: 4, channels: 3, fit: 'cover' });
    expect(out.length).toBe(48);
    expect(pixelAt(out, 4, 3, 0, 0)).toEqual([128, 128, 128]);
  });

  it('applies EXIF orientation', async () => {
    // Stored 40×20 with red on the left and blue on the right; orientation 6 means "rotate 90° clockwise to
    // display", so the displayed image is 20×40 with red on top.
    const stored = columns(40, 20, (x) => (x < 20 ? RED : BLUE));
    const jpeg = await rawSharp(stored, 40, 20)
      .jpeg({ quality: 95 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    expect((await sharp(jpeg).metadata()).orientation).toBe(6);
    const out = await decodeImage(jpeg, { size: 10, channels: 3, fit: 'fill' });
    expect(near(pixelAt(out, 10, 3, 5, 1), RED, 30)).toBe(true);
    expect(near(pixelAt(out, 10, 3, 5, 8), BLUE, 30)).toBe(true);
    expect(near(pixelAt(out, 10, 3, 1, 5), RED, 30) || near(pixelAt(out, 10, 3, 1, 5), BLUE, 30)).toBe(true);

    // The same through the fast path (PNG with an eXIf orientation), when this libvips writes one.
    const png = await rawSharp(stored, 40, 20).png().withMetadata({ orientation: 6 }).toBuffer();
    if ((await sharp(png).metadata()).orientation === 6) {
      const outPng = await decodeImage(png, { size: 10, channels: 3, fit: 'fill' });
      expect(pixelAt(outPng, 10, 3, 5, 1)).toEqual(RED);
      expect(pixelAt(outPng, 10, 3, 5, 8)).toEqual(BLUE);
    }
  });

  it('rejects non-images, truncated files, empty input and too many pixels with reasons', async () => {
    const opts = { size: 4, channels: 3 as const, fit: 'cover' as const };
    await expect(decodeImage(Buffer.from('hello, world\n'), opts)).rejects.toMatchObject({
      code: 'NOT_AN_IMAGE',
      reason: 'not an image (its format is none that can be read)',
    });
    const png = await rawSharp(
      columns(64, 64, (x) => [x * 4, 255 - x * 4, x]),
      64,
      64,
    )
      .png()
      .toBuffer();
    const truncated = decodeImage(png.subarray(0, Math.floor(png.length / 2)), opts);
    await expect(truncated).rejects.toBeInstanceOf(ImageDecodeError);
    await expect(truncated).rejects.toMatchObject({ code: 'CORRUPT_IMAGE' });
    await expect(truncated).rejects.toThrow(/^corrupt or truncated image \((?!sharp)/);
    await expect(decodeImage(Buffer.alloc(0), opts)).rejects.toMatchObject({
      code: 'EMPTY_FILE',
      reason: 'empty file',
    });
    await expect(decodeImage(png, { ...opts, maxPixels: 1000 })).rejects.toMatchObject({
      code: 'TOO_MANY_PIXELS',
      reason: 'too many pixels (64×64 = 4096 pixels, limit 1000)',
    });
    await expect(decodeImage(png, { ...opts, size: 0 })).rejects.toMatchObject({ code: 'BAD_OPTION' });
  });
});

describe('decodeImageFile', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
  afterAll(async () => cleanup());

  it('decodes a file and names it in errors', async () => {
    await writeFile(join(dir, 'ok.png'), await solidPng(5, 5, BLUE));
    await writeFile(join(dir, 'notes.txt'), 'not an image');
    expect(
      pixelAt(await decodeImageFile(join(dir, 'ok.png'), { size: 2, channels: 3, fit: 'cover' }), 2, 3, 1, 1),
    ).toEqual(BLUE);
    await expect(
      decodeImageFile(join(dir, 'notes.txt'), { size: 2, channels: 3, fit: 'cover' }),
    ).rejects.toThrow(`${join(dir, 'notes.txt')}: not an image (its format is none that can be read)`);
    await expect(
      decodeImageFile(join(dir, 'missing.png'), { size: 2, channels: 3, fit: 'cover' }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: `file not found: ${join(dir, 'missing.png')}`,
    });
  });
});
