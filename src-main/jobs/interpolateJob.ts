import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { encodeAnimation, encodeImage } from '../dataset/index.js';
import { tileImages } from '../engine/index.js';
import { type BackendPreference } from '../engine/node/index.js';
import { UserError, throwIfCancelled } from '../util/errors.js';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { ignoreEvents, jobEvent, type JobContext } from './events.js';
import { decodeLatentPath, describeSource, type ImageSource } from './latentPath.js';
import { makeFolder } from '../util/folders.js';

export type InterpolationMode = 'lerp' | 'slerp';

export interface InterpolateJobInput {
  project: string;
  /** A file path, or an image of the project's dataset (read from its pixel cache). */
  imageA: ImageSource;
  imageB: ImageSource;
  out: string;
  /** Frames including both ends, ≥ 2. */
  steps?: number;
  mode?: InterpolationMode;
  /** Animation format; 'none' writes frames and the contact sheet only. */
  animation?: 'webp' | 'gif' | 'none';
  frameDelayMs?: number;
  backend?: BackendPreference;
}

export interface InterpolateJobResult {
  out: string;
  frames: string[];
  contactSheet: string;
  animation: string | null;
  steps: number;
  mode: InterpolationMode;
  /** Latent means of the two end images. */
  zA: number[];
  zB: number[];
  /** A conditional model's walk: the two ends' classes (the label walks from a's to b's). Absent otherwise. */
  classA?: string;
  classB?: string;
  /** `interpolation.json` beside the frames: the ends, their classes, the latents and each frame's label. */
  record: string;
}

/** What `interpolation.json` records of an export, so its frames can be told apart and made again. */
export interface InterpolationRecord {
  a: string;
  b: string;
  steps: number;
  mode: InterpolationMode;
  zA: number[];
  zB: number[];
  /** A conditional model's: the classes of the ends, and each frame's weight on class b (its label). */
  classA?: string;
  classB?: string;
  classWeights?: number[];
  frames: string[];
}

/** The record of an interpolation export, written beside its frames. */
export const INTERPOLATION_RECORD = 'interpolation.json';

/**
 * Encodes two images (files, with the same preprocessing as the dataset, or dataset images by index) with the
 * project's model, walks the latent path between their means (a conditional model's label too, from class a to
 * class b) and writes the decoded frames, a contact sheet, an animation and `interpolation.json`.
 */
export async function runInterpolation(
  input: InterpolateJobInput,
  ctx: JobContext = {},
): Promise<InterpolateJobResult> {
  const emit = ctx.emit ?? ignoreEvents;
  const { steps = 8, mode = 'slerp', animation = 'webp', frameDelayMs = 120 } = input;
  const { frames, zA, zB, classes } = await decodeLatentPath({
    project: input.project,
    a: input.imageA,
    b: input.imageB,
    steps,
    mode,
    ...(input.backend ? { backend: input.backend } : {}),
  });
  const { size, channels } = frames;
  // Cancelling is honoured before the first file, so a stopped export never leaves a partial folder behind.
  throwIfCancelled(ctx.signal);

  const out = resolve(input.out);
  await makeFolder(out);
  const names = Array.from({ length: steps }, (_, i) => `frame-${String(i).padStart(3, '0')}.png`);
  const ext = animation === 'none' ? null : animation;
  await refuseExisting(out, [
    ...names,
    'contact-sheet.png',
    INTERPOLATION_RECORD,
    ...(ext ? [`interpolation.${ext}`] : []),
  ]);

  const perImage = size * size * channels;
  const frameFiles: string[] = [];
  const framePixels: Uint8Array[] = [];
  for (let i = 0; i < steps; i++) {
    const pixels = frames.pixels.slice(i * perImage, (i + 1) * perImage);
    framePixels.push(pixels);
    const file = join(out, names[i]!);
    await writeFileAtomic(file, await encodeImage(pixels, size, size, channels, 'png'));
    frameFiles.push(file);
    emit(jobEvent('interpolation.progress', { done: i + 1, total: steps }));
  }
  const sheet = tileImages(frames, Math.min(steps, 16));
  const contactSheet = join(out, 'contact-sheet.png');
  await writeFileAtomic(
    contactSheet,
    await encodeImage(sheet.pixels, sheet.width, sheet.height, sheet.channels, 'png'),
  );
  let animationFile: string | null = null;
  if (ext) {
    animationFile = join(out, `interpolation.${ext}`);
    // Forth and back, so the loop has no jump.
    const loop = [...framePixels, ...framePixels.slice(1, -1).reverse()];
    await writeFileAtomic(
      animationFile,
      await encodeAnimation(loop, size, size, channels, ext, frameDelayMs),
    );
  }
  const ofClasses = classes ? { classA: classes.a, classB: classes.b } : {};
  const record: InterpolationRecord = {
    a: describeSource(input.imageA),
    b: describeSource(input.imageB),
    steps,
    mode,
    zA: Array.from(zA),
    zB: Array.from(zB),
    ...ofClasses,
    ...(classes ? { classWeights: classes.weights } : {}),
    frames: names,
  };
  const recordFile = join(out, INTERPOLATION_RECORD);
  await writeFileAtomic(recordFile, JSON.stringify(record, null, 2) + '\n');
  return {
    out,
    frames: frameFiles,
    contactSheet,
    animation: animationFile,
    steps,
    mode,
    zA: Array.from(zA),
    zB: Array.from(zB),
    ...ofClasses,
    record: recordFile,
  };
}

async function refuseExisting(dir: string, names: string[]): Promise<void> {
  for (const name of names) {
    const path = join(dir, name);
    const exists = await access(path).then(
      () => true,
      () => false,
    );
    if (exists) {
      throw new UserError(
        'OUTPUT_EXISTS',
        `${path} already exists; choose an empty --out folder (nothing was overwritten)`,
      );
    }
  }
}
