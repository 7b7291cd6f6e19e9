import { mkdir, open, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { encodeImage, type ImageFormat } from '../dataset/index.js';
import { decodeLatents, latentSeed, sampleLatents } from '../engine/index.js';
import { resolveBackend, type BackendPreference } from '../engine/node/index.js';
import { openProject } from '../project/index.js';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { UserError, throwIfCancelled, CancelledError } from '../util/errors.js';
import { ignoreEvents, jobEvent, type JobContext } from './events.js';
import { loadTrainedModel } from './loadModel.js';

export interface GenerateJobInput {
  project: string;
  count: number;
  out: string;
  temperature?: number;
  seed?: number;
  /** Index of the first image: image i of a run is fully determined by (seed, start + i, temperature). */
  start?: number;
  format?: ImageFormat;
  batchSize?: number;
  backend?: BackendPreference;
}

/** One generated image as the manifest records it. */
export interface GeneratedImage {
  file: string;
  index: number;
  seed: number;
  latentSeed: number;
  temperature: number;
  z: number[];
  checkpoint: string;
  epoch: number;
  weightsSha256: string;
}

export interface GenerateJobResult {
  out: string;
  files: string[];
  manifest: { jsonl: string; csv: string };
  count: number;
  cancelled: boolean;
  seconds: number;
  imagesPerSec: number;
}

const MANIFEST_FLUSH_MS = 2000;

/**
 * Decodes `count` latent samples to image files in `out`. Existing files are never overwritten (a clashing
 * name gets a numeric suffix) and the manifest is appended to, so several runs can share one folder.
 */
export async function runGeneration(
  input: GenerateJobInput,
  ctx: JobContext = {},
): Promise<GenerateJobResult> {
  const emit = ctx.emit ?? ignoreEvents;
  const { count, temperature = 1, seed = 0, start = 0, format = 'png', batchSize = 64 } = input;
  if (!Number.isInteger(count) || count < 1)
    throw new UserError('INVALID_INPUT', `count: must be a positive integer, got ${count}`);
  if (!(temperature > 0))
    throw new UserError('INVALID_INPUT', `temperature: must be greater than 0, got ${temperature}`);
  if (!Number.isInteger(start) || start < 0)
    throw new UserError('INVALID_INPUT', `start: must be an integer ≥ 0, got ${start}`);
  const project = await openProject(input.project);
  await resolveBackend(input.backend ?? 'auto');
  const { model, checkpoint } = await loadTrainedModel(project.layout, emit);
  const out = resolve(input.out);
  await mkdir(out, { recursive: true });
  const manifest = { jsonl: join(out, 'manifest.jsonl'), csv: join(out, 'manifest.csv') };
  const writer = new ManifestWriter(manifest.jsonl, manifest.csv);
  await writer.loadExisting();

  const files: string[] = [];
  const t0 = performance.now();
  let cancelled = false;
  try {
    for (let done = 0; done < count;) {
      throwIfCancelled(ctx.signal);
      const n = Math.min(batchSize, count - done);
      const z = sampleLatents(n, model.config.latentDim, seed, temperature, start + done);
      const batch = await decodeLatents(model, z, n);
      const pixelsPerImage = batch.size * batch.size * batch.channels;
      for (let i = 0; i < n; i++) {
        const index = start + done + i;
        const pixels = batch.pixels.subarray(i * pixelsPerImage, (i + 1) * pixelsPerImage);
        const encoded = await encodeImage(pixels, batch.size, batch.size, batch.channels, format);
        const file = await writeNewFile(
          out,
          `sample-s${seed}-${String(index).padStart(6, '0')}`,
          format,
          encoded,
        );
        files.push(file);
        writer.add({
          file: file.slice(out.length + 1),
          index,
          seed,
          latentSeed: latentSeed(seed, index),
          temperature,
          z: Array.from(z[i] ?? []),
          checkpoint: checkpoint.dir,
          epoch: checkpoint.meta.epoch,
          weightsSha256: checkpoint.meta.weightsSha256,
        });
      }
      done += n;
      const seconds = (performance.now() - t0) / 1000;
      emit(
        jobEvent('generation.progress', {
          done,
          total: count,
          imagesPerSec: done / seconds,
          etaSeconds: ((count - done) * seconds) / done,
        }),
      );
      await writer.flushIfDue();
      await new Promise((r) => setImmediate(r));
    }
  } catch (err) {
    if (!(err instanceof CancelledError)) throw err;
    cancelled = true;
  } finally {
    model.dispose();
    await writer.flush();
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    out,
    files,
    manifest,
    count: files.length,
    cancelled,
    seconds,
    imagesPerSec: files.length / seconds,
  };
}

/** Creates `<stem>.<ext>` in `dir`, or `<stem>-1.<ext>`… if taken; 'wx' makes the check and create one step. */
async function writeNewFile(dir: string, stem: string, ext: string, data: Uint8Array): Promise<string> {
  for (let k = 0; ; k++) {
    const path = join(dir, `${stem}${k ? `-${k}` : ''}.${ext}`);
    try {
      const handle = await open(path, 'wx');
      try {
        await handle.writeFile(data);
      } finally {
        await handle.close();
      }
      return path;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

const CSV_HEADER = 'file,index,seed,latent_seed,temperature,epoch,weights_sha256,checkpoint,z';

/** Keeps manifest.jsonl and manifest.csv in step with the files on disk, rewriting both atomically. */
class ManifestWriter {
  private jsonl = '';
  private csv = CSV_HEADER + '\n';
  private lastFlush = performance.now();
  private dirty = false;

  constructor(
    private readonly jsonlPath: string,
    private readonly csvPath: string,
  ) {}

  async loadExisting(): Promise<void> {
    this.jsonl = await readFile(this.jsonlPath, 'utf8').catch(() => '');
    const csv = await readFile(this.csvPath, 'utf8').catch(() => '');
    if (csv) this.csv = csv.endsWith('\n') ? csv : csv + '\n';
  }

  add(row: GeneratedImage): void {
    this.jsonl += JSON.stringify(row) + '\n';
    this.csv +=
      [
        csvField(row.file),
        row.index,
        row.seed,
        row.latentSeed,
        row.temperature,
        row.epoch,
        row.weightsSha256,
        csvField(row.checkpoint),
        row.z.join(' '),
      ].join(',') + '\n';
    this.dirty = true;
  }

  async flushIfDue(): Promise<void> {
    if (performance.now() - this.lastFlush >= MANIFEST_FLUSH_MS) await this.flush();
  }

  async flush(): Promise<void> {
    if (!this.dirty) return;
    await writeFileAtomic(this.jsonlPath, this.jsonl);
    await writeFileAtomic(this.csvPath, this.csv);
    this.dirty = false;
    this.lastFlush = performance.now();
  }
}

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
