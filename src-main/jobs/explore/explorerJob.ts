import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExplorerModel } from '../../contract/index.js';
import { encodeImage, readDatasetManifest, type DatasetManifest } from '../../dataset/index.js';
import {
  decodeLatents,
  encodeImages,
  sampleLatents,
  type ImageBatch,
  type VaeModel,
} from '../../engine/index.js';
import { resolveBackend, type BackendPreference } from '../../engine/node/index.js';
import { openProject, type Checkpoint, type ProjectLayout } from '../../project/index.js';
import { UserError } from '../../util/errors.js';
import { makeFolder } from '../../util/folders.js';
import { loadLabelledDataset } from '../datasetLabels.js';
import { readDatasetImages } from '../datasetPixels.js';
import type { JobContext } from '../events.js';
import { writeImage } from '../generationFiles.js';
import { GenerationManifest } from '../generationManifest.js';
import { loadTrainedModel } from '../loadModel.js';
import { measureLatentDims } from './latentDims.js';

export interface ExplorerJobInput {
  project: string;
  backend?: BackendPreference;
}

/** Where the explorer starts: a dataset image's μ, a prior sample of a seed, or the origin. */
export type ExplorerFrom = { datasetIndex: number } | { seed: number; index: number } | { origin: true };

/** What the explorer job is asked, one question at a time (RunningJob.ask). */
export type ExplorerQuestion =
  | { type: 'model' }
  | { type: 'start'; from: ExplorerFrom; class?: string }
  | { type: 'decode'; z: number[]; class?: string }
  | { type: 'save'; z: number[]; class?: string; origin: string };

export interface ExplorerStartAnswer {
  z: number[];
  class?: string;
  png: Uint8Array;
  origin: string;
}

export interface ExplorerDecodeAnswer {
  png: Uint8Array;
  /** Milliseconds from the question to the encoded PNG, in the job. */
  decodeMs: number;
}

export interface ExplorerSaveAnswer {
  /** The generation folder (`generated/explorer-<model>`) and the file written in it. */
  out: string;
  file: string;
}

/**
 * Holds the project's latest model for the latent explorer until cancelled, answering its questions: the
 * dimensions (most active first), a start point's z, a decode of one z (what a slider move costs: one decode and
 * one PNG, no model load), and "save this image" into the generation folder `generated/explorer-<weights>/`
 * with a manifest row that holds the z and the model (generationManifest.ts's ExplorerImage).
 */
export async function runExplorer(
  input: ExplorerJobInput,
  ctx: JobContext = {},
): Promise<{ answered: number }> {
  const project = await openProject(input.project);
  await resolveBackend(input.backend ?? 'auto');
  const { model, checkpoint } = await loadTrainedModel(project.layout);
  let answered = 0;
  try {
    const explorer = new Explorer(project.layout, model, checkpoint);
    ctx.onQuestion?.(async (question) => {
      answered++;
      return explorer.answer(question as ExplorerQuestion);
    });
    if (ctx.signal && !ctx.signal.aborted)
      await new Promise<void>((resolve) => ctx.signal!.addEventListener('abort', () => resolve()));
    return { answered };
  } finally {
    model.dispose();
  }
}

class Explorer {
  private measured: Promise<ExplorerModel> | null = null;
  private manifest: Promise<DatasetManifest | null> | null = null;

  constructor(
    private readonly layout: ProjectLayout,
    private readonly model: VaeModel,
    private readonly checkpoint: Checkpoint,
  ) {}

  answer(question: ExplorerQuestion): Promise<unknown> {
    switch (question.type) {
      case 'model':
        return this.describe();
      case 'start':
        return this.start(question.from, question.class);
      case 'decode':
        return this.decode(question.z, question.class);
      case 'save':
        return this.save(question.z, question.class, question.origin);
    }
  }

  /** The dimensions, measured once on the dataset (at most 2000 of its images). */
  private describe(): Promise<ExplorerModel> {
    this.measured ??= (async () => {
      const { images } = await loadLabelledDataset(this.layout.datasetDir, this.model.config);
      const { dims, measuredOn } = await measureLatentDims(this.model, images);
      const { latentDim, imageSize, channels, classes } = this.model.config;
      return {
        checkpoint: this.checkpoint.dir,
        epoch: this.checkpoint.meta.epoch,
        latentDim,
        imageSize,
        channels,
        dims,
        ...(this.model.config.conditional && classes ? { classes } : {}),
        measuredOn,
      };
    })();
    // A failed measure (a dataset re-imported meanwhile) is tried again next time.
    this.measured.catch(() => (this.measured = null));
    return this.measured;
  }

