import { dirname, join, resolve } from 'node:path';
import { MAP_SETTINGS, defaultsOf, type MapResult } from '../../contract/index.js';
import { loadDataset, type DatasetManifest } from '../../dataset/index.js';
import type { ImageBatch } from '../../engine/index.js';
import { resolveBackend, type BackendPreference } from '../../engine/node/index.js';
import {
  defaultUmapEpochs,
  neighbourClassAgreement,
  projectTo2d,
  type ProjectionMethod,
} from '../../engine/projection/index.js';
import { openProject } from '../../project/index.js';
import { throwIfCancelled, UserError } from '../../util/errors.js';
import { makeFolder } from '../../util/folders.js';
import { CLASS_FOLDERS_ADVICE, labelsFor, loadLabelledDataset } from '../datasetLabels.js';
import { encodeDatasetLatents } from '../datasetLatents.js';
import { ignoreEvents, jobEvent, logEvent, type JobContext } from '../events.js';
import { readFolderLikeDataset } from '../folderImages.js';
import { loadTrainedModel } from '../loadModel.js';
import { checkMapCsvTarget, MAP_CSV, MAP_JSON, mapDir, writeMapCsv, writeStoredMap } from './mapFiles.js';

export interface MapJobInput {
  project: string;
  method?: ProjectionMethod;
  seed?: number;
  /** UMAP's neighbourhood size. */
  neighbours?: number;
  /** UMAP's layout epochs; default by the number of images (engine/projection/umap.ts). */
  epochs?: number;
  /** A folder of images to map instead of the project's dataset, preprocessed like it. */
  data?: string;
  /**
   * The CSV to write. Without it the map is the project's own (`map/map.csv`, and `map/map.json` for the app);
   * a file that exists must be an earlier map.
   */
  out?: string;
  backend?: BackendPreference;
}

/**
 * The latent map: every image encoded to its latent mean μ (a conditional model's under the image's own class
 * folder), laid out in 2-D by UMAP or PCA, written as CSV (file, label, x, y, z0 … z(L−1)) and, for the
 * project's own map, as the map.json the Map view draws. Says how well the layout keeps the class folders apart
 * (2-D k-NN accuracy beside chance) and where the time went.
 */
export async function runMap(input: MapJobInput, ctx: JobContext = {}): Promise<MapResult> {
  const emit = ctx.emit ?? ignoreEvents;
  const defaults = defaultsOf(MAP_SETTINGS);
  const method = input.method ?? defaults.method;
  const seed = input.seed ?? defaults.seed;
  const neighbours = input.neighbours ?? defaults.neighbours;
  const project = await openProject(input.project);
  const csv = input.out ? resolve(input.out) : join(mapDir(project.layout.root), MAP_CSV);
  if (input.out) await checkMapCsvTarget(csv);
  await resolveBackend(input.backend ?? 'auto');
  const { model, checkpoint } = await loadTrainedModel(project.layout, emit);
  try {
    const { images, manifest, skipped } = await mapImages(
      project.layout.datasetDir,
      model.config,
      input.data,
      ctx,
    );
    const { imageSize: size, channels } = model.config;
    if (images.size !== size || images.channels !== channels) {
      throw new UserError(
        'DATASET_CHANGED',
        `the images are ${images.size}×${images.size}×${images.channels} but the model was trained on ` +
          `${size}×${size}×${channels} images; train again to map them`,
      );
    }
    if (images.count === 0) throw new UserError('NO_IMAGES', 'there are no images to map');
    const epochs = method === 'umap' ? (input.epochs ?? defaultUmapEpochs(images.count)) : null;
    const classes = manifest.labels.filter((l) => l !== '');
    emit(
      logEvent(
        `mapping ${images.count} images${classes.length > 1 ? ` of ${classes.length} classes` : ''} with ` +
          (method === 'umap' ? `UMAP (${neighbours} neighbours, ${epochs} epochs, seed ${seed})` : 'PCA'),
      ),
    );
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    const latents = await encodeDatasetLatents(model, images, {
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      onProgress: (done, total) => emit(jobEvent('map.progress', { phase: 'encoding', done, total })),
    });
    const encoded = performance.now();
    const xy = await projectTo2d(latents, method, {
      seed,
      neighbours,
      ...(epochs === null ? {} : { epochs }),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      onProgress: (phase, done, total) => emit(jobEvent('map.progress', { phase, done, total })),
    });
    const laidOut = performance.now();
    throwIfCancelled(ctx.signal);
    const labels = manifest.items.map((item) => item.label);
    const found = neighbourClassAgreement(
      { count: images.count, dim: 2, values: xy },
      labels.map((l) => (l === '' ? -1 : classes.indexOf(l))),
    );
    const cpu = process.cpuUsage(cpuStart);
    const seconds = {
      encode: (encoded - started) / 1000,
      layout: (laidOut - encoded) / 1000,
      total: (performance.now() - started) / 1000,
      cpu: (cpu.user + cpu.system) / 1e6,
    };
    const rows = { files: manifest.items.map((item) => item.path), labels, xy, latents };
    await makeFolder(dirname(csv), 'out');
    await writeMapCsv(csv, rows);
    const result = {
      method,
      seed,
      neighbours: method === 'umap' ? neighbours : null,
      epochs,
      images: images.count,
      latentDim: latents.dim,
      modelEpoch: checkpoint.meta.epoch,
      csv,
      agreement: found,
      seconds,
    };
    let stored: string | null = null;
    if (!input.out && !input.data) {
      stored = join(mapDir(project.layout.root), MAP_JSON);
      await writeStoredMap(stored, rows, {
        result,
        weightsSha256: checkpoint.meta.weightsSha256,
        datasetCreatedAt: manifest.createdAt,
        createdAt: new Date().toISOString(),
      });
    }
    emit(
      logEvent(
        `mapped ${images.count} images in ${seconds.total.toFixed(1)} s (encoding ${seconds.encode.toFixed(1)} s, ` +
          `layout ${seconds.layout.toFixed(1)} s)` +
          (found
            ? `; in 2-D, ${Math.round(found.accuracy * 100)}% of images have the class of most of their ` +
              `${found.k} nearest neighbours (chance ${Math.round(found.chance * 100)}%)`
            : ''),
      ),
    );
    return { ...result, stored, skipped };
  } finally {
    model.dispose();
  }
}

/** The images to map, their manifest (paths and class folders, in order) and a conditional model's labels. */
async function mapImages(
  datasetDir: string,
  config: Parameters<typeof loadLabelledDataset>[1],
  data: string | undefined,
  ctx: JobContext,
): Promise<{ images: ImageBatch; manifest: DatasetManifest; skipped: number }> {
  if (!data) return { ...(await loadLabelledDataset(datasetDir, config)), skipped: 0 };
  const { manifest: projectManifest } = await loadDataset(datasetDir);
  const read = await readFolderLikeDataset(data, projectManifest, ctx);
  if (config.conditional)
    read.images.labels = labelsFor(read.manifest, config.classes ?? [], CLASS_FOLDERS_ADVICE);
  return { images: read.images, manifest: read.manifest, skipped: read.skipped.length };
}
