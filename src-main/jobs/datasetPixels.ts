import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { IMAGES_FILE, type DatasetManifest } from '../dataset/index.js';
import { UserError } from '../util/errors.js';

/**
 * Reads some images of a dataset's pixel cache (`images.u8`) with positional reads, so a page of thumbnails or
 * the two ends of an interpolation never load the whole cache. Runs of consecutive indices are read at once.
 *
 * @returns one `size × size × channels` uint8 HWC array per index, in the order asked (repeats allowed).
 * @throws UserError INVALID_INPUT naming an index outside the dataset; CORRUPT_DATASET naming images.u8 when
 *   its length is not what the manifest says.
 */
export async function readDatasetImages(
  datasetDir: string,
  manifest: Pick<DatasetManifest, 'count' | 'size' | 'channels'>,
  indices: readonly number[],
): Promise<Uint8Array[]> {
  const { count, size, channels } = manifest;
  for (const index of indices) {
    if (!Number.isInteger(index) || index < 0 || index >= count) {
      throw new UserError(
        'INVALID_INPUT',
        `dataset index ${index} is out of range: the dataset has ${count} images (0–${count - 1})`,
      );
    }
  }
  const perImage = size * size * channels;
  const path = join(datasetDir, IMAGES_FILE);
  const handle = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
    throw new UserError('CORRUPT_DATASET', `cannot read ${path} (${err.code ?? err.message}); import again`);
  });
  try {
    const { size: bytes } = await handle.stat();
    if (bytes !== count * perImage) {
      throw new UserError(
        'CORRUPT_DATASET',
        `${path} has ${bytes} bytes but the manifest says ${count} × ${size} × ${size} × ${channels} = ` +
          `${count * perImage}; import again`,
      );
    }
    const wanted = [...new Set(indices)].sort((a, b) => a - b);
    const pixels = new Map<number, Uint8Array>();
    for (let i = 0; i < wanted.length;) {
      const first = wanted[i]!;
      let last = first;
      while (i + 1 < wanted.length && wanted[i + 1] === last + 1) last = wanted[++i]!;
      i++;
      const run = Buffer.alloc((last - first + 1) * perImage);
      await readFully(handle, run, first * perImage);
      for (let k = first; k <= last; k++) {
        const start = (k - first) * perImage;
        pixels.set(k, new Uint8Array(run.buffer, run.byteOffset + start, perImage));
      }
    }
    return indices.map((index) => pixels.get(index)!);
  } finally {
    await handle.close();
  }
}

/** `read` may return fewer bytes than asked (a signal, a network file system); loop until the run is whole. */
async function readFully(handle: FileHandle, into: Buffer, position: number): Promise<void> {
  for (let done = 0; done < into.length;) {
    const { bytesRead } = await handle.read(into, done, into.length - done, position + done);
    if (bytesRead === 0)
      throw new UserError('CORRUPT_DATASET', 'the dataset cache ended early; import again');
    done += bytesRead;
  }
}
