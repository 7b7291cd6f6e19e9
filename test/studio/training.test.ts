import { appendFile, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { projectSummarySchema } from '../../src-main/contract/index.js';
import { tempDir, writeSquares } from '../helpers/tinyData.js';
import { dataUrlBytes, testStudio, type TestStudio } from './harness.js';

// The tiny network of test/jobs/pipeline.test.ts: a few steps per epoch, so each run takes about a second.
const tiny = {
  latentDim: 2,
  width: 4,
  batchSize: 16,
  seed: 7,
  valFraction: 0.25,
  conditional: false,
  backend: 'wasm',
} as const;

let t: TestStudio;
let root: string;
let images: string;
let sourceFiles: string[];

beforeAll(async () => {
  images = join(await tempDir(), 'images');
  sourceFiles = await writeSquares(images, 48);
  t = await testStudio();
  root = (await t.call('project.create', { path: 'squares' })).root;
  const imported = await t.call('dataset.import', { folder: images, size: 16, channels: 1 });
  expect((await t.jobEnd(imported.jobId)).name).toBe('job.done');
});

async function pngPixels(png: Buffer): Promise<{ width: number; height: number; data: Buffer }> {
  const meta = await sharp(png).metadata();
  const data = await sharp(png).extractChannel(0).raw().toBuffer();
  return { width: meta.width, height: meta.height, data };
}

describe('studio: what needs what', () => {
  it('answers NO_DATASET to training before an import, NO_MODEL to what needs a trained model', async () => {
    const other = await testStudio();
    await other.call('project.create', { path: 'empty' });
    const noDataset = await other.refuse('training.start', {});
    expect(noDataset.code).toBe('NO_DATASET');
    expect(noDataset.message).toContain('import a folder of images first');
    expect((await other.refuse('dataset.list', {})).code).toBe('NO_DATASET');

    const ends = { a: { datasetIndex: 0 }, b: { datasetIndex: 1 } };
    for (const [name, input] of [
      ['generation.start', {}],
      ['interpolation.preview', ends],
      ['interpolation.export', ends],
      ['training.resume', {}],
    ] as const) {
      const failure = await t.refuse(name, input);
      expect(failure.code, name).toBe('NO_MODEL');
      expect(failure.message, name).toBe(`${root} has no trained model yet; train one first`);
    }
  });
});

describe('studio: training', () => {
  it('trains 2 epochs: progress, two epochs with PNG previews, project changes, then job.done', async () => {
    const handle = await t.call('training.start', { ...tiny, epochs: 2 });
    expect(handle.kind).toBe('train');
    const end = await t.jobEnd(handle.jobId);
    expect(end.name).toBe('job.done');
    // The run said its settings, every default filled in, before its first step.
    const runs = t.payloads('training.run', handle.jobId);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      startEpoch: 0,
      config: { latentDim: 2, beta: 0.1 },
      options: { epochs: 2 },
    });
    const firstRunEvent = t.heard.findIndex((e) => e.name === 'training.run');
    const firstProgress = t.heard.findIndex((e) => e.name === 'training.progress');
    expect(firstRunEvent).toBeLessThan(firstProgress);

    const epochs = t.payloads('training.epoch', handle.jobId);
    expect(epochs.map((e) => e.metrics.epoch)).toEqual([1, 2]);
    for (const epoch of epochs) {
      for (const url of [epoch.previews.samples, epoch.previews.reconstructions]) {
        const meta = await sharp(dataUrlBytes(url)).metadata();
        expect(meta.format).toBe('png');
        expect(meta.width).toBeGreaterThanOrEqual(16);
      }
      expect(epoch.metrics.val).not.toBeNull();
    }
    const checkpoints = t.payloads('training.checkpoint', handle.jobId);
    expect(checkpoints.map((c) => c.epoch)).toEqual([1, 2]);
    for (const c of checkpoints) {
      expect(c.checkpoint).toBe(join(root, 'checkpoints', `epoch-000${c.epoch}`));
      expect(c.project).toBe(root);
      expect(c.model).toMatchObject({ checkpoint: c.checkpoint, epoch: c.epoch, config: { latentDim: 2 } });
      expect(c.model.last?.epoch).toBe(c.epoch);
      expect((await sharp(c.previews.samples).metadata()).format).toBe('png');
    }
    const progress = t.payloads('training.progress', handle.jobId);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.at(-1)).toMatchObject({ epoch: 2, epochs: 2, stepsPerEpoch: 3, globalStep: 6 });
    // The backend is said once, by training.run (the app's one line, the CLI's "backend:"), not in a log line too.
    expect(t.payloads('training.run', handle.jobId)[0]?.backend).toMatchObject({
      backend: 'wasm',
      device: 'cpu',
    });
    expect(t.payloads('job.log', handle.jobId).filter((l) => /backend/.test(l.message))).toEqual([]);

    // The project's summary is sent once at the end, not re-read from disk per epoch.
    expect(t.payloads('project.changed').at(-1)?.model?.epoch).toBe(2);

    const [done] = t.payloads('job.done', handle.jobId);
    if (done?.kind !== 'train') throw new Error('not a training result');
    expect(done.cancelled).toBe(false);
    expect(done.result).toMatchObject({ startEpoch: 0, epochs: 2, cancelled: false, archivedPrevious: null });
    expect(done.result.config).toMatchObject({ imageSize: 16, channels: 1, latentDim: 2, width: 4 });
    expect(done.result.options).toMatchObject({ epochs: 2, batchSize: 16, seed: 7, valFraction: 0.25 });
    expect(done.result.backend.backend).toBe('wasm');
    expect(done.result.final?.epoch).toBe(2);
    expect('history' in done.result).toBe(false);
    expect(t.notifications.at(-1)).toMatchObject({ title: 'Training finished' });
    expect(t.notifications.at(-1)?.body).toMatch(/^epoch 2, −ELBO \d+\.\d nats$/);

    const status = await t.call('training.status', {});
    expect(status.running).toBeNull();
    expect(status.history.map((m) => m.epoch)).toEqual([1, 2]);
    expect(status.history[1]).toEqual(done.result.final);
    expect(status.progress).toMatchObject({ epoch: 2, step: 3 });
    expect(status.previews?.epoch).toBe(2);
    expect(status.previews?.samples).toBe(epochs[1]?.previews.samples);
    const summary = projectSummarySchema.parse(await t.call('project.current', {}));
    expect(summary.model?.last).toEqual(done.result.final);
    // Where Start training would move this model, for the app to say before it does.
    expect(summary.modelArchive).toBe(join(root, 'checkpoints', 'archive'));
  });

  it('resumes to a larger epoch count, and refuses a resume with nothing left, saying why', async () => {
    const handle = await t.call('training.resume', { epochs: 3 });
    await t.jobEnd(handle.jobId);
    const [done] = t.payloads('job.done', handle.jobId);
    if (done?.kind !== 'train') throw new Error('not a training result');
    expect(done.result).toMatchObject({ startEpoch: 2, epochs: 3, archivedPrevious: null });
    expect(t.payloads('training.epoch', handle.jobId).map((e) => e.metrics.epoch)).toEqual([3]);
    expect((await t.call('training.status', {})).history.map((m) => m.epoch)).toEqual([1, 2, 3]);

    // Nothing left to train: refused before any job starts, in words for the app.
    const jobsBefore = t.payloads('job.started').length;
    const again = await t.refuse('training.resume', { epochs: 3 });
    expect(again).toEqual({
      ok: false,
      code: 'ALREADY_DONE',
      message: 'the model has already trained 3 of 3 epochs; set Epochs above 3 to continue it',
    });
    expect(await t.refuse('training.resume', {})).toMatchObject({ code: 'ALREADY_DONE' });
    expect(t.payloads('job.started')).toHaveLength(jobsBefore);
  });

  it('refuses an import or a second training while training runs, and cancelling keeps the checkpoint', async () => {
    const handle = await t.call('training.resume', { epochs: 1000 });
    const importBusy = await t.refuse('dataset.import', { folder: images, size: 16, channels: 1 });
    expect(importBusy.code).toBe('BUSY');
    expect(importBusy.message).toBe(
      `Training is running; wait for it to finish or cancel it before starting an import`,
    );
    const trainBusy = await t.refuse('training.start', { ...tiny, epochs: 1 });
    expect(trainBusy.message).toContain(`Training is already running`);
    expect((await t.call('training.status', {})).running).toEqual(handle);

    await t.next(
      (e) => e.name === 'training.progress' && (e.payload as { jobId: string }).jobId === handle.jobId,
    );
    // A window that opens now learns what the run trains: the checkpoint's settings with the new total.
    const [announced] = t.payloads('training.run', handle.jobId);
    expect(announced).toMatchObject({
      startEpoch: 3,
      config: { imageSize: 16, channels: 1, latentDim: 2, width: 4 },
      options: { epochs: 1000, batchSize: 16, seed: 7, valFraction: 0.25 },
      backend: { backend: 'wasm' },
    });
    const { jobId: _jobId, ...run } = announced!;
    const midRun = await t.call('training.status', {});
    expect(midRun.run).toEqual(run);
    expect(midRun.progress?.epochs).toBe(1000);
    expect(midRun.history.map((m) => m.epoch).slice(0, 3)).toEqual([1, 2, 3]);
    expect(await t.call('training.cancel', {})).toEqual({ cancelled: true });
    await t.jobEnd(handle.jobId);
    const [done] = t.payloads('job.done', handle.jobId);
    if (done?.kind !== 'train') throw new Error('not a training result');
    expect(done.cancelled).toBe(true);
    expect(done.result.cancelled).toBe(true);
    expect(done.result.epochs).toBeGreaterThanOrEqual(3);
    expect(done.result.epochs).toBeLessThan(1000);
    expect(t.notifications.at(-1)?.title).toBe('Training stopped');
    const status = await t.call('training.status', {});
    expect(status.running).toBeNull();
    expect(status.run).toBeNull();
    expect(status.history).toHaveLength(done.result.epochs);
    expect(await t.call('training.cancel', {})).toEqual({ cancelled: false });
  });
});

