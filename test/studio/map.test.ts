import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LatentMap } from '../../src-main/contract/index.js';
import { tempDir, writeSquares } from '../helpers/tinyData.js';
import { testStudio, type TestStudio } from './harness.js';

const tiny = { latentDim: 3, width: 4, batchSize: 16, seed: 7, conditional: false, backend: 'wasm' } as const;
let t: TestStudio;
let root: string;

beforeAll(async () => {
  const images = join(await tempDir(), 'images');
  await writeSquares(images, 40);
  t = await testStudio();
  root = (await t.call('project.create', { path: 'squares' })).root;
  const imported = await t.call('dataset.import', { folder: images, size: 16, channels: 1 });
  expect((await t.jobEnd(imported.jobId)).name).toBe('job.done');
});

async function madeMap(input: { method?: 'umap' | 'pca'; seed?: number } = {}): Promise<LatentMap> {
  const handle = await t.call('map.start', input);
  expect(handle.kind).toBe('map');
  const end = await t.jobEnd(handle.jobId);
  if (end.name !== 'job.done') throw new Error(`the map failed: ${JSON.stringify(end.payload)}`);
  const map = await t.call('map.current', {});
  if (!map) throw new Error('no map after job.done');
  return map;
}

describe('studio: latent map', () => {
  it('needs a trained model, and has no map before one is made', async () => {
    expect(await t.refuse('map.start', {})).toMatchObject({
      code: 'NO_MODEL',
      message: `${root} has no trained model yet; train one first`,
    });
    expect(await t.call('map.current', {})).toBeNull();
    const trained = await t.call('training.start', { ...tiny, epochs: 1 });
    expect((await t.jobEnd(trained.jobId)).name).toBe('job.done');
  });

  it('makes the map in a job with progress, and map.current gives its points in dataset order', async () => {
    const map = await madeMap({ seed: 2 });
    const { items } = await t.call('dataset.list', { limit: 100 });
    expect(map).toMatchObject({
      method: 'umap',
      seed: 2,
      images: 40,
      latentDim: 3,
      stale: null,
      classes: ['a', 'b'],
    });
    expect(map.points.files).toEqual(items.map((item) => item.path));
    expect(map.points.label.map((k) => map.classes[k])).toEqual(items.map((item) => item.label));
    expect(map.points.x.every(Number.isFinite) && map.points.y.every(Number.isFinite)).toBe(true);
    expect(map.csv).toBe(join(root, 'map', 'map.csv'));
    const progress = t.payloads('map.progress');
    expect(progress.some((p) => p.phase === 'layout' && p.done === p.total)).toBe(true);
  });

  it("gives an image's nearest images in latent space, nearest first, not itself", async () => {
    const { index, neighbours } = await t.call('map.neighbours', { index: 5, count: 4 });
    expect(index).toBe(5);
    expect(neighbours).toHaveLength(4);
    expect(neighbours.map((n) => n.index)).not.toContain(5);
    const distances = neighbours.map((n) => n.distance);
    expect([...distances].sort((a, b) => a - b)).toEqual(distances);
    // Exactly the four smallest of all distances from image 5.
    const everyone = (await t.call('map.neighbours', { index: 5, count: 39 })).neighbours;
    expect(everyone.slice(0, 4)).toEqual(neighbours);
    const { items } = await t.call('dataset.list', { limit: 100 });
    for (const n of neighbours)
      expect([n.file, n.label]).toEqual([items[n.index]!.path, items[n.index]!.label]);
    expect(await t.refuse('map.neighbours', { index: 40 })).toMatchObject({
      code: 'INVALID_INPUT',
      message: 'index: 40 is out of range; the map has 40 images',
    });
  });

  it('says the map is stale once the model changed, until a new map is made', async () => {
    const trained = await t.call('training.start', { ...tiny, epochs: 2 });
    expect((await t.jobEnd(trained.jobId)).name).toBe('job.done');
    const old = await t.call('map.current', {});
    expect(old!.stale).toBe(
      'This map shows the model at epoch 1; the model is now at epoch 2. Make a new map to see where it puts the images.',
    );
    const fresh = await madeMap({ method: 'pca' });
    expect(fresh).toMatchObject({ method: 'pca', modelEpoch: 2, stale: null });
  });
});
