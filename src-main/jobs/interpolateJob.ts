import { access, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { decodeImageFile, encodeAnimation, encodeImage, readDatasetManifest } from '../dataset/index.js';
import {
  resolveBackend,
  type BackendPreference,
  decodeLatents,
  encodeImages,
  interpolateLatents,
  tileImages,
  type ImageBatch,
} from '../engine/index.js';
import { openProject } from '../project/index.js';
import { UserError } from '../util/errors.js';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { ignoreEvents, type JobContext } from './events.js';
import { loadTrainedModel } from './loadModel.js';

export type InterpolationMode = 'lerp' | 'slerp';

export interface InterpolateJobInput {
  project: string;
  imageA: string;
  imageB: string;
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
 * Encodes two image files with the project's model (same preprocessing as its dataset), walks the latent
 * path between their means and writes the decoded frames, a contact sheet and an animation.
 */
export async function runInterpolation(
  input: InterpolateJobInput,
  ctx: JobContext = {},
): Promise<InterpolateJobResult> {
  const emit = ctx.emit ?? ignoreEvents;
  const { steps = 8, mode = 'slerp', animation = 'webp', frameDelayMs = 120 } = input;
  if (!Number.isInteger(steps) || steps < 2 || steps > 1000) {
    throw new UserError('INVALID_INPUT', `steps: must be an integer from 2 to 1000, got ${steps}`);
  }
  const project = await openProject(input.project);
  const manifest = await readDatasetManifest(project.layout.datasetDir);
  await resolveBackend(input.backend ?? 'auto');
  const { model } = await loadTrainedModel(project.layout);
  try {
    const { imageSize: size, channels } = model.config;
    const fit = manifest?.fit ?? 'cover';
    const background = manifest?.background;
    const decodeOpts = { size, channels, fit, ...(background ? { background } : {}) };
    const [a, b] = await Promise.all(
      [input.imageA, input.imageB].map(async (path) => {
        try {
          return await decodeImageFile(path, decodeOpts);
        } catch (err) {
          if (err instanceof UserError) throw err;
          throw new UserError('BAD_IMAGE', `${path}: cannot be read as an image (${(err as Error).message})`);
        }
      }),
    );
    const ends: ImageBatch = { pixels: concat(a!, b!), count: 2, size, channels };
    const { mu } = encodeImages(model, ends, 2);
    const path = interpolateLatents(mu[0]!, mu[1]!, steps, mode);
    const frames = decodeLatents(model, path, 32);

    const out = resolve(input.out);
    await mkdir(out, { recursive: true });
    const names = path.map((_, i) => `frame-${String(i).padStart(3, '0')}.png`);
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
      emit({ type: 'interpolate-progress', done: i + 1, total: steps });
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
      zA: Array.from(mu[0]!),
      zB: Array.from(mu[1]!),
    };
  } finally {
    model.dispose();
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
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
