import { nextTick } from 'vue';
import { beforeEach, describe, expect, it } from 'vitest';
import type { LatentMap, MapResult } from '../../../src-renderer/src/api/contract';
import { useAppStore, useInterpolationStore, useMapStore } from '../../../src-renderer/src/stores';
import { createFakeApi, installStores, ok, settle, type FakeApi } from '../fakeApi';
import { modelSummary, projectSummary } from '../fixtures';

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

  it('lists a box selection as files, and hands it to the exclusion hook only once one is registered', async () => {
    current = latentMap;
    const store = useMapStore();
    await store.load();
    store.selectBox([0, 2]);
    expect(store.selectionText).toBe('a/0.png\na/2.png\n');
    expect(store.excludeSelection()).toBe(false);
    const handed: unknown[] = [];
    store.setExclusionHandler((selection) => handed.push(selection));
    expect(store.excludeSelection()).toBe(true);
    expect(handed).toEqual([{ indices: [0, 2], files: ['a/0.png', 'a/2.png'] }]);
  });
});
