import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mapResultSchema } from '../../../src-main/contract/index.js';
import { loadDataset } from '../../../src-main/dataset/index.js';
import {
  MAP_CSV,
  MAP_JSON,
  mapDir,
  readStoredMap,
  runImport,
  runMap,
  runTraining,
  type JobEvent,
} from '../../../src-main/jobs/index.js';
import { CancelledError } from '../../../src-main/util/errors.js';
import { BAR_CLASSES, tempDir, writeBarsAndBlocks } from '../../helpers/tinyData.js';

// Bars and blocks: three classes told apart by shape alone, which a small VAE learns in a few seconds.
let project: string;
let dir: string;

beforeAll(async () => {
  dir = await tempDir();
  await writeBarsAndBlocks(join(dir, 'bars'), 100);
  project = join(dir, 'p');
  await runImport({ folder: join(dir, 'bars'), project, size: 16, channels: 1, fit: 'cover' });
  await runTraining({
    project,
    backend: 'wasm',
    // 24 steps in all, so no learning-rate warm-up.
    settings: {
      epochs: 8,
      latentDim: 8,
      width: 16,
      batchSize: 32,
      conditional: false,
      seed: 1,
      lrWarmupSteps: 0,
    },
  });
});

/** The CSV's rows as cells, without the header. */
async function csvRows(file: string): Promise<{ head: string[]; rows: string[][] }> {
  const [head, ...rows] = (await readFile(file, 'utf8')).trim().split('\n');
  return { head: head!.split(','), rows: rows.map((r) => r.split(',')) };
}

describe('the latent map job', () => {
  it('keeps classes that differ in shape apart: 2-D k-NN accuracy far above chance, by UMAP and by PCA', async () => {
    const umap = await runMap({ project, out: join(dir, 'umap.csv'), method: 'umap', backend: 'wasm' });
    const pca = await runMap({ project, out: join(dir, 'pca.csv'), method: 'pca', backend: 'wasm' });
    expect(mapResultSchema.parse(umap)).toEqual(umap);
    expect(umap.agreement!.chance).toBeCloseTo(1 / 3, 2);
    expect(umap.agreement!.accuracy).toBeGreaterThan(0.9);
    expect(pca.agreement!.accuracy).toBeGreaterThan(0.7);
    expect(umap).toMatchObject({ method: 'umap', neighbours: 15, epochs: 300, images: 300, latentDim: 8 });
    expect(pca).toMatchObject({ method: 'pca', neighbours: null, epochs: null, stored: null });
    expect(umap.seconds.total).toBeGreaterThanOrEqual(umap.seconds.encode + umap.seconds.layout - 1e-9);
  });

  it("writes the project's own map (map.csv, and map.json for the app) in dataset order, saying how it went", async () => {
    const events: JobEvent[] = [];
    const r = await runMap({ project, backend: 'wasm' }, { emit: (e) => events.push(e) });
    expect(r.csv).toBe(join(mapDir(project), MAP_CSV));
    expect(r.stored).toBe(join(mapDir(project), MAP_JSON));
    const { manifest } = await loadDataset(join(project, 'dataset'));
    const { head, rows } = await csvRows(r.csv);
    expect(head).toEqual(['file', 'label', 'x', 'y', 'z0', 'z1', 'z2', 'z3', 'z4', 'z5', 'z6', 'z7']);
    expect(rows.map((row) => row[0])).toEqual(manifest.items.map((item) => item.path));
    expect(rows.map((row) => row[1])).toEqual(manifest.items.map((item) => item.label));
    const stored = await readStoredMap(project);
    expect(stored!.classes).toEqual([...BAR_CLASSES]);
    expect(stored!.points.files).toEqual(manifest.items.map((item) => item.path));
    expect(stored!.points.label.map((k) => stored!.classes[k])).toEqual(rows.map((row) => row[1]));
    expect(stored!.points.x).toEqual(rows.map((row) => Number(row[2])));
    expect(stored!.latents).toEqual(rows.flatMap((row) => row.slice(4).map(Number)));
    // Progress: the images, the neighbour search, then the epochs, each to its end; and two lines in words.
    const progress = events.flatMap((e) => (e.name === 'map.progress' ? [e.payload] : []));
    expect(progress[0]).toEqual({ phase: 'encoding', done: 0, total: 300 });
    expect(progress).toContainEqual({ phase: 'encoding', done: 300, total: 300 });
    expect(progress).toContainEqual({ phase: 'neighbours', done: 300, total: 300 });
    expect(progress.at(-1)).toEqual({ phase: 'layout', done: 300, total: 300 });
    const said = events.flatMap((e) => (e.name === 'job.log' ? [e.payload.message] : []));
    expect(said[0]).toBe('mapping 300 images of 3 classes with UMAP (15 neighbours, 300 epochs, seed 0)');
    expect(said.at(-1)).toMatch(
      /^mapped 300 images in [\d.]+ s \(encoding [\d.]+ s, layout [\d.]+ s\); in 2-D, \d+% of images have the class of most of their 5 nearest neighbours \(chance 33%\)$/,
    );
  });

  it('is reproducible by its seed: the same seed writes the same CSV, another seed moves the points only', async () => {
    const a = await runMap({ project, out: join(dir, 'a.csv'), seed: 3, epochs: 50, backend: 'wasm' });
    const b = await runMap({ project, out: join(dir, 'b.csv'), seed: 3, epochs: 50, backend: 'wasm' });
    const c = await runMap({ project, out: join(dir, 'c.csv'), seed: 4, epochs: 50, backend: 'wasm' });
    expect(await readFile(b.csv, 'utf8')).toBe(await readFile(a.csv, 'utf8'));
    const [ra, rc] = [(await csvRows(a.csv)).rows, (await csvRows(c.csv)).rows];
    expect(rc.map((row) => row.slice(4))).toEqual(ra.map((row) => row.slice(4)));
    const moved = ra.filter((row, i) => row[2] !== rc[i]![2] || row[3] !== rc[i]![3]).length;
    expect(moved).toBeGreaterThan(250);
  });

  it('writes nothing when cancelled, and keeps the map made before', async () => {
    const before = await readFile(join(mapDir(project), MAP_JSON), 'utf8');
    const controller = new AbortController();
    const run = runMap(
      { project, seed: 9, backend: 'wasm' },
      {
        signal: controller.signal,
        emit: (e) => void (e.name === 'map.progress' && e.payload.phase === 'layout' && controller.abort()),
      },
    );
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(await readFile(join(mapDir(project), MAP_JSON), 'utf8')).toBe(before);
  });

  it('refuses to overwrite a file that is not a map, and names it; an earlier map it replaces', async () => {
    const notes = join(dir, 'notes.csv');
    await writeFile(notes, 'my,own,data\n');
    await expect(runMap({ project, out: notes, method: 'pca', backend: 'wasm' })).rejects.toMatchObject({
      code: 'OUTPUT_EXISTS',
      message: `${notes} already exists and is not a map this program wrote; choose another file or remove it`,
    });
    expect(await readFile(notes, 'utf8')).toBe('my,own,data\n');
    const again = await runMap({ project, out: join(dir, 'pca.csv'), method: 'pca', backend: 'wasm' });
    expect((await csvRows(again.csv)).rows).toHaveLength(300);
  });
});