describe('studio: generation', () => {
  it('generates into a new run folder with a manifest line per image and pages its gallery', async () => {
    const handle = await t.call('generation.start', { count: 5, seed: 3 });
    expect(handle.kind).toBe('generate');
    expect(handle.out).toMatch(new RegExp(`^${root}/generated/run-\\d{8}-\\d{6}$`));
    await t.jobEnd(handle.jobId);
    const [done] = t.payloads('job.done', handle.jobId);
    if (done?.kind !== 'generate') throw new Error('not a generation result');
    expect(done.result.count).toBe(5);
    expect(done.result.out).toBe(handle.out);
    expect(t.payloads('generation.progress', handle.jobId).at(-1)).toMatchObject({ done: 5, total: 5 });
    expect(t.notifications.at(-1)).toEqual({
      title: 'Generation finished',
      body: `5 images in ${handle.out}`,
    });

    const lines = (await readFile(join(handle.out, 'manifest.jsonl'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(5);
    const first = await t.call('generation.gallery', { out: handle.out, limit: 3 });
    expect(first.total).toBe(5);
    expect(first.images.map((i) => [i.index, i.seed])).toEqual([
      [0, 3],
      [1, 3],
      [2, 3],
    ]);
    expect(first.images[0]?.file).toBe(join(handle.out, 'sample-s3-000000.png'));
    const written = await readFile(first.images[0]!.file);
    expect(dataUrlBytes(first.images[0]!.url).equals(written)).toBe(true);
    const rest = await t.call('generation.gallery', { out: handle.out, offset: 3 });
    expect(rest.images.map((i) => i.index)).toEqual([3, 4]);
    // A manifest line pointing outside the folder is counted but never read.
    await appendFile(
      join(handle.out, 'manifest.jsonl'),
      '{"file":"../../project.json","index":9,"seed":3}\n',
    );
    const escaped = await t.call('generation.gallery', { out: handle.out, offset: 3 });
    expect(escaped.total).toBe(6);
    expect(escaped.images.map((i) => i.index)).toEqual([3, 4]);
    const missing = await t.refuse('generation.gallery', { out: join(root, 'no-such-run') });
    expect(missing).toMatchObject({
      code: 'NOT_FOUND',
      message: `folder not found: ${join(root, 'no-such-run')}`,
    });
  });
});

describe('studio: interpolation', () => {
  it('previews frames in memory; a dataset index and its source file give the same frames', async () => {
    const list = await t.call('dataset.list', { limit: 100 });
    const indexOf = (file: string) => list.items.find((i) => join(images, i.path) === file)!.index;
    const [fileA, fileB] = [sourceFiles[0]!, sourceFiles[7]!];
    const byIndex = await t.call('interpolation.preview', {
      a: { datasetIndex: indexOf(fileA) },
      b: { datasetIndex: indexOf(fileB) },
      steps: 5,
    });
    expect(byIndex.frames).toHaveLength(5);
    const byFile = await t.call('interpolation.preview', {
      a: { file: fileA },
      b: { file: fileB },
      steps: 5,
    });
    for (let i = 0; i < 5; i++) {
      const [x, y] = await Promise.all([byIndex, byFile].map((r) => pngPixels(dataUrlBytes(r.frames[i]!))));
      expect([x!.width, x!.height]).toEqual([16, 16]);
      expect(x!.data.equals(y!.data)).toBe(true);
    }
    const outOfRange = await t.refuse('interpolation.preview', {
      a: { datasetIndex: 48 },
      b: { datasetIndex: 0 },
    });
    expect(outOfRange).toEqual({
      ok: false,
      code: 'INVALID_INPUT',
      message: 'a.datasetIndex: 48 is out of range; the dataset has 48 images',
    });
    expect(await readdir(root)).not.toContain('interpolations');
  });

  it('exports frames, contact sheet and animation from dataset indices after the source files are gone', async () => {
    const preview = await t.call('interpolation.preview', {
      a: { datasetIndex: 3 },
      b: { datasetIndex: 30 },
      steps: 4,
      mode: 'lerp',
    });
    await rm(images, { recursive: true });
    const handle = await t.call('interpolation.export', {
      a: { datasetIndex: 3 },
      b: { datasetIndex: 30 },
      steps: 4,
      mode: 'lerp',
      animation: 'gif',
    });
    expect(handle.out).toMatch(new RegExp(`^${root}/interpolations/\\d{8}-\\d{6}$`));
    await t.jobEnd(handle.jobId);
    const [done] = t.payloads('job.done', handle.jobId);
    if (done?.kind !== 'interpolate')
      throw new Error(`not an interpolation: ${JSON.stringify(t.heard.at(-1))}`);
    expect(done.result).toMatchObject({ out: handle.out, steps: 4, mode: 'lerp' });
    expect((await readdir(handle.out)).sort()).toEqual([
      'contact-sheet.png',
      'frame-000.png',
      'frame-001.png',
      'frame-002.png',
      'frame-003.png',
      'interpolation.gif',
      'interpolation.json',
    ]);
    expect(t.payloads('interpolation.progress', handle.jobId).map((p) => p.done)).toEqual([1, 2, 3, 4]);
    for (let i = 0; i < 4; i++) {
      const file = await pngPixels(await readFile(done.result.frames[i]!));
      const shown = await pngPixels(dataUrlBytes(preview.frames[i]!));
      expect(file.data.equals(shown.data)).toBe(true);
    }
    const gif = await sharp(done.result.animation!, { animated: true }).metadata();
    expect([gif.format, gif.pages]).toEqual(['gif', 6]);
  });
});

describe('studio: training at another image size', () => {
  it('re-imports the source folder at the new size inside the training job, then trains on it', async () => {
    const s = await testStudio();
    const folder = join(await tempDir(), 'images');
    await writeSquares(folder, 32);
    await s.call('project.create', { path: 'resize' });
    await s.jobEnd((await s.call('dataset.import', { folder, size: 16, channels: 1, fit: 'contain' })).jobId);
    // No warm-up, so no log line saying it was cut to a tenth of this one-epoch run.
    const handle = await s.call('training.start', { ...tiny, imageSize: 32, epochs: 1, lrWarmupSteps: 0 });
    await s.jobEnd(handle.jobId);
    const own = s.heard.filter((e) => (e.payload as { jobId?: string } | null)?.jobId === handle.jobId);
    const names = own.map((e) => e.name).filter((n, i, all) => n !== all[i - 1]);
    expect(names).toEqual([
      'job.started',
      'dataset.importProgress',
      'training.run',
      'training.progress',
      'training.epoch',
      'training.checkpoint',
      'job.done',
    ]);
    const dataset = s.payloads('project.changed').find((p) => p?.dataset?.size === 32)?.dataset;
    expect(dataset).toMatchObject({ count: 32, size: 32, channels: 1, fit: 'contain' });
    const [done] = s.payloads('job.done', handle.jobId);
    if (done?.kind !== 'train') throw new Error('not a training result');
    expect(done.result.config).toMatchObject({ imageSize: 32, channels: 1 });
  });
});

describe('studio: shutdown', () => {
  it('cancels running jobs, waits for their last event and then refuses requests', async () => {
    const handle = await t.call('training.resume', { epochs: 1000 });
    await t.next(
      (e) => e.name === 'training.progress' && (e.payload as { jobId: string }).jobId === handle.jobId,
    );
    await t.studio.shutdown();
    const [done] = t.payloads('job.done', handle.jobId);
    expect(done?.cancelled).toBe(true);
    expect(await t.studio.invoke('job.list', {})).toEqual({
      ok: false,
      code: 'SHUTTING_DOWN',
      message: 'VAE Studio is shutting down',
    });
  });
});

describe('studio: an import over a trained model', () => {
  it('is refused until the user agrees, and changes nothing meanwhile', async () => {
    const s = await testStudio();
    await s.call('project.create', { path: 'trained' });
    const first = join(await tempDir(), 'first');
    await writeSquares(first, 32);
    const imported = await s.jobEnd(
      (await s.call('dataset.import', { folder: first, size: 16, channels: 1 })).jobId,
    );
    expect(imported.name).toBe('job.done');
    await s.jobEnd((await s.call('training.start', { ...tiny, epochs: 1 })).jobId);
    const before = await s.call('project.current', {});
    const other = join(await tempDir(), 'other');
    await writeSquares(other, 20);
    const refused = await s.refuse('dataset.import', { folder: other, size: 16, channels: 1 });
    expect(refused.code).toBe('REPLACES_MODEL');
    expect(refused.message).toContain('has a model trained for 1 epochs');
    expect(await s.call('project.current', {})).toEqual(before);
    const agreed = await s.call('dataset.import', {
      folder: other,
      size: 16,
      channels: 1,
      replaceModel: true,
    });
    expect((await s.jobEnd(agreed.jobId)).name).toBe('job.done');
    expect((await s.call('project.current', {}))?.dataset?.count).toBe(20);
  });
});
