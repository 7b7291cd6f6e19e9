import { cp, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeImages } from '../../src-main/engine/index.js';
import { loadLabelledDataset } from '../../src-main/jobs/datasetLabels.js';
import { loadTrainedModel } from '../../src-main/jobs/loadModel.js';
import { projectLayout } from '../../src-main/project/index.js';
import { runCli } from '../helpers/cli.js';
import { tempDir, writeSquares } from '../helpers/tinyData.js';

// 32 squares in class folders a/ and b/: a conditional model by default, with 3 latent dimensions.
const TINY = ['--latent', '3', '--width', '4', '--batch', '16', '--epochs', '1', '--backend', 'wasm'];
let dir: string;
let project: string;
let images: string;

beforeAll(async () => {
  dir = await tempDir();
  images = join(dir, 'images');
  await writeSquares(images, 32);
  project = join(dir, 'p');
  const imported = await runCli(['import', images, '--project', project, '--size', '16', '--channels', '1']);
  expect(imported.code).toBe(0);
  expect((await runCli(['train', '--project', project, ...TINY])).code).toBe(0);
});

/** The CSV's header and rows as cells. */
async function readCsv(file: string): Promise<{ head: string[]; rows: string[][] }> {
  const [head, ...rows] = (await readFile(file, 'utf8')).trim().split('\n');
  return { head: head!.split(','), rows: rows.map((r) => r.split(',')) };
}

describe('vae-studio map', () => {
  it('writes one CSV row per image: file, label, x, y and the latent mean, with --json ending in the result', async () => {
    const out = join(dir, 'maps', 'umap.csv');
    const r = await runCli([
      'map',
      '--project',
      project,
      '--out',
      out,
      '--seed',
      '5',
      '--backend',
      'wasm',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const result = lines.at(-1)!;
    expect(result).toMatchObject({
      event: 'result',
      command: 'map',
      method: 'umap',
      seed: 5,
      images: 32,
      latentDim: 3,
      modelEpoch: 1,
      csv: out,
      stored: null,
    });
    expect(lines.some((l) => l.event === 'map.progress')).toBe(true);
    const { head, rows } = await readCsv(out);
    expect(head).toEqual(['file', 'label', 'x', 'y', 'z0', 'z1', 'z2']);
    expect(rows).toHaveLength(32);
    expect(rows.filter((row) => row[1] === 'a')).toHaveLength(16);
    for (const row of rows) {
      expect(row).toHaveLength(7);
      expect(row[0]).toMatch(new RegExp(`^${row[1]}/img-\\d{4}\\.png$`));
      for (const cell of row.slice(2)) expect(Number.isFinite(Number(cell))).toBe(true);
    }
    // Points spread out, not stacked on one spot.
    expect(new Set(rows.map((row) => `${row[2]},${row[3]}`)).size).toBe(32);
  });

  it("encodes each image of a conditional model under its own class folder's label", async () => {
    const out = join(dir, 'pca.csv');
    const r = await runCli([
      'map',
      '--project',
      project,
      '--out',
      out,
      '--method',
      'pca',
      '--backend',
      'wasm',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^mapped 32 images \(3-dimensional latents of the model at epoch 1; PCA\) to /);
    expect(r.stdout).toMatch(/^time: [\d.]+ s \(encoding [\d.]+ s, layout [\d.]+ s; [\d.]+ s of CPU\)$/m);
    expect(r.stdout).toMatch(
      /^classes: [\d.]+% of images have the class of most of their 5 nearest map neighbours \(chance 50\.0%\)$/m,
    );
    const { rows } = await readCsv(out);
    const { model } = await loadTrainedModel(projectLayout(project));
    try {
      const { images: batch } = await loadLabelledDataset(join(project, 'dataset'), model.config);
      const own = (await encodeImages(model, batch, 32)).mu;
      const swapped = { ...batch, labels: batch.labels!.map((k) => 1 - k) };
      const other = (await encodeImages(model, swapped, 32)).mu;
      const gap = (a: Float32Array[], i: number) =>
        Math.max(...[0, 1, 2].map((j) => Math.abs(Number(rows[i]![4 + j]) - a[i]![j]!)));
      for (let i = 0; i < 32; i++) expect(gap(own, i)).toBeLessThan(1e-5);
      expect(Math.max(...rows.map((_, i) => gap(other, i)))).toBeGreaterThan(1e-3);
    } finally {
      model.dispose();
    }
  });

  it('maps another folder with --data, its files named relative to it', async () => {
    const held = join(dir, 'held-out');
    await mkdir(join(held, 'b'), { recursive: true });
    for (const name of ['img-0001.png', 'img-0003.png', 'img-0005.png'])
      await cp(join(images, 'b', name), join(held, 'b', name));
    const out = join(dir, 'held.csv');
    const r = await runCli(['map', '--project', project, '--data', held, '--out', out, '--backend', 'wasm']);
    expect(r.code).toBe(0);
    const { rows } = await readCsv(out);
    expect(rows.map((row) => row.slice(0, 2))).toEqual([
      ['b/img-0001.png', 'b'],
      ['b/img-0003.png', 'b'],
      ['b/img-0005.png', 'b'],
    ]);
    // One class: no class agreement to tell.
    expect(r.stdout).not.toContain('classes:');
  });

  it('says what is wrong with a bad option or a project without a model', async () => {
    const bad = await runCli(['map', '--project', project, '--out', join(dir, 'x.csv'), '--method', 'tsne']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--method: must be one of umap, pca, got tsne');
    expect((await runCli(['map', '--project', project])).stderr).toContain('--out is required');
    const empty = join(dir, 'empty');
    expect(
      (await runCli(['import', images, '--project', empty, '--size', '16', '--channels', '1'])).code,
    ).toBe(0);
    const none = await runCli(['map', '--project', empty, '--out', join(dir, 'y.csv')]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('has no trained model yet; train one first');
  });
});
