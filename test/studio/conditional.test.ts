import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { projectSummarySchema } from '../../src-main/contract/index.js';
import { tempDir, writeSquares } from '../helpers/tinyData.js';
import { testStudio, type TestStudio } from './harness.js';

// The squares lie in class folders a/ and b/: a training request that leaves `conditional` out trains a
// conditional model on them.
const tiny = { latentDim: 2, width: 4, batchSize: 16, seed: 7, valFraction: 0.25, backend: 'wasm' } as const;

let t: TestStudio;

beforeAll(async () => {
  const images = join(await tempDir(), 'images');
  await writeSquares(images, 32);
  t = await testStudio();
  await t.call('project.create', { path: 'classes' });
  const imported = await t.call('dataset.import', { folder: images, size: 16, channels: 1 });
  expect((await t.jobEnd(imported.jobId)).name).toBe('job.done');
  const trained = await t.call('training.start', { ...tiny, epochs: 1 });
  expect((await t.jobEnd(trained.jobId)).name).toBe('job.done');
});

describe('studio: a conditional model through the contract', () => {
  it('the project summary names the model’s classes and their training images', async () => {
    const summary = projectSummarySchema.parse(await t.call('project.current', {}));
    expect(summary.model?.config).toMatchObject({ conditional: true, classes: ['a', 'b'] });
    expect(summary.model?.classes).toEqual([
      { name: 'a', images: 16 },
      { name: 'b', images: 16 },
    ]);
  });

  it('generation.start takes counts per class; its result and the gallery say each image’s class', async () => {
    const handle = await t.call('generation.start', { perClass: { a: 1, b: 2 }, seed: 4 });
    await t.jobEnd(handle.jobId);
    const [done] = t.payloads('job.done', handle.jobId);
    if (done?.kind !== 'generate') throw new Error('not a generation result');
    expect(done.result.classes).toEqual([
      { name: 'a', index: 0, folder: 'a', count: 1, written: 1 },
      { name: 'b', index: 1, folder: 'b', count: 2, written: 2 },
    ]);
    const gallery = await t.call('generation.gallery', { out: handle.out });
    expect(gallery.classes).toEqual([
      { name: 'a', count: 1 },
      { name: 'b', count: 2 },
    ]);
    expect(gallery.images.map((i) => [i.class, i.index, i.file])).toEqual([
      ['a', 0, join(handle.out, 'a', 'sample-s4-000000.png')],
      ['b', 0, join(handle.out, 'b', 'sample-s4-000000.png')],
      ['b', 1, join(handle.out, 'b', 'sample-s4-000001.png')],
    ]);
    const onlyB = await t.call('generation.gallery', { out: handle.out, class: 'b', offset: 1 });
    expect([onlyB.total, onlyB.images.map((i) => i.index)]).toEqual([2, [1]]);
  });

  it('refuses an unknown class as an answer, naming the model’s classes', async () => {
    const handle = await t.call('generation.start', { perClass: 2, classes: ['c'] });
    const failed = await t.jobEnd(handle.jobId);
    expect(failed).toMatchObject({
      name: 'job.failed',
      payload: {
        code: 'INVALID_INPUT',
        message: 'classes: the model has no class "c"; its classes are a, b',
      },
    });
  });

  it('interpolation.export walks from one class to the other and says both', async () => {
    const list = await t.call('dataset.list', { limit: 100 });
    const a = list.items.find((i) => i.label === 'a')!.index;
    const b = list.items.find((i) => i.label === 'b')!.index;
    const handle = await t.call('interpolation.export', {
      a: { datasetIndex: a },
      b: { datasetIndex: b },
      steps: 3,
      animation: 'none',
    });
    await t.jobEnd(handle.jobId);
    const [done] = t.payloads('job.done', handle.jobId);
    if (done?.kind !== 'interpolate') throw new Error('not an interpolation result');
    expect(done.result).toMatchObject({ steps: 3, classA: 'a', classB: 'b' });
  });
});