  private datasetManifest(): Promise<DatasetManifest | null> {
    this.manifest ??= readDatasetManifest(this.layout.datasetDir);
    return this.manifest;
  }

  private classIndex(name: string | undefined): number | null {
    const { conditional, classes = [] } = this.model.config;
    if (!conditional) return null;
    const k = name === undefined ? -1 : classes.indexOf(name);
    if (k < 0)
      throw new UserError(
        'INVALID_INPUT',
        `class: the model is conditional on its classes (${classes.join(', ')}); choose one of them`,
      );
    return k;
  }

  private async start(from: ExplorerFrom, className?: string): Promise<ExplorerStartAnswer> {
    const { latentDim, imageSize: size, channels, conditional } = this.model.config;
    if ('datasetIndex' in from) {
      const manifest = await this.datasetManifest();
      if (!manifest) throw new UserError('NO_DATASET', 'the project has no dataset; import images first');
      const [pixels] = await readDatasetImages(this.layout.datasetDir, manifest, [from.datasetIndex]);
      const item = manifest.items[from.datasetIndex]!;
      const label = conditional ? this.classIndex(className ?? item.label) : null;
      const batch: ImageBatch = { pixels: pixels!, count: 1, size, channels };
      if (label !== null) batch.labels = Uint16Array.of(label);
      const z = Array.from((await encodeImages(this.model, batch, 1)).mu[0]!);
      const decoded = await this.decode(z, label === null ? undefined : this.model.config.classes![label]);
      return {
        z,
        ...(label !== null ? { class: this.model.config.classes![label]! } : {}),
        png: decoded.png,
        origin: `dataset image ${item.path}`,
      };
    }
    const z =
      'seed' in from
        ? Array.from(sampleLatents(1, latentDim, from.seed, 1, from.index)[0]!)
        : new Array<number>(latentDim).fill(0);
    const name = conditional ? this.model.config.classes![this.classIndex(className)!] : undefined;
    const decoded = await this.decode(z, name);
    return {
      z,
      ...(name !== undefined ? { class: name } : {}),
      png: decoded.png,
      origin:
        'seed' in from ? `prior sample ${from.index} of seed ${from.seed}` : 'the origin of the latent space',
    };
  }

  private async decode(z: number[], className?: string): Promise<ExplorerDecodeAnswer> {
    const started = performance.now();
    const { latentDim, imageSize: size, channels } = this.model.config;
    if (z.length !== latentDim || !z.every(Number.isFinite))
      throw new UserError('INVALID_INPUT', `z: must be ${latentDim} finite numbers, got ${z.length}`);
    const label = this.classIndex(className);
    const batch = await decodeLatents(
      this.model,
      [Float32Array.from(z)],
      1,
      label === null ? undefined : [label],
    );
    const png = await encodeImage(batch.pixels, size, size, channels, 'png');
    return { png, decodeMs: performance.now() - started };
  }

  private async save(
    z: number[],
    className: string | undefined,
    origin: string,
  ): Promise<ExplorerSaveAnswer> {
    const decoded = await this.decode(z, className);
    const label = this.classIndex(className);
    const { weightsSha256, epoch } = this.checkpoint.meta;
    const out = join(this.layout.generatedDir, `explorer-${weightsSha256.slice(0, 12)}`);
    await makeFolder(this.layout.generatedDir);
    await makeFolder(out);
    const manifest = await GenerationManifest.open(out, await readdir(out), label !== null);
    try {
      const index = manifest.rows.reduce((n, row) => Math.max(n, row.index + 1), 0);
      const file = `explorer-${String(index).padStart(6, '0')}.png`;
      await writeImage(out, file, decoded.png);
      await manifest.append({
        file,
        index,
        seed: -1,
        ...(label !== null ? { class: this.model.config.classes![label]!, classIndex: label } : {}),
        z,
        origin,
        savedAt: new Date().toISOString(),
        checkpoint: this.checkpoint.dir,
        epoch,
        weightsSha256,
      });
      await manifest.sync();
      return { out, file: join(out, file) };
    } finally {
      await manifest.close();
    }
  }
}
