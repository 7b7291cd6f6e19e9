import { nextTick } from 'vue';
import { beforeEach, describe, expect, it } from 'vitest';
import type { LatentMap, MapResult } from '../../../src-renderer/src/api/contract';
import { useAppStore, useInterpolationStore, useMapStore } from '../../../src-renderer/src/stores';
import { createFakeApi, fail, installStores, ok, settle, type FakeApi } from '../fakeApi';
import { datasetSummary, modelSummary, projectSummary } from '../fixtures';

const result: MapResult = {
  method: 'umap',
  seed: 0,
  neighbours: 15,
  epochs: 300,
  images: 4,
  latentDim: 2,
  modelEpoch: 5,
  csv: '/p/map/map.csv',
  stored: '/p/map/map.json',
  skipped: 0,
  agreement: { accuracy: 0.75, chance: 0.5, k: 5 },
  seconds: { encode: 0.1, layout: 0.2, total: 0.3, cpu: 0.3 },
};
const { stored: _stored, skipped: _skipped, ...made } = result;
const latentMap: LatentMap = {
  ...made,
  createdAt: '2026-01-01T00:00:00.000Z',
  stale: null,
  classes: ['a', 'b'],
  points: {
    x: [0, 1, 2, 3],
    y: [0, 1, 0, 1],
    label: [0, 1, 0, -1],
    files: ['a/0.png', 'b/1.png', 'a/2.png', '3.png'],
  },
};

let fake: FakeApi;
let current: LatentMap | null;

beforeEach(async () => {
  fake = createFakeApi();
  current = null;
  fake.on('map.start', () => ok({ jobId: 'map-1', kind: 'map' }));
  fake.on('map.current', () => ok(current));
  fake.on('exclusions.list', () => ok([]));
  fake.on('map.neighbours', ({ index }) =>
    ok({ index, neighbours: [{ index: (index + 1) % 4, file: 'b/1.png', label: 'b', distance: 0.5 }] }),
  );
  fake.on('model.reconstruct', ({ index }) =>
    ok({
      index,
      path: 'a/0.png',
      label: 'a',
      original: 'data:image/png;base64,OA',
      reconstruction: 'data:image/png;base64,RA',
    }),
  );
  fake.on('dataset.thumbnails', ({ indices }) =>
    ok(indices.map((index) => ({ index, url: `data:image/png;base64,T${index}` }))),
  );
  installStores(fake);
  fake.emit('project.changed', projectSummary({ model: modelSummary(5) }));
  await nextTick();
});

describe('useMapStore', () => {
  it('starts the map with the form, follows its progress, and reads the map when the job is done', async () => {
    const store = useMapStore();
    await store.ensureLoaded();
    expect(store.map).toBeNull();
    expect(await store.start()).toBe(true);
    expect(fake.inputsOf('map.start')).toEqual([{ method: 'umap', seed: 0, neighbours: 15 }]);
    fake.emit('map.progress', { jobId: 'map-1', phase: 'layout', done: 150, total: 300 });
    expect(store.progressFraction).toBe(0.5);
    current = latentMap;
    fake.emit('job.done', { jobId: 'map-1', kind: 'map', cancelled: false, result });
    await settle();
    expect(store.isRunning).toBe(false);
    expect(store.status).toBe('Mapped 4 images in 0.3 s.');
    expect(store.map?.points.files).toEqual(latentMap.points.files);
  });

  it('shows a clicked point with its reconstruction, nearest images and their thumbnails', async () => {
    current = latentMap;
    const store = useMapStore();
    await store.load();
    await store.select(2);
    await settle();
    expect(store.selected).toBe(2);
    expect(store.reconstruction).toBe('data:image/png;base64,RA');
    expect(store.neighbours.map((n) => n.index)).toEqual([3]);
    expect(store.thumbnails.get(2)).toBe('data:image/png;base64,T2');
    expect(store.thumbnails.get(3)).toBe('data:image/png;base64,T3');
  });

  it('sends two picked points to Interpolate as A and B with their classes, and opens it', async () => {
    current = latentMap;
    const store = useMapStore();
    await store.load();
    expect(store.interpolatePicked()).toBe(false);
    store.pick(1);
    store.pick(3);
    expect(store.interpolatePicked()).toBe(true);
    const interpolation = useInterpolationStore();
    expect(interpolation.a).toEqual({ ref: { datasetIndex: 1 }, label: 'b/1.png', class: 'b' });
    expect(interpolation.b).toEqual({ ref: { datasetIndex: 3 }, label: '3.png' });
    expect(useAppStore().activeTab).toBe('interpolate');
    // A third pick replaces the older end.
    store.pick(0);
    expect(store.picked).toEqual([3, 0]);
  });

  it('excludes a box selection from training and includes it again, and shows what is excluded', async () => {
    current = latentMap;
    let stored = [{ path: '3.png', index: 3, excludedAt: '2026-01-01T00:00:00.000Z' }];
    fake.on('exclusions.list', () => ok(stored));
    fake.on('exclusions.set', ({ files, excluded }) => {
      stored = excluded
        ? [
            ...stored,
            ...files.map((path) => ({ path, index: latentMap.points.files.indexOf(path), excludedAt: '' })),
          ]
        : stored.filter((e) => !files.includes(e.path));
      return ok({ changed: files, excluded: stored.length });
    });
    const store = useMapStore();
    await store.load();
    // The project's exclusions, read with the map.
    expect([...store.excluded]).toEqual([3]);
    store.selectBox([0, 2, 3]);
    expect(store.selectionText).toBe('a/0.png\na/2.png\n3.png\n');
    expect(store.selectionExcluded).toBe(1);

    expect(await store.setSelectionExcluded(true)).toBe(true);
    expect(fake.inputsOf('exclusions.set')).toEqual([
      { files: ['a/0.png', 'a/2.png', '3.png'], excluded: true },
    ]);
    expect([...store.excluded].sort()).toEqual([0, 2, 3]);
    expect(store.selectionExcluded).toBe(3);
    expect(store.exclusionNote).toBe(
      '3 images are excluded from training: the next training run leaves them out.',
    );

    // One clicked point included again.
    expect(await store.setExcluded([2], false)).toBe(true);
    expect(fake.inputsOf('exclusions.set')[1]).toEqual({ files: ['a/2.png'], excluded: false });
    expect([...store.excluded].sort()).toEqual([0, 3]);
    expect(store.exclusionNote).toBe('a/2.png is included in training again.');

    // Excluded elsewhere (the Outliers view): the project's count moves, and the map reads the list again.
    stored = [...stored, { path: 'b/1.png', index: 1, excludedAt: '' }];
    fake.emit(
      'project.changed',
      projectSummary({ model: modelSummary(5), dataset: datasetSummary({ excluded: 3 }) }),
    );
    await settle();
    expect([...store.excluded].sort()).toEqual([0, 1, 3]);
  });

  it('says why an exclusion failed, and changes nothing', async () => {
    current = latentMap;
    fake.on('exclusions.set', () => fail('NO_DATASET', 'p has no dataset'));
    const store = useMapStore();
    await store.load();
    store.selectBox([1]);
    expect(await store.setSelectionExcluded(true)).toBe(false);
    expect(store.excluded.size).toBe(0);
    expect(store.exclusionNote).toBe('');
    expect(store.error).toBe('p has no dataset');
  });
});
