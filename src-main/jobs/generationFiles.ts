import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import sharp from 'sharp';
import type { ImageFormat } from '../dataset/index.js';
import { fsFailure } from '../util/fsErrors.js';
import { CancelledError, UserError } from '../util/errors.js';
import { faultPoint } from '../util/faultPoint.js';
import { MANIFEST_JSONL, type GeneratedImage, type GenerationManifest } from './generationManifest.js';

/* The files of a generation folder: an image's one name, its write (never a partial file under the name), its
 * manifest row, what an unlisted file under the name holds, and the error a failed write stops the run with. */

/** The one name image `index` of `seed` has in any folder: a re-run finds it there, never writes a second copy. */
export function imageName(seed: number, index: number, format: ImageFormat): string {
  return `sample-s${seed}-${String(index).padStart(6, '0')}.${format}`;
}

/**
 * The name of a conditional model's image `index` of `seed` in its class folder, `<folder>/sample-s…`: a path
 * inside the output folder with '/' separators, as the manifest's `file` holds it.
 */
export function classImageName(folder: string, seed: number, index: number, format: ImageFormat): string {
  return `${folder}/${imageName(seed, index, format)}`;
}

/**
 * Writes `data` to a temporary file beside `name` (a path inside `out`, '/' separators), then renames it into
 * place: never a partial `name`.
 */
export async function writeImage(out: string, name: string, data: Uint8Array): Promise<void> {
  const tmp = join(out, dirname(name), `.${basename(name)}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: FileHandle | undefined;
  try {
    handle = await open(tmp, 'wx');
    faultPoint('generate-image-write');
    await handle.writeFile(data);
    await handle.close();
    handle = undefined;
    faultPoint('generate-image-rename');
    await rename(tmp, join(out, name));
  } catch (err) {
    await handle?.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}

/** Appends `row`; if that fails, removes the image at `path` too, so the manifest still lists exactly the files. */
export async function appendOrUnlink(
  manifest: GenerationManifest,
  path: string,
  row: GeneratedImage,
): Promise<void> {
  try {
    await manifest.append(row);
  } catch (err) {
    await rm(path, { force: true }).catch(() => undefined);
    throw err;
  }
}

/**
 * What an unlisted file under an image's name holds: the very bytes this run would write ('same': list it), an
 * image within rounding of them (a decode on another batch split), nothing readable (a partial file of an older
 * version) — both 'replace' — or a different image ('foreign': not ours to overwrite).
 */
export async function unlistedFile(
  path: string,
  encoded: Uint8Array,
  pixels: Uint8Array,
  channels: number,
): Promise<'same' | 'replace' | 'foreign' | 'absent'> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // A folder under the name is left for the write to report.
    return code === 'ENOENT' || code === 'EISDIR' ? 'absent' : 'replace';
  }
  if (Buffer.from(encoded).equals(bytes)) return 'same';
  try {
    // libvips hands a grayscale file back as sRGB unless asked for its one band.
    const image = channels === 1 ? sharp(bytes).toColourspace('b-w') : sharp(bytes);
    const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== channels || data.length !== pixels.length) return 'foreign';
    for (let i = 0; i < data.length; i++) if (Math.abs(data[i]! - pixels[i]!) > 8) return 'foreign';
    return 'replace';
  } catch {
    return 'replace';
  }
}

/**
 * The error a failed write of generation stops with: the file-system failure in words (util/fsErrors.ts) with
 * the file, and what the manifest holds. A `UserError` (e.g. a refusal) passes through as it is.
 */
export function writeFailure(err: unknown, out: string, name: string | null, listed: number): unknown {
  if (err instanceof UserError || err instanceof CancelledError) return err;
  const path = name ? join(out, name) : out;
  const kept = name
    ? `the ${listed} images written so far are listed in ${MANIFEST_JSONL}, and running the same generation ` +
      'again continues from there'
    : undefined;
  return fsFailure(err, { doing: `writing ${path}`, path, ...(kept ? { kept } : {}) });
}
