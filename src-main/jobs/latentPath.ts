import { relative, sep } from 'node:path';
import { decodeImageFile, readDatasetManifest, type DatasetManifest } from '../dataset/index.js';
import {
  decodeLatents,
  encodeImages,
  interpolateLatents,
  type ImageBatch,
  type VaeConfig,
} from '../engine/index.js';
import { resolveBackend, type BackendPreference } from '../engine/node/index.js';
import { openProject } from '../project/index.js';
import { UserError } from '../util/errors.js';
import { readDatasetImages } from './datasetPixels.js';
import { loadTrainedModel } from './loadModel.js';

/**
 * One end of an interpolation: an image file (a bare string is a file path), or an image of the project's
 * dataset by its index in the pixel cache, which works even after the source files are gone. For a conditional
 * model each end has a class: a dataset image's own, a file's `class` when given, else its class folder when it
 * lies in the imported folder.
 */
export type ImageSource = string | { file: string; class?: string } | { datasetIndex: number };

export interface LatentPathInput {
  project: string;
  a: ImageSource;
  b: ImageSource;
  /** Frames including both ends, ≥ 2. */
  steps: number;
  mode: 'lerp' | 'slerp';
  backend?: BackendPreference;
}

export interface LatentPath {
  /** The decoded frames, `steps` images of the model's size. */
  frames: ImageBatch;
  /** Latent means of the two end images. */
  zA: Float32Array;
  zB: Float32Array;
  /** The two end images as the model read them (its size and channels, the dataset's preprocessing). */
  sourceA: Uint8Array;
  sourceB: Uint8Array;
  /**
   * A conditional model's walk: the classes of the two ends, and each frame's label, its weight on class b (0 at
   * the first frame, 1 at the last; the label is (1 − t)·onehot(a) + t·onehot(b)). Absent for an unconditional model.
   */
  classes?: { a: string; b: string; weights: number[] };
}

/**
 * Encodes the two end images with the project's latest model (files get the dataset's preprocessing), walks the
 * latent path between their means and decodes every frame. A conditional model encodes each end under its own
 * class and walks the label too, linearly from class a's one-hot vector to class b's, so a walk between images of
 * two classes turns one class into the other.
 */
export async function decodeLatentPath(input: LatentPathInput): Promise<LatentPath> {
  const { steps, mode } = input;
  if (!Number.isInteger(steps) || steps < 2 || steps > 1000) {
    throw new UserError('INVALID_INPUT', `steps: must be an integer from 2 to 1000, got ${steps}`);
  }
  const project = await openProject(input.project);
  const datasetDir = project.layout.datasetDir;
  const manifest = await readDatasetManifest(datasetDir);
  await resolveBackend(input.backend ?? 'auto');
  const { model } = await loadTrainedModel(project.layout);
  try {
    const { imageSize: size, channels } = model.config;
    const [a, b] = await Promise.all(
      [input.a, input.b].map((source) => readEnd(source, model.config, datasetDir, manifest)),
    );
    const ends: ImageBatch = { pixels: concat(a!, b!), count: 2, size, channels };
    const config = model.config;
    if (!config.conditional) {
      const { mu } = await encodeImages(model, ends, 2);
      const path = interpolateLatents(mu[0]!, mu[1]!, steps, mode);
      const frames = await decodeLatents(model, path, 32);
      return { frames, zA: mu[0]!, zB: mu[1]!, sourceA: a!, sourceB: b! };
    }
    const classes = config.classes ?? [];
    const [ka, kb] = [input.a, input.b].map((source, i) =>
      endClass(source, classes, manifest, i === 0 ? 'a' : 'b'),
    ) as [number, number];
    const { mu } = await encodeImages(model, { ...ends, labels: Uint16Array.of(ka, kb) }, 2);
    const path = interpolateLatents(mu[0]!, mu[1]!, steps, mode);
    const weights = path.map((_, i) => i / (steps - 1));
    const labels = weights.map((t) => {
      const y = new Float32Array(classes.length);
      y[ka]! += 1 - t;
      y[kb]! += t;
      return y;
    });
    const frames = await decodeLatents(model, path, 32, labels);
    return {
      frames,
      zA: mu[0]!,
      zB: mu[1]!,
      sourceA: a!,
      sourceB: b!,
      classes: { a: classes[ka]!, b: classes[kb]!, weights },
    };
  } finally {
    model.dispose();
  }
}

/**
 * The class index of one end of a conditional model's walk: a dataset image's class folder; a file's `class`, or
 * its class folder when it lies inside the imported folder.
 * @throws UserError INVALID_INPUT when the end has no class the model knows, saying how to give one.
 */
function endClass(
  source: ImageSource,
  classes: readonly string[],
  manifest: DatasetManifest | null,
  field: 'a' | 'b',
): number {
  const known = (name: string, how: string): number => {
    const k = classes.indexOf(name);
    if (k < 0) {
      throw new UserError(
        'INVALID_INPUT',
        `${field}: ${describeSource(source)} ${how} ${JSON.stringify(name)}, which is not one of the model's ` +
          `classes (${classes.join(', ')})`,
      );
    }
    return k;
  };
  if (typeof source === 'object' && 'datasetIndex' in source) {
    return known(manifest!.items[source.datasetIndex]!.label, 'is of the class');
  }
  if (typeof source === 'object' && source.class !== undefined)
    return known(source.class, 'was given the class');
  const path = typeof source === 'string' ? source : source.file;
  const inside = manifest ? relative(manifest.sourceRoot, path).split(sep) : [];
  if (inside.length >= 2 && inside[0] !== '..' && inside[0] !== '')
    return known(inside[0]!, 'is in the class folder');
  throw new UserError(
    'INVALID_INPUT',
    `${field}: the model is conditional on its classes (${classes.join(', ')}), and ${describeSource(source)} ` +
      'is not in a class folder of the imported dataset; give its class (--class-a / --class-b), or pick a ' +
      'dataset image',
  );
}

/** Words for an image source in messages: its path, or "dataset image #12". */
export function describeSource(source: ImageSource): string {
  if (typeof source === 'string') return source;
  return 'file' in source ? source.file : `dataset image #${source.datasetIndex}`;
}

/** The pixels of an image source as the model reads them (a file gets the dataset's preprocessing). */
export async function readEnd(
  source: ImageSource,
  config: VaeConfig,
  datasetDir: string,
  manifest: DatasetManifest | null,
): Promise<Uint8Array> {
  const { imageSize: size, channels } = config;
  if (typeof source === 'object' && 'datasetIndex' in source) {
    if (!manifest) {
      throw new UserError(
        'NO_DATASET',
        `${describeSource(source)}: the project has no dataset; import one first`,
      );
    }
    if (manifest.size !== size || manifest.channels !== channels) {
      throw new UserError(
        'DATASET_CHANGED',
        `${describeSource(source)} is ${manifest.size}×${manifest.size}×${manifest.channels} but the model was ` +
          `trained on ${size}×${size}×${channels} images; train again or pick image files`,
      );
    }
    const [pixels] = await readDatasetImages(datasetDir, manifest, [source.datasetIndex]);
    return pixels!;
  }
  const path = typeof source === 'string' ? source : source.file;
  const fit = manifest?.fit ?? 'cover';
  const background = manifest?.background;
  try {
    return await decodeImageFile(path, { size, channels, fit, ...(background ? { background } : {}) });
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError('BAD_IMAGE', `${path}: cannot be read as an image (${(err as Error).message})`);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
