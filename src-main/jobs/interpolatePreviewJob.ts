import { encodeImage } from '../dataset/index.js';
import type { BackendPreference } from '../engine/node/index.js';
import { throwIfCancelled } from '../util/errors.js';
import type { JobContext } from './events.js';
import { decodeLatentPath, type ImageSource } from './latentPath.js';

export interface InterpolatePreviewJobInput {
  project: string;
  a: ImageSource;
  b: ImageSource;
  /** Frames including both ends, ≥ 2. */
  steps: number;
  mode: 'lerp' | 'slerp';
  backend?: BackendPreference;
}

export interface InterpolatePreviewJobResult {
  /** One PNG per frame, in path order. */
  frames: Uint8Array[];
}

/** The frames of an interpolation decoded in memory as PNG bytes, for a live preview: no files are written. */
export async function runInterpolationPreview(
  input: InterpolatePreviewJobInput,
  ctx: JobContext = {},
): Promise<InterpolatePreviewJobResult> {
  const { frames } = await decodeLatentPath(input);
  const { size, channels } = frames;
  const perImage = size * size * channels;
  const pngs: Uint8Array[] = [];
  for (let i = 0; i < frames.count; i++) {
    throwIfCancelled(ctx.signal);
    const pixels = frames.pixels.subarray(i * perImage, (i + 1) * perImage);
    pngs.push(await encodeImage(pixels, size, size, channels, 'png'));
  }
  return { frames: pngs };
}
