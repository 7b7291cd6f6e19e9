import type { DroppedFile, UploadSelection } from './droppedFiles';

/** Raw bytes per upload request: base64 makes ~8 MB of it, well under the server's message limit. */
export const UPLOAD_CHUNK_BYTES = 6 * 1024 * 1024;
/** The contract's limit on files per `dataset.upload`. */
export const UPLOAD_MAX_FILES = 2000;

/**
 * Splits files into upload requests of at most `maxBytes` raw bytes and `maxFiles` files, in order. A file larger
 * than `maxBytes` travels alone.
 */
export function planUploadChunks<T extends { file: { size: number } }>(
  files: readonly T[],
  maxBytes = UPLOAD_CHUNK_BYTES,
  maxFiles = UPLOAD_MAX_FILES,
): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of files) {
    if (current.length > 0 && (bytes + item.file.size > maxBytes || current.length >= maxFiles)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.file.size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** The file's bytes as base64 (no `data:` prefix). */
export async function fileToBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  // String.fromCharCode takes its arguments on the stack: convert in slices.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** A batch name the contract accepts (`[\w-]{1,64}`), unique enough per drop. */
export function newBatchId(now = Date.now()): string {
  return `drop-${now.toString(36)}-${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
}

export type { DroppedFile, UploadSelection };
