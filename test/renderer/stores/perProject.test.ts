import { nextTick } from 'vue';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  useAppStore,
  useDatasetStore,
  useGenerationStore,
  useInterpolationStore,
} from '../../../src-renderer/src/stores';
import { createFakeApi, fail, installStores, ok, type FakeApi } from '../fakeApi';
import { datasetSummary, modelSummary, projectSummary } from '../fixtures';

let fake: FakeApi;
const icons = projectSummary({
  root: '/p/icons',
  dataset: datasetSummary({ sourceRoot: '/data/icons', size: 32, channels: 3 }),
  model: modelSummary(40),
});
const clothes = projectSummary({
  root: '/p/clothes',
  dataset: datasetSummary({ sourceRoot: '/data/fashion', size: 28, channels: 1 }),
});

async function open(summary: ReturnType<typeof projectSummary>): Promise<void> {
  fake.emit('project.changed', summary);
  await nextTick();
}

beforeEach(async () => {
  fake = createFakeApi();
  fake.on('dataset.import', (input) =>
    input.replaceModel || !input.folder.includes('fashion-in-icons')
      ? ok({ jobId: 'imp-1', kind: 'import' })
      : fail('REPLACES_MODEL', '/p/icons has a model trained for 40 epochs on its current images'),
  );
  installStores(fake);
  await open(icons);
});

describe('forms belong to the project they were typed in', () => {
  it("another project's import folder is never imported into this one", async () => {
    const dataset = useDatasetStore();
    expect(dataset.folder).toBe('/data/icons');
    dataset.folder = '/data/more-icons';
    dataset.options.size = 64;
    await open(clothes);
    expect(dataset.folder).toBe('/data/fashion');
    expect(dataset.options).toMatchObject({ size: 28, channels: 1 });
    await dataset.importFolder();
    expect(fake.inputsOf('dataset.import').at(-1)?.folder).toBe('/data/fashion');
    await open(icons);
    expect(dataset.folder).toBe('/data/more-icons');
  });

  it('output folders and generation settings stay with their project', async () => {
    const generation = useGenerationStore();
    generation.form.out = '/out/icons';
    generation.form.count = 500;
    await open(clothes);
    expect(generation.form).toMatchObject({ out: '', count: 64 });
    await open(icons);
    expect(generation.form).toMatchObject({ out: '/out/icons', count: 500 });
  });

  it("the interpolation's two images are one project's", async () => {
    const interpolation = useInterpolationStore();
    interpolation.useDatasetImage('a', 3, 'apps/a.png');
    interpolation.useDatasetImage('b', 7, 'apps/b.png');
    interpolation.steps = 12;
    await open(clothes);
    expect([interpolation.a, interpolation.b, interpolation.steps]).toEqual([null, null, 8]);
    await open(icons);
    expect(interpolation.a?.label).toBe('apps/a.png');
    expect(interpolation.steps).toBe(12);
  });
});

describe('an import over a trained model asks first', () => {
  it('waits for a yes, then imports and archives; a no changes nothing', async () => {
    const dataset = useDatasetStore();
    const app = useAppStore();
    expect(await dataset.importFolder('/data/fashion-in-icons')).toBe(false);
    expect(dataset.pendingReplace).toEqual({ folder: '/data/fashion-in-icons', epochs: 40, leftOut: [] });
    // A question, not an error notice.
    expect(app.notices).toEqual([]);
    dataset.cancelReplace();
    expect(dataset.pendingReplace).toBeNull();
    expect(fake.inputsOf('dataset.import')).toHaveLength(1);

    await dataset.importFolder('/data/fashion-in-icons');
    expect(await dataset.confirmReplace()).toBe(true);
    expect(fake.inputsOf('dataset.import').map((i) => i.replaceModel)).toEqual([false, false, true]);
    expect(dataset.isImporting).toBe(true);
  });

  it('forgets the question when another project opens', async () => {
    const dataset = useDatasetStore();
    await dataset.importFolder('/data/fashion-in-icons');
    await open(clothes);
    expect(dataset.pendingReplace).toBeNull();
  });
});
