import { encodeImage, readDatasetManifest } from '../dataset/index.js';
import { reconstructImages } from '../engine/index.js';
import { resolveBackend, type BackendPreference } from '../engine/node/index.js';
import { openProject } from '../project/index.js';
import { UserError, throwIfCancelled } from '../util/errors.js';
import { readDatasetImages } from './datasetPixels.js';
import type { JobContext } from './events.js';
import { loadTrainedModel } from './loadModel.js';

export interface ReconstructJobInput {
  project: string;
  /** The dataset image, by its index in the pixel cache. */
  index: number;
  backend?: BackendPreference;
}

export interface ReconstructJobResult {
  index: number;
  /** Its path in the imported folder, and its class folder ('' at the top level). */
  path: string;
  label: string;
  /** The imported pixels and the model's reconstruction (decoded from the latent mean), as PNG. */
  original: Uint8Array;
  reconstruction: Uint8Array;
}

/**
 * One dataset image through the project's latest model: encoded (a conditional model under the image's own
 * class), decoded from the mean of q(z|x), both as PNGs of the model's size. What the large view of a dataset
 * thumbnail shows beside it, so a user sees what the model keeps of that image.
 */
export async function runReconstruction(
  input: ReconstructJobInput,
  ctx: JobContext = {},
): Promise<ReconstructJobResult> {
  const project = await openProject(input.project);
  const manifest = await readDatasetManifest(project.layout.datasetDir);
  if (!manifest) throw new UserError('NO_DATASET', 'the project has no dataset; import images first');
  await resolveBackend(input.backend ?? 'auto');
  const { model } = await loadTrainedModel(project.layout);
  try {
    const { imageSize: size, channels } = model.config;
    if (manifest.size !== size || manifest.channels !== channels) {
      throw new UserError(
        'DATASET_CHANGED',
        `the dataset's images are ${manifest.size}×${manifest.size}×${manifest.channels} but the model was ` +
          `trained on ${size}×${size}×${channels} images; train again to see reconstructions`,
      );
    }
    const [pixels] = await readDatasetImages(project.layout.datasetDir, manifest, [input.index]);
    const item = manifest.items[input.index]!;
    const classes = model.config.classes ?? [];
    const label = classes.indexOf(item.label);
    if (model.config.conditional && label < 0) {
      throw new UserError(
        'DATASET_CHANGED',
        `${item.path} is in the folder "${item.label}", which is none of the model's classes ` +
          `(${classes.join(', ')}); the dataset was imported again since the model was trained`,
      );
    }
    throwIfCancelled(ctx.signal);
    const rebuilt = await reconstructImages(
      model,
      {
        pixels: pixels!,
        count: 1,
        size,
        channels,
        ...(model.config.conditional ? { labels: Uint16Array.of(label) } : {}),
      },
      1,
    );
    const [original, reconstruction] = await Promise.all([
      encodeImage(pixels!, size, size, channels, 'png'),
      encodeImage(rebuilt.pixels, size, size, channels, 'png'),
    ]);
    return { index: input.index, path: item.path, label: item.label, original, reconstruction };
  } finally {
    model.dispose();
  }
}
