import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

import { decodeImage, encodeAnimation, encodeImage } from '../../src-main/dataset/index.js';
import { near } from './fixtures.js';

/** A 6×4 RGB gradient, so orientation and channel order mistakes show. */
const rgb = Uint8Array.from({ length: 6 * 4 * 3 }, (_, i) => (i * 37) % 256);
const grey = Uint8Array.from({ length: 6 * 4 }, (_, i) => i * 10);

describe('encodeImage', () => {
  it('round-trips PNG and lossless WebP exactly, JPEG closely', async () => {
    for (const format of ['png', 'webp'] as const) {
      const encoded = await encodeImage(rgb, 6, 4, 3, format);
      const meta = await sharp(encoded).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual([format, 6, 4]);
      const { data, info } = await sharp(encoded).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      expect(info.channels).toBe(3);
      expect([...data]).toEqual([...rgb]);
    }
    const jpg = await encodeImage(rgb, 6, 4, 3, 'jpg');
    expect((await sharp(jpg).metadata()).format).toBe('jpeg');
  });

  it('writes 1-channel grey PNGs', async () => {
    const png = await encodeImage(grey, 6, 4, 1, 'png');
    const meta = await sharp(png).metadata();
    expect([meta.width, meta.height, meta.channels]).toEqual([6, 4, 1]);
    // sharp decodes grey files to sRGB by default; take the one band back.
    const { data } = await sharp(png).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    expect([...data]).toEqual([...grey]);
  });

  it('refuses a pixel buffer of the wrong length', async () => {
    await expect(encodeImage(rgb, 5, 4, 3, 'png')).rejects.toMatchObject({
      code: 'BAD_OPTION',
      message: 'encodeImage: expected 5×4×3 = 60 bytes, got 72',
    });
  });
});

describe('encodeAnimation', () => {
  const frames = [0, 1, 2, 3].map((f) =>
    Uint8Array.from({ length: 8 * 8 * 3 }, (_, i) => (i % 3 === f % 3 ? 200 : 30)),
  );
  // Two identical consecutive frames must still be two pages.
  frames.push(frames[3]!);

  for (const format of ['gif', 'webp'] as const) {
    it(`builds an animated ${format} with one page per frame and the delay`, async () => {
      const encoded = await encodeAnimation(frames, 8, 8, 3, format, 120);
      const meta = await sharp(encoded).metadata();
      expect(meta.format).toBe(format);
      expect([meta.width, meta.height]).toEqual([8, 8]);
      if (format === 'gif') {
        expect(meta.pages).toBe(5);
        expect(meta.delay).toEqual([120, 120, 120, 120, 120]);
      } else {
        // libwebp merges the two identical last frames into one shown twice as long: same timing.
        expect(meta.pages).toBe(4);
        expect(meta.delay).toEqual([120, 120, 120, 240]);
      }
      expect(meta.loop).toBe(0);
      const all = await sharp(encoded, { animated: true }).metadata();
      expect([all.pageHeight, all.height]).toEqual([8, 8 * meta.pages!]);
      // Frame 2 (page 2) decodes back to its colours.
      const { data } = await sharp(encoded, { page: 2 })
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      expect(near([...data.subarray(0, 3)], [...frames[2]!.subarray(0, 3)], 12)).toBe(true);
      // And the first frame is what an import sees.
      const first = await decodeImage(encoded, { size: 8, channels: 3, fit: 'fill' });
      expect(near([...first.subarray(0, 3)], [200, 30, 30], 12)).toBe(true);
    });
  }

  it('encodes grey frames', async () => {
    const encoded = await encodeAnimation([grey, grey.map((v) => 255 - v)], 6, 4, 1, 'gif', 50);
    const meta = await sharp(encoded).metadata();
    expect([meta.pages, meta.width, meta.height, meta.delay]).toEqual([2, 6, 4, [50, 50]]);
  });
});
