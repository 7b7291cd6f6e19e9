import { existsSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { encodeImage, readDatasetManifest } from '../../dataset/index.js';
import { decodeLatents, encodeImages, tileImages } from '../../engine/index.js';
import { resolveBackend, type BackendPreference } from '../../engine/node/index.js';
import { openProject } from '../../project/index.js';
import { writeFileAtomic, writeJsonAtomic } from '../../util/atomicWrite.js';
import { UserError } from '../../util/errors.js';
import { makeFolder } from '../../util/folders.js';
import { loadLabelledDataset } from '../datasetLabels.js';
import { ignoreEvents, logEvent, type JobContext } from '../events.js';
import { readEnd } from '../latentPath.js';
import { loadTrainedModel } from '../loadModel.js';
import { measureLatentDims } from './latentDims.js';

export interface TraverseJobInput {
  project: string;
  /** The image whose μ the walks go through; none: the origin of the latent space. */
  image?: string;
  /** A conditional model: the class to decode under (default: the image's class folder in the dataset). */
  class?: string;
  /** Rows: the most active dimensions (by KL), at most the latent size. Default 8. */
  dims?: number;
  /** How far each walk goes either side, in units of σ. Default 3. */
  range?: number;
  /** Columns: decodes per row, ≥ 2, both ends included. Default 9. */
  steps?: number;
  out: string;
  /** Also write every decode as `frames/dim-<d>/step-<j>.png`. */
  frames?: boolean;
  backend?: BackendPreference;
}

/** One row of the sheet. */
export interface TraversalRow {
  dim: number;
  /** Mean KL of the dimension over the dataset, nats. */
  kl: number;
  /** Standard deviation of μ_d over the dataset. */
  sd: number;
  active: boolean;
  /** The σ the row's range is measured in: the dimension's sd around an image, 1 (the prior's) at the origin. */
  sigma: number;
  /** z_d of each column, left to right. */
  values: number[];
}

export interface TraverseJobResult {
  out: string;
  /** traversal.png: rows = dims (most active first), columns = steps; and traversal.json describing its rows. */
  sheet: string;
  json: string;
  frames: string[];
  /** What the walks go through: an image's μ, or the origin. */
  centre: { image: string | null; class?: string };
  rows: TraversalRow[];
  steps: number;
  range: number;
  /** Pixel size of the sheet: steps × size + (steps − 1) × gap wide, rows × size + (rows − 1) × gap high. */
  width: number;
  height: number;
  imageSize: number;
  gap: number;
}

/** Pixels between the sheet's tiles (white). */
export const SHEET_GAP = 2;

/**
 * Writes a traversal sheet of the project's model: one row per latent dimension, the most active first (mean KL
 * over the dataset), each row decoding z_d from −range·σ to +range·σ around the chosen image's μ (σ: the
 * dimension's standard deviation of μ over the dataset) or around the origin (σ = 1, the prior's), the other
 * dimensions held. A conditional model decodes every tile under one class.
 * @throws UserError OUTPUT_EXISTS when `out` already holds a traversal.png (nothing is overwritten).
 */
export async function runTraversal(
  input: TraverseJobInput,
  ctx: JobContext = {},
): Promise<TraverseJobResult> {
  const emit = ctx.emit ?? ignoreEvents;
  const steps = input.steps ?? 9;
  const range = input.range ?? 3;
  if (!Number.isInteger(steps) || steps < 2 || steps > 64)
    throw new UserError('INVALID_INPUT', `steps: must be a whole number from 2 to 64, got ${steps}`);
  if (!(range > 0 && range <= 10))
    throw new UserError('INVALID_INPUT', `range: must be above 0 and at most 10, got ${range}`);
  const out = resolve(input.out);
  const sheet = join(out, 'traversal.png');
  if (existsSync(sheet))
    throw new UserError(
      'OUTPUT_EXISTS',
      `${sheet} exists already; nothing was overwritten, choose another folder`,
    );
  const project = await openProject(input.project);
  const { layout } = project;
  await resolveBackend(input.backend ?? 'auto');
  const { model, checkpoint } = await loadTrainedModel(layout, emit);
  try {
    const config = model.config;
    const L = config.latentDim;
    const wanted = input.dims ?? 8;
    if (!Number.isInteger(wanted) || wanted < 1)
      throw new UserError('INVALID_INPUT', `dims: must be a whole number ≥ 1, got ${wanted}`);
    const { images } = await loadLabelledDataset(layout.datasetDir, config);
    const { dims, measuredOn } = await measureLatentDims(model, images, ctx.signal);
    emit(logEvent(`dimensions ordered by their mean KL over ${measuredOn} dataset images`));
    const manifest = await readDatasetManifest(layout.datasetDir);
    const classIndex = config.conditional
      ? chooseClass(config.classes ?? [], input, manifest?.sourceRoot)
      : null;
    const labels = classIndex === null ? undefined : Uint16Array.of(classIndex);
    let centre: Float32Array = new Float32Array(L);
    if (input.image) {
      const pixels = await readEnd(resolve(input.image), config, layout.datasetDir, manifest);
      const batch = { pixels, count: 1, size: config.imageSize, channels: config.channels };
      centre = (await encodeImages(model, labels ? { ...batch, labels } : batch, 1)).mu[0]!;
    }
    const rows: TraversalRow[] = dims.slice(0, Math.min(wanted, L)).map((d) => {
      const sigma = input.image ? d.sd : 1;
      const values = Array.from(
        { length: steps },
        (_, j) => centre[d.dim]! + (-range + (2 * range * j) / (steps - 1)) * sigma,
      );
      return { ...d, sigma, values };
    });
    const z = rows.flatMap((row) =>
      row.values.map((v) => {
        const point = Float32Array.from(centre);
        point[row.dim] = v;
        return point;
      }),
    );
    const decoded = await decodeLatents(
      model,
      z,
      64,
      classIndex === null ? undefined : z.map(() => classIndex),
    );
    const grid = tileImages(decoded, steps, SHEET_GAP, 255);
    await makeFolder(out);
    await writeFileAtomic(
      sheet,
      await encodeImage(grid.pixels, grid.width, grid.height, grid.channels, 'png'),
    );
    const frames: string[] = [];
    if (input.frames) {
      const per = decoded.size * decoded.size * decoded.channels;
      for (let r = 0; r < rows.length; r++) {
        const folder = join(out, 'frames', `dim-${String(rows[r]!.dim).padStart(2, '0')}`);
        await makeFolder(join(out, 'frames'));
        await makeFolder(folder);
        for (let j = 0; j < steps; j++) {
          const i = r * steps + j;
          const file = join(folder, `step-${String(j).padStart(2, '0')}.png`);
          const bytes = decoded.pixels.subarray(i * per, (i + 1) * per);
          await writeFileAtomic(
            file,
            await encodeImage(bytes, decoded.size, decoded.size, decoded.channels, 'png'),
          );
          frames.push(file);
        }
      }
    }
    const className = classIndex === null ? undefined : config.classes![classIndex]!;
    const result: TraverseJobResult = {
      out,
      sheet,
      json: join(out, 'traversal.json'),
      frames,
      centre: {
        image: input.image ? resolve(input.image) : null,
        ...(className ? { class: className } : {}),
      },
      rows,
      steps,
      range,
      width: grid.width,
      height: grid.height,
      imageSize: config.imageSize,
      gap: SHEET_GAP,
    };
    await writeJsonAtomic(result.json, {
      ...result,
      model: {
        checkpoint: checkpoint.dir,
        epoch: checkpoint.meta.epoch,
        weightsSha256: checkpoint.meta.weightsSha256,
      },
      measuredOn,
    });
    return result;
  } finally {
    model.dispose();
  }
}

/** A conditional model's class for every tile: the one asked for, else the image's class folder in the dataset. */
function chooseClass(
  classes: readonly string[],
  input: TraverseJobInput,
  sourceRoot: string | undefined,
): number {
  const name =
    input.class ?? (input.image && sourceRoot ? classFolderOf(resolve(input.image), sourceRoot) : undefined);
  if (name === undefined)
    throw new UserError(
      'INVALID_INPUT',
      `class: the model is conditional on its classes (${classes.join(', ')}); say which class to decode`,
    );
  const k = classes.indexOf(name);
  if (k < 0)
    throw new UserError(
      'INVALID_INPUT',
      `class: ${JSON.stringify(name)} is not one of the model's classes (${classes.join(', ')})`,
    );
  return k;
}

function classFolderOf(file: string, sourceRoot: string): string | undefined {
  const inside = relative(sourceRoot, file).split(sep);
  return inside.length >= 2 && inside[0] !== '..' && inside[0] !== '' ? inside[0] : undefined;
}
