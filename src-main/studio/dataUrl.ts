import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';

const MIME_BY_EXTENSION: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
};

/** Image bytes as a `data:` URL, the form images cross the boundary in (no file access in the renderer). */
export function toDataUrl(bytes: Uint8Array, mime = 'image/png'): string {
  return `data:${mime};base64,${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64')}`;
}

/** An image file as a `data:` URL, its type taken from the extension (PNG when unknown). */
export async function fileToDataUrl(path: string): Promise<string> {
  const mime = MIME_BY_EXTENSION[extname(path).toLowerCase()] ?? 'image/png';
  return toDataUrl(await readFile(path), mime);
}
