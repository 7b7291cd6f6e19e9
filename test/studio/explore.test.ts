import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { outliersReportSchema } from '../../src-main/contract/index.js';
import { NOISE_FILES, writeShapesWithPlants } from '../helpers/plantedShapes.js';
import { tempDir } from '../helpers/tinyData.js';
import { dataUrlBytes, testStudio, type TestStudio } from './harness.js';

let t: TestStudio;

beforeAll(async () => {
  const images = join(await tempDir(), 'shapes');
  await writeShapesWithPlants(images, 60);
  t = await testStudio();
  await t.call('project.create', { path: 'shapes' });
  const imported = await t.call('dataset.import', { folder: images, size: 16, channels: 3 });
  expect((await t.jobEnd(imported.jobId)).name).toBe('job.done');
});

describe('studio: outliers, exclusions and the explorer', () => {
  it('needs a trained model for the ranking and the explorer', async () => {
    expect((await t.refuse('outliers.start', {})).code).toBe('NO_MODEL');
    expect((await t.refuse('explorer.model', {})).code).toBe('NO_MODEL');
    const trained = await t.call('training.start', {
      latentDim: 4,
      width: 4,
      batchSize: 16,
      epochs: 2,
      conditional: false,
      backend: 'wasm',
    });
    expect((await t.jobEnd(trained.jobId)).name).toBe('job.done');
  });

  it('runs outliers.start to job.done with progress, and outliers.latest reads it back with its images', async () => {
    expect(await t.call('outliers.latest', {})).toBeNull();
    const handle = await t.call('outliers.start', { top: 6 });
    expect(handle.kind).toBe('outliers');
    expect((await t.refuse('training.start', { epochs: 1 })).message).toContain(
      'An outlier ranking is running',
    );
    expect((await t.jobEnd(handle.jobId)).name).toBe('job.done');
    const progress = t.payloads('outliers.progress', handle.jobId);
    expect(progress.at(-1)).toMatchObject({ done: 68, total: 68 });
    const [done] = t.payloads('job.done', handle.jobId);
    if (done?.kind !== 'outliers') throw new Error('not an outliers result');
    expect(done.result.items).toHaveLength(6);

    const view = (await t.call('outliers.latest', {}))!;
    expect(outliersReportSchema.parse(view.report)).toEqual(done.result);
    const first = view.report.items[0]!;
    expect(dataUrlBytes(view.images[first.file]!.reconstruction!).subarray(1, 4).toString()).toBe('PNG');
  });

  it('excludes by file, says so in dataset.list, the summary and the ranking, and includes again', async () => {
    const set = await t.call('exclusions.set', { files: NOISE_FILES.slice(0, 2) });
    expect(set).toEqual({ changed: NOISE_FILES.slice(0, 2), excluded: 2 });
    const changed = t.heard.filter((e) => e.name === 'project.changed').at(-1)!.payload as {
      dataset: { excluded?: number };
    };
    expect(changed.dataset.excluded).toBe(2);
    const listed = await t.call('dataset.list', { label: 'squares' });
    const flagged = listed.items.filter((item) => item.excluded).map((item) => item.path);
    expect(flagged).toEqual(NOISE_FILES.slice(0, 2));
    const exclusions = await t.call('exclusions.list', {});
    expect(exclusions.map((e) => e.path)).toEqual(NOISE_FILES.slice(0, 2));
    expect(exclusions.every((e) => e.index !== null)).toBe(true);
    const view = (await t.call('outliers.latest', {}))!;
    for (const item of [...view.report.items, ...view.report.mostLikely])
      expect(item.excluded).toBe(NOISE_FILES.slice(0, 2).includes(item.file));

    expect((await t.refuse('exclusions.set', { files: ['no/such.png'] })).message).toContain(
      'files: no/such.png is not an image of the dataset',
    );
    expect(await t.call('exclusions.set', { files: NOISE_FILES, excluded: false })).toEqual({
      changed: NOISE_FILES.slice(0, 2),
      excluded: 0,
    });
  });

  it('decodes live through one held model and saves an image into a generation folder', async () => {
    const model = await t.call('explorer.model', {});
    expect(model.dims).toHaveLength(4);
    const start = await t.call('explorer.start', { from: { datasetIndex: 0 } });
    expect(start.origin).toMatch(/^dataset image /);
    const moved = [...start.z];
    moved[model.dims[0]!.dim]! += 3;
    const a = await t.call('explorer.decode', { z: start.z });
    const b = await t.call('explorer.decode', { z: moved });
    expect(a.image).not.toBe(b.image);
    expect((await t.refuse('explorer.decode', { z: [1, 2] })).message).toContain(
      'z: must be 4 finite numbers',
    );
    expect((await t.refuse('explorer.start', { from: { datasetIndex: 999 } })).message).toContain(
      'out of range',
    );
    const saved = await t.call('explorer.save', { z: moved, origin: start.origin });
    const runs = await t.call('generation.runs', {});
    expect(runs.map((r) => r.out)).toContain(saved.out);
    const gallery = await t.call('generation.gallery', { out: saved.out });
    expect(gallery.total).toBe(1);
  });
});
