import { randomBytes } from 'node:crypto';
import { open, readdir, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { encodeImage, type ImageFormat } from '../dataset/index.js';
import { decodeLatents, latentSeed, sampleLatents } from '../engine/index.js';
import { resolveBackend, type BackendPreference } from '../engine/node/index.js';
import { openProject } from '../project/index.js';
import { fsFailure } from '../util/fsErrors.js';
import { UserError, throwIfCancelled, CancelledError } from '../util/errors.js';
import { faultPoint } from '../util/faultPoint.js';
import { ignoreEvents, jobEvent, logEvent, type JobContext } from './events.js';
import { GenerationManifest, MANIFEST_JSONL, type GeneratedImage } from './generationManifest.js';
import { loadTrainedModel } from './loadModel.js';
import { makeFolder } from '../util/folders.js';

export type { GeneratedImage } from './generationManifest.js';

export interface GenerateJobInput {
  project: string;
  count: number;
  out: string;
  temperature?: number;
  seed?: number;
  /** Index of the first image: image i of a run is fully determined by (seed, start + i, temperature). */
  start?: number;
  format?: ImageFormat;
  batchSize?: number;
  backend?: BackendPreference;
}

export interface GenerateJobResult {
  out: string;
  /** The files this run wrote (or found whole and listed), in index order. */
  files: string[];
  manifest: { jsonl: string; csv: string };
  /** Images this run added to the manifest. */
  count: number;
  /** Images of the asked range that the manifest already listed, so this run left them as they were. */
  alreadyThere: number;
  cancelled: boolean;
  seconds: number;
  imagesPerSec: number;
}

/**
 * Decodes the images `start … start + count − 1` of `seed` into `out`, each named `sample-s<seed>-<index>.<ext>`,
 * and lists each in `out/manifest.jsonl` (and manifest.csv) the moment its file is whole. An image is written to
 * a temporary file and renamed into place, so no partial file is ever seen under its name, and its row follows,
 * so a row never names a missing file; a kill loses at most the row of the last file.
 *
 * Running the same generation again continues it: images the manifest lists are skipped (`alreadyThere`), and a
 * file of the run that has no row (the process died between the two) is listed if it holds the image this run
 * would write, or replaced if it is empty, unreadable or a copy of it that differs only by rounding. Another seed
 * or range adds rows beside the folder's others. The images of one seed in one folder all come from one model,
 * temperature and format: a run that would mix them (the project was trained on since, say) is refused before it
 * writes anything, and so is one that would overwrite a file it did not write.
 *
 * A failed write (a full disk, say) stops the run at once with the file-system error in words, naming the folder and
 * the cause; the manifest lists exactly the images on disk.
 */
export async function runGeneration(
  input: GenerateJobInput,
  ctx: JobContext = {},
): Promise<GenerateJobResult> {
  const emit = ctx.emit ?? ignoreEvents;
  const { count, temperature = 1, seed = 0, start = 0, format = 'png', batchSize = 64 } = input;
  if (!Number.isInteger(count) || count < 1)
    throw new UserError('INVALID_INPUT', `count: must be a positive integer, got ${count}`);
  if (!(temperature > 0))
    throw new UserError('INVALID_INPUT', `temperature: must be greater than 0, got ${temperature}`);
  if (!Number.isInteger(start) || start < 0)
    throw new UserError('INVALID_INPUT', `start: must be an integer ≥ 0, got ${start}`);
  const project = await openProject(input.project);
  await resolveBackend(input.backend ?? 'auto');
  const { model, checkpoint } = await loadTrainedModel(project.layout, emit);
  const out = resolve(input.out);
  const paths = GenerationManifest.paths(out);
  const t0 = performance.now();
  let manifest: GenerationManifest | undefined;
  try {
    let names: Set<string>;
    try {
      await makeFolder(out);
      names = new Set(await readdir(out));
      manifest = await GenerationManifest.open(out, [...names]);
    } catch (err) {
      throw writeFailure(err, out, null, 0);
    }
    const made = {
      checkpoint: checkpoint.dir,
      epoch: checkpoint.meta.epoch,
      weightsSha256: checkpoint.meta.weightsSha256,
    };
    refuseMixedSeed(manifest, out, { seed, temperature, format, ...made });

    const todo: number[] = [];
    for (let index = start; index < start + count; index++) {
      if (!manifest.get(seed, index)) todo.push(index);
    }
    const alreadyThere = count - todo.length;
    if (alreadyThere > 0) {
      emit(
        logEvent(
          `${out}: ${alreadyThere} of the ${count} images are already in ${MANIFEST_JSONL}; ` +
            (todo.length ? `writing the other ${todo.length}` : 'nothing left to write'),
        ),
      );
    }

    const files: string[] = [];
    let cancelled = false;
    try {
      for (let done = 0; done < todo.length;) {
        throwIfCancelled(ctx.signal);
        const indices = todo.slice(done, done + batchSize);
        const z = indices.map(
          (index) => sampleLatents(1, model.config.latentDim, seed, temperature, index)[0]!,
        );
        const batch = await decodeLatents(model, z, indices.length);
        const pixelsPerImage = batch.size * batch.size * batch.channels;
        const pixelsOf = (i: number) => batch.pixels.subarray(i * pixelsPerImage, (i + 1) * pixelsPerImage);
        // libvips encodes the batch on its threads meanwhile; the files are still written one by one, in order.
        const encodings = indices.map((_, i) =>
          encodeImage(pixelsOf(i), batch.size, batch.size, batch.channels, format),
        );
        // A run stopped by a failed write leaves the rest unawaited: their failures are not news.
        for (const encoding of encodings) encoding.catch(() => undefined);
        for (let i = 0; i < indices.length; i++) {
          const index = indices[i]!;
          const name = imageName(seed, index, format);
          const pixels = pixelsOf(i);
          const encoded = await encodings[i]!;
          const path = join(out, name);
          try {
            const found = names.has(name)
              ? await unlistedFile(path, encoded, pixels, batch.channels)
              : 'absent';
            if (found === 'foreign')
              throw new UserError(
                'OUTPUT_EXISTS',
                `${path} is not listed in ${MANIFEST_JSONL} and holds another image than this run would write ` +
                  `there; nothing was overwritten. Move it out of ${out}, or generate into another folder. ` +
                  `The ${manifest.rows.length} images written so far are listed in ${MANIFEST_JSONL}.`,
              );
            if (found !== 'same') await writeImage(out, name, encoded);
            await appendOrUnlink(manifest, path, {
              file: name,
              index,
              seed,
              latentSeed: latentSeed(seed, index),
              temperature,
              z: Array.from(z[i]!),
              ...made,
            });
          } catch (err) {
            throw writeFailure(err, out, name, manifest.rows.length);
          }
          names.add(name);
          files.push(path);
        }
        done += indices.length;
        try {
          await manifest.sync();
        } catch (err) {
          throw writeFailure(err, out, MANIFEST_JSONL, manifest.rows.length);
        }
        const seconds = (performance.now() - t0) / 1000;
        emit(
          jobEvent('generation.progress', {
            done: alreadyThere + done,
            total: count,
            imagesPerSec: done / seconds,
            etaSeconds: ((todo.length - done) * seconds) / done,
          }),
        );
        await new Promise((r) => setImmediate(r));
      }
      if (todo.length === 0) {
        emit(jobEvent('generation.progress', { done: count, total: count, imagesPerSec: 0, etaSeconds: 0 }));
      }
    } catch (err) {
      if (!(err instanceof CancelledError)) throw err;
      cancelled = true;
    }
    const seconds = (performance.now() - t0) / 1000;
    return {
      out,
      files,
      manifest: paths,
      count: files.length,
      alreadyThere,
      cancelled,
      seconds,
      imagesPerSec: files.length / seconds,
    };
  } finally {
    model.dispose();
    await manifest?.close();
  }
}

/** The one name image `index` of `seed` has in any folder: a re-run finds it there, never writes a second copy. */
export function imageName(seed: number, index: number, format: ImageFormat): string {
  return `sample-s${seed}-${String(index).padStart(6, '0')}.${format}`;
}

/**
 * Refuses a run whose seed the folder already holds images of from another model, temperature or format: one
 * (seed, index) means one image in a manifest, so a second model's image of it would have to replace the first
 * or sit beside it under the same key.
 */
function refuseMixedSeed(
  manifest: GenerationManifest,
  out: string,
  run: { seed: number; temperature: number; format: ImageFormat; weightsSha256: string; epoch: number },
): void {
  const ofSeed = manifest.rows.filter((row) => row.seed === run.seed);
  const other = ofSeed.find(
    (row) =>
      row.weightsSha256 !== run.weightsSha256 ||
      row.temperature !== run.temperature ||
      !row.file.endsWith(`.${run.format}`),
  );
  if (!other) return;
  const why =
    other.weightsSha256 !== run.weightsSha256
      ? `another model (weights ${other.weightsSha256?.slice(0, 12) ?? 'unknown'}…, epoch ${other.epoch ?? '?'}; the project's model ` +
        `is now ${run.weightsSha256.slice(0, 12)}…, epoch ${run.epoch})`
      : other.temperature !== run.temperature
        ? `temperature ${other.temperature} (this run: ${run.temperature})`
        : `another format (${other.file}; this run: ${run.format})`;
  throw new UserError(
    'OUTPUT_EXISTS',
    `${out} already holds ${ofSeed.length} images of seed ${run.seed} made with ${why}; nothing was written. ` +
      `Generate into another folder, or with another seed.`,
  );
}

/** Writes `data` to a temporary file beside `name`, then renames it into place: never a partial `name`. */
async function writeImage(out: string, name: string, data: Uint8Array): Promise<void> {
  const tmp = join(out, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
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
async function appendOrUnlink(
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
async function unlistedFile(
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
    const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
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
function writeFailure(err: unknown, out: string, name: string | null, listed: number): unknown {
  if (err instanceof UserError || err instanceof CancelledError) return err;
  const path = name ? join(out, name) : out;
  const kept = name
    ? `the ${listed} images written so far are listed in ${MANIFEST_JSONL}, and running the same generation ` +
      'again continues from there'
    : undefined;
  return fsFailure(err, { doing: `writing ${path}`, path, ...(kept ? { kept } : {}) });
}
