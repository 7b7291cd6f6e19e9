import { join } from 'node:path';
import { runImport, runTraining } from '../../../src-main/jobs/index.js';
import type { TrainSettings } from '../../../src-main/contract/index.js';
import { tempDir } from '../../helpers/tinyData.js';
import { writeShapesWithPlants } from '../../helpers/plantedShapes.js';

export { BLANK_FILES, NOISE_FILES } from '../../helpers/plantedShapes.js';

/** A small model, quick on wasm, trained on the planted shapes; returns the project folder. */
export async function trainedShapesProject(
  epochs = 40,
  settings: Partial<TrainSettings> = {},
): Promise<{ project: string; images: string }> {
  const work = await tempDir('vae-explore-');
  const images = join(work, 'shapes');
  await writeShapesWithPlants(images);
  const project = join(work, 'project');
  await runImport({ folder: images, project, size: 16, channels: 3, fit: 'cover' });
  await runTraining({
    project,
    backend: 'wasm',
    settings: {
      latentDim: 8,
      width: 8,
      conditional: false,
      batchSize: 32,
      epochs,
      seed: 1,
      valFraction: 0.1,
      ...settings,
    },
  });
  return { project, images };
}
