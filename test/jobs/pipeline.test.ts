import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImageFile } from '../../src-main/dataset/index.js';
import { encodeImages, reconstructImages } from '../../src-main/engine/sampler.js';
import type { EpochMetrics } from '../../src-main/engine/types.js';
import {
  runGeneration,
  runImport,
  runInterpolation,
  runTraining,
  runEvaluation,
} from '../../src-main/jobs/index.js';
import { loadTrainedModel } from '../../src-main/jobs/loadModel.js';
import { openProject } from '../../src-main/project/index.js';
import { tempDir, writeSquares } from '../helpers/tinyData.js';

// A tiny network on the cpu backend keeps this file to seconds; the arithmetic is the same as the real sizes.
const tinyModel = { latentDim: 4, width: 4, conditional: false };
const tiny = { backend: 'cpu' as const };
const options = { batchSize: 16, seed: 7, valFraction: 0.25 };

let images: string;
let sourceFiles: string[];

beforeAll(async () => {
  images = join(await tempDir(), 'images');
  sourceFiles = await writeSquares(images, 48);
});

async function importedProject(): Promise<string> {
  const project = join(await tempDir(), 'project');
  await runImport({ folder: images, project, size: 16, channels: 1, fit: 'cover' });
  return project;
}

/** The numbers of an epoch that must repeat exactly; timings never do. */
function losses(history: EpochMetrics[]) {
  return history.map((m) => ({ epoch: m.epoch, train: m.train, val: m.val, beta: m.beta }));
}

describe('training job', () => {
  it('trains, writes previews and checkpoints each epoch, and −ELBO falls', async () => {
    const project = await importedProject();
    const events: string[] = [];
    const result = await runTraining(
      { project, ...tiny, settings: { ...tinyModel, ...options, epochs: 4 } },
      {
        emit: (e) => events.push(e.name),
      },
    );
    expect(result.epochs).toBe(4);
    expect(result.history).toHaveLength(4);
    expect(result.history[3]!.train.negElbo).toBeLessThan(result.history[0]!.train.negElbo);
    expect(events.filter((t) => t === 'training.epoch')).toHaveLength(4);
    expect(events).toContain('training.progress');
    const previews = (await readdir(join(project, 'previews'))).sort();
    expect(previews).toContain('epoch-0004-samples.png');
    expect(previews).toContain('epoch-0004-reconstructions.png');
    const meta = await sharp(join(project, 'previews', 'epoch-0001-reconstructions.png')).metadata();
    expect(meta.format).toBe('png');
    expect(meta.height).toBeGreaterThanOrEqual(32); // originals above reconstructions, 16 px each
  });

  it('a resumed run continues where it stopped: same epochs and history as an uninterrupted run', async () => {
    const straight = await runTraining({
      project: await importedProject(),
      ...tiny,
      settings: { ...tinyModel, ...options, epochs: 3 },
    });
    const project = await importedProject();
    const first = await runTraining({ project, ...tiny, settings: { ...tinyModel, ...options, epochs: 2 } });
    expect(first.epochs).toBe(2);
    const resumed = await runTraining({ project, backend: 'cpu', resume: true, settings: { epochs: 3 } });
    expect(resumed.startEpoch).toBe(2);
    expect(resumed.epochs).toBe(3);
    expect(losses(resumed.history)).toEqual(losses(straight.history));
    await expect(
      runTraining({ project, backend: 'cpu', resume: true, settings: { epochs: 3 } }),
    ).rejects.toMatchObject({
      code: 'ALREADY_DONE',
    });
  });

  it('a new run keeps the previous model in the archive', async () => {
    const project = await importedProject();
    await runTraining({ project, ...tiny, settings: { ...tinyModel, ...options, epochs: 1 } });
    const second = await runTraining({ project, ...tiny, settings: { ...tinyModel, ...options, epochs: 1 } });
    expect(second.archivedPrevious).toMatch(/checkpoints[\\/]archive[\\/]/);
    expect(await readdir(second.archivedPrevious!)).toContain('epoch-0001');
  });

  it('refuses to train a project without a dataset, naming the missing file', async () => {
    const { openOrCreateProject } = await import('../../src-main/project/index.js');
    const dir = join(await tempDir(), 'empty');
    await openOrCreateProject(dir);
    await expect(runTraining({ project: dir, ...tiny })).rejects.toThrow(/manifest\.json|no dataset|import/i);
  });
});

