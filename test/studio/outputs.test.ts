import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { generationRunSchema } from '../../src-main/contract/index.js';
import { tempDir, writeSquares } from '../helpers/tinyData.js';
import { testStudio, type TestStudio } from './harness.js';

// Three class folders, so the model is conditional; what the Generate and Interpolate views read back of their
// results: past runs, a dataset image's reconstruction, the folders a download may serve, the contact sheet.
const tiny = { latentDim: 2, width: 4, batchSize: 16, seed: 7, valFraction: 0.25, backend: 'wasm' } as const;

let t: TestStudio;
let root: string;

beforeAll(async () => {
  const images = join(await tempDir(), 'images');
  await writeSquares(images, 30, 16, ['bag', 'coat', 'shoe']);
  t = await testStudio();
  root = (await t.call('project.create', { path: 'outputs' })).root;
  const imported = await t.call('dataset.import', { folder: images, size: 16, channels: 1 });
  expect((await t.jobEnd(imported.jobId)).name).toBe('job.done');
  const trained = await t.call('training.start', { ...tiny, epochs: 1 });
  expect((await t.jobEnd(trained.jobId)).name).toBe('job.done');
});

describe('studio: the results of the Generate and Interpolate views', () => {
  it('generation.runs lists the project’s runs, newest first, with count, classes, seed and sampler', async () => {
    expect(await t.call('generation.runs', {})).toEqual([]);
    const first = await t.call('generation.start', {
      perClass: { bag: 2, shoe: 1 },
      classes: ['bag', 'shoe'],
      seed: 3,
    });
    await t.jobEnd(first.jobId);
    const second = await t.call('generation.start', { count: 6, seed: 4, sampler: 'prior' });
    await t.jobEnd(second.jobId);
    const runs = await t.call('generation.runs', {});
    for (const run of runs) generationRunSchema.parse(run);
    expect(runs.map((r) => r.out)).toEqual([second.out, first.out]);
    expect(runs[1]).toMatchObject({
      count: 3,
      classes: [
        { name: 'bag', count: 2 },
        { name: 'shoe', count: 1 },
      ],
      seeds: [3],
      samplers: ['gmm'],
      temperatures: [1],
      epochs: [1],
    });
    expect(runs[0]).toMatchObject({
      count: 6,
      classes: [
        { name: 'bag', count: 2 },
        { name: 'coat', count: 2 },
        { name: 'shoe', count: 2 },
      ],
      seeds: [4],
      samplers: ['prior'],
    });
    expect(runs[0]!.out.startsWith(join(root, 'generated'))).toBe(true);
  });

  it('model.reconstruct gives a dataset image and its reconstruction at the model’s size', async () => {
    const list = await t.call('dataset.list', { limit: 100 });
    const coat = list.items.find((i) => i.label === 'coat')!;
    const answer = await t.call('model.reconstruct', { index: coat.index });
    expect(answer).toMatchObject({ index: coat.index, path: coat.path, label: 'coat' });
    for (const url of [answer.original, answer.reconstruction]) {
      const png = Buffer.from(url.replace(/^data:image\/png;base64,/, ''), 'base64');
      expect(await sharp(png).metadata()).toMatchObject({ width: 16, height: 16 });
    }
    expect(answer.reconstruction).not.toBe(answer.original);
    expect(await t.refuse('model.reconstruct', { index: 30 })).toMatchObject({
      code: 'INVALID_INPUT',
      message: 'index: 30 is out of range; the dataset has 30 images',
    });
  });

  it('a download may serve the project’s generated and interpolation folders, and nothing else', async () => {
    const [run] = await t.call('generation.runs', {});
    const studio = t.studio;
    expect(await studio.outputFolder(run!.out)).toEqual({ ok: true, value: run!.out });
    expect(await studio.outputFolder(`generated/${run!.name}`)).toEqual({ ok: true, value: run!.out });
    for (const elsewhere of [root, join(root, 'dataset'), join(root, 'generated'), '/etc']) {
      expect(await studio.outputFolder(elsewhere)).toMatchObject({ ok: false, code: 'NOT_AN_OUTPUT' });
    }
    expect(await studio.outputFolder('generated/../checkpoints')).toMatchObject({
      ok: false,
      code: 'NOT_AN_OUTPUT',
    });
    expect(await studio.outputFolder(join(root, 'generated', 'nothing'))).toMatchObject({
      ok: false,
      code: 'NOT_FOUND',
    });
    // A link inside generated/ that leads out of it is followed, and refused.
    await mkdir(join(root, 'interpolations'), { recursive: true });
    await symlink(join(root, 'checkpoints'), join(root, 'generated', 'sneaky'));
    expect(await studio.outputFolder(join(root, 'generated', 'sneaky'))).toMatchObject({
      ok: false,
      code: 'NOT_AN_OUTPUT',
    });
  });

  it('the contact sheet of an export holds the two sources at its ends and the frames between', async () => {
    const list = await t.call('dataset.list', { limit: 100 });
    const a = list.items.find((i) => i.label === 'bag')!.index;
    const b = list.items.find((i) => i.label === 'shoe')!.index;
    const handle = await t.call('interpolation.export', {
      a: { datasetIndex: a },
      b: { datasetIndex: b },
      steps: 4,
      animation: 'none',
    });
    await t.jobEnd(handle.jobId);
    const [done] = t.payloads('job.done', handle.jobId);
    if (done?.kind !== 'interpolate') throw new Error('not an interpolation result');
    expect(done.result).toMatchObject({ classA: 'bag', classB: 'shoe' });
    // Six 64-px cells (4 frames and 2 sources) in one row, 8 px apart inside an 8-px margin.
    const sheet = await sharp(done.result.contactSheet).metadata();
    expect(sheet.width).toBe(2 * 8 + 6 * 64 + 5 * 8);
    expect(await t.studio.outputFolder(handle.out)).toEqual({ ok: true, value: handle.out });
  });
});
