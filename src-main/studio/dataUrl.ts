import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { toDataUrl } from '../util/dataUrl.js';

const MIME_BY_EXTENSION: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
};

export { toDataUrl };

/** The image type of `bytes` by their magic number (PNG, JPEG, GIF, WebP), or null when they are none of these. */
export function sniffImageMime(bytes: Uint8Array): string | null {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.subarray(0, 6).toString('latin1') === 'GIF87a' || b.subarray(0, 6).toString('latin1') === 'GIF89a') {
    return 'image/gif';
  }
  if (b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP') {
    return 'image/webp';
  }
  return null;
}

/**
 * A regular file as a `data:` URL of the image type its bytes show; null when it is missing, not a regular file,
 * larger than `maxBytes` or not an image, so a file that only has an image's name is never sent as one.
 */
export async function imageFileToDataUrl(path: string, maxBytes = 64 * 1024 * 1024): Promise<string | null> {
  const info = await stat(path).catch(() => null);
  if (!info?.isFile() || info.size > maxBytes) return null;
  const bytes = await readFile(path).catch(() => null);
  const mime = bytes && sniffImageMime(bytes);
  return bytes && mime ? toDataUrl(bytes, mime) : null;
}

/** An image file as a `data:` URL, its type taken from the extension (PNG when unknown). */
export async function fileToDataUrl(path: string): Promise<string> {
  const mime = MIME_BY_EXTENSION[extname(path).toLowerCase()] ?? 'image/png';
  return toDataUrl(await readFile(path), mime);
}
