import sharp from 'sharp';

import { UserError } from '../util/errors.js';

/** Still-image formats {@link encodeImage} writes. */
export type ImageFormat = 'png' | 'jpg' | 'webp';
/** Animation formats {@link encodeAnimation} writes. */
export type AnimationFormat = 'webp' | 'gif';

function checkPixels(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: number,
  what: string,
): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new UserError(
      'BAD_OPTION',
      `${what}: width and height must be positive integers, got ${width}×${height}`,
    );
  }
  if (channels < 1 || channels > 4 || !Number.isInteger(channels)) {
    throw new UserError('BAD_OPTION', `${what}: channels must be 1 to 4`);
  }
  if (pixels.length !== width * height * channels) {
    throw new UserError(
      'BAD_OPTION',
      `${what}: expected ${width}×${height}×${channels} = ${width * height * channels} bytes, got ${pixels.length}`,
    );
  }
}

function asBuffer(pixels: Uint8Array): Buffer {
  return Buffer.from(pixels.buffer, pixels.byteOffset, pixels.length);
}

/**
 * Encodes uint8 row-major HWC pixels as PNG (lossless), JPEG (quality 92) or WebP (lossless, since generated
 * datasets are usually fed to other tools and should not gain compression artefacts). `channels` 2 and 4 are
 * grey and RGB with alpha (a preview grid's transparent gaps); JPEG has no alpha and drops it.
 */
export async function encodeImage(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: 1 | 2 | 3 | 4,
  format: ImageFormat,
): Promise<Buffer> {
  checkPixels(pixels, width, height, channels, 'encodeImage');
  // Without an explicit b-w interpretation libvips would write a 1-channel buffer as a 3-channel file.
  const image = sharp(asBuffer(pixels), { raw: { width, height, channels } });
  if (channels <= 2) image.toColourspace('b-w');
  switch (format) {
    case 'png':
      return image.png().toBuffer();
    case 'jpg':
      return image.jpeg({ quality: 92 }).toBuffer();
    case 'webp':
      return image.webp({ lossless: true }).toBuffer();
    default:
      throw new UserError('BAD_OPTION', `unknown image format ${String(format)}`);
  }
}

/**
 * Encodes frames (each uint8 HWC, all `width × height × channels`) as a looping animated WebP or GIF with
 * `delayMs` between frames. The frames are stacked vertically into one raw image whose `pageHeight` tells
 * libvips where each frame starts. GIF keeps every frame (pages = frames.length); libwebp merges identical
 * consecutive frames into one frame shown for their summed delay, so a WebP can have fewer pages with the same
 * timing.
 */
export async function encodeAnimation(
  frames: Uint8Array[],
  width: number,
  height: number,
  channels: 1 | 3,
  format: AnimationFormat,
  delayMs: number,
): Promise<Buffer> {
  if (frames.length === 0) throw new UserError('BAD_OPTION', 'encodeAnimation: no frames');
  frames.forEach((frame, i) => checkPixels(frame, width, height, channels, `encodeAnimation frame ${i}`));
  // One delay per frame: sharp 0.35 applies a scalar delay to the first frame only (measured: GIF got
  // [120, 0, 0, …], WebP [120, 100, 100, …]).
  const delay = frames.map(() => Math.max(0, Math.min(65535, Math.round(delayMs))));
  const frameBytes = width * height * channels;
  const stacked = Buffer.alloc(frameBytes * frames.length);
  frames.forEach((frame, i) => stacked.set(frame, i * frameBytes));
  const image = sharp(stacked, {
    raw: { width, height: height * frames.length, channels, pageHeight: height },
  });
  if (channels === 1) image.toColourspace('b-w');
  switch (format) {
    case 'gif':
      return image.gif({ delay, loop: 0, keepDuplicateFrames: true }).toBuffer();
    case 'webp':
      return image.webp({ delay, loop: 0, lossless: true }).toBuffer();
    default:
      throw new UserError('BAD_OPTION', `unknown animation format ${String(format)}`);
  }
}

/**
 * An image file's bytes (PNG, JPEG…) as a PNG no larger than `side` × `side`, its aspect kept and never enlarged:
 * a thumbnail of a preview grid for the project chooser.
 */
export async function resizeToThumbnail(bytes: Uint8Array, side: number): Promise<Buffer> {
  return sharp(asBuffer(bytes))
    .resize(side, side, { fit: 'inside', withoutEnlargement: true })
    .png()
    .toBuffer();
}
