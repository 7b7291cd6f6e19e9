import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { encodeAnimation, encodeImage } from '../dataset/index.js';
import { tileImages } from '../engine/index.js';
import { type BackendPreference } from '../engine/node/index.js';
import { UserError, throwIfCancelled } from '../util/errors.js';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { ignoreEvents, jobEvent, type JobContext } from './events.js';
import { decodeLatentPath, type ImageSource } from './latentPath.js';
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
}

/**
 * Encodes two images (files, with the same preprocessing as the dataset, or dataset images by index) with the
 * project's model, walks the latent path between their means and writes the decoded frames, a contact sheet
 * and an animation.
 */
export async function runInterpolation(
  input: InterpolateJobInput,
  ctx: JobContext = {},
): Promise<InterpolateJobResult> {
  const emit = ctx.emit ?? ignoreEvents;
  const { steps = 8, mode = 'slerp', animation = 'webp', frameDelayMs = 120 } = input;
  const { frames, zA, zB } = await decodeLatentPath({
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
  await refuseExisting(out, [...names, 'contact-sheet.png', ...(ext ? [`interpolation.${ext}`] : [])]);

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
  return {
    out,
    frames: frameFiles,
    contactSheet,
    animation: animationFile,
    steps,
    mode,
    zA: Array.from(zA),
    zB: Array.from(zB),
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
        `${path} already exists; choose an empty output folder (nothing was overwritten)`,
      );
    }
  }
}