describe('generation, interpolation and evaluation from a checkpoint', () => {
  let project: string;
  beforeAll(async () => {
    project = await importedProject();
    await runTraining({ project, ...tiny, settings: { ...tinyModel, ...options, epochs: 2 } });
  });

  it('writes exactly N decodable images of the right size and a manifest that matches them', async () => {
    const out = join(await tempDir(), 'gen');
    const result = await runGeneration({
      project,
      count: 10,
      out,
      seed: 3,
      temperature: 0.8,
      batchSize: 4,
      backend: 'cpu',
    });
    expect(result.count).toBe(10);
    const pngs = (await readdir(out)).filter((f) => f.endsWith('.png')).sort();
    expect(pngs).toHaveLength(10);
    for (const f of pngs) {
      const meta = await sharp(join(out, f)).metadata();
      expect([meta.width, meta.height]).toEqual([16, 16]);
    }
    const rows = (await readFile(join(out, 'manifest.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            file: string;
            index: number;
            seed: number;
            temperature: number;
            z: number[];
            epoch: number;
            weightsSha256: string;
          },
      );
    expect(rows.map((r) => r.file).sort()).toEqual(pngs);
    expect(rows.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(
      rows.every((r) => r.seed === 3 && r.temperature === 0.8 && r.z.length === 4 && r.epoch === 2),
    ).toBe(true);
    const csv = (await readFile(join(out, 'manifest.csv'), 'utf8')).trim().split('\n');
    expect(csv).toHaveLength(11);
    expect(csv[0]).toMatch(/^file,index,seed/);
  });

  it('the same seed gives the same images, and one image can be regenerated from its manifest row', async () => {
    const a = await runGeneration({
      project,
      count: 6,
      out: join(await tempDir(), 'a'),
      seed: 11,
      backend: 'cpu',
    });
    const b = await runGeneration({
      project,
      count: 1,
      start: 4,
      out: join(await tempDir(), 'b'),
      seed: 11,
      backend: 'cpu',
    });
    const c = await runGeneration({
      project,
      count: 6,
      out: join(await tempDir(), 'c'),
      seed: 12,
      backend: 'cpu',
    });
    const pixels = async (f: string) => (await sharp(f).raw().toBuffer()).toString('hex');
    expect(await pixels(b.files[0]!)).toBe(await pixels(a.files[4]!));
    const same = await Promise.all(
      a.files.map(async (f, i) => (await pixels(f)) === (await pixels(c.files[i]!))),
    );
    expect(same.filter(Boolean).length).toBeLessThan(6);
  });

  it('never overwrites: the same run again adds nothing, another seed adds files and appends the manifest', async () => {
    const out = join(await tempDir(), 'gen');
    await runGeneration({ project, count: 3, out, seed: 1, backend: 'cpu' });
    const first = await readFile(join(out, 'sample-s1-000000.png'));
    const again = await runGeneration({ project, count: 3, out, seed: 1, backend: 'cpu' });
    expect([again.count, again.alreadyThere]).toEqual([0, 3]);
    await runGeneration({ project, count: 3, out, seed: 2, backend: 'cpu' });
    expect((await readdir(out)).filter((f) => f.endsWith('.png'))).toHaveLength(6);
    expect(await readFile(join(out, 'sample-s1-000000.png'))).toEqual(first);
    expect((await readFile(join(out, 'manifest.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(6);
  });

  it('a cancelled generation stops between batches and its manifest lists exactly the files written', async () => {
    const out = join(await tempDir(), 'gen');
    const controller = new AbortController();
    const result = await runGeneration(
      { project, count: 40, out, batchSize: 8, backend: 'cpu' },
      { signal: controller.signal, emit: (e) => e.name === 'generation.progress' && controller.abort() },
    );
    expect(result.cancelled).toBe(true);
    expect(result.count).toBe(8);
    const pngs = (await readdir(out)).filter((f) => f.endsWith('.png')).sort();
    expect(pngs).toHaveLength(8);
    const rows = (await readFile(join(out, 'manifest.jsonl'), 'utf8')).trim().split('\n');
    expect(rows.map((r) => (JSON.parse(r) as { file: string }).file).sort()).toEqual(pngs);
  });

  it("interpolation's end frames equal the end images' reconstructions", async () => {
    const out = join(await tempDir(), 'interp');
    const [fileA, fileB] = [sourceFiles[0]!, sourceFiles[7]!];
    const result = await runInterpolation({
      project,
      imageA: fileA,
      imageB: fileB,
      out,
      steps: 5,
      mode: 'slerp',
      backend: 'cpu',
    });
    expect(result.frames).toHaveLength(5);
    expect((await readdir(out)).sort()).toEqual([
      'contact-sheet.png',
      'frame-000.png',
      'frame-001.png',
      'frame-002.png',
      'frame-003.png',
      'frame-004.png',
      'interpolation.json',
      'interpolation.webp',
    ]);
    const { model } = await loadTrainedModel((await openProject(project)).layout);
    try {
      const decodeOpts = { size: 16, channels: 1 as const, fit: 'cover' as const };
      for (const [file, frame] of [
        [fileA, result.frames[0]!],
        [fileB, result.frames[4]!],
      ] as const) {
        const pixels = await decodeImageFile(file, decodeOpts);
        const recon = await reconstructImages(model, { pixels, count: 1, size: 16, channels: 1 }, 1);
        const written = new Uint8Array(await sharp(frame).extractChannel(0).raw().toBuffer());
        const maxDiff = written.reduce((m, v, i) => Math.max(m, Math.abs(v - recon.pixels[i]!)), 0);
        expect(maxDiff).toBeLessThanOrEqual(1);
      }
      const { mu } = await encodeImages(
        model,
        { pixels: await decodeImageFile(fileA, decodeOpts), count: 1, size: 16, channels: 1 },
        1,
      );
      expect(result.zA.map((v) => v.toFixed(5))).toEqual(Array.from(mu[0]!).map((v) => v.toFixed(5)));
    } finally {
      model.dispose();
    }
    const animation = await sharp(result.animation!, { animated: true }).metadata();
    // 5 frames forth and 3 back; libwebp's encoder may merge frames that look alike, so only the page
    // geometry and the format are fixed here (encodeAnimation's own test counts pages).
    expect(animation.format).toBe('webp');
    expect(animation.pageHeight).toBe(16);
    expect(animation.pages).toBeGreaterThanOrEqual(1);
    await expect(
      runInterpolation({ project, imageA: fileA, imageB: fileB, out, steps: 5, backend: 'cpu' }),
    ).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
  });

  it('evaluates −ELBO on the validation split and on a folder, consistently', async () => {
    const onSplit = await runEvaluation({ project, backend: 'cpu' });
    expect(onSplit.source).toBe('validation-split');
    expect(onSplit.images).toBe(12);
    expect(onSplit.loss.negElbo).toBeCloseTo(onSplit.loss.reconstruction + onSplit.loss.kl, 3);
    expect(onSplit.loss.bitsPerDim).toBeCloseTo(onSplit.loss.negElbo / (16 * 16 * Math.LN2), 5);
    const onFolder = await runEvaluation({ project, data: images, backend: 'cpu' });
    expect(onFolder.source).toBe('folder');
    expect(onFolder.images).toBe(48);
    expect(onFolder.loss.negElbo).toBeGreaterThan(0);
  });
});
