import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src-main/dataset/index.js';
import { splitIndices } from '../../src-main/engine/index.js';
import { runImport, runQuality, runTraining } from '../../src-main/jobs/index.js';
import { tempDir, writeSquares } from '../helpers/tinyData.js';

const settings = { latentDim: 2, width: 4, epochs: 2, batchSize: 16, valFraction: 0.25, seed: 5 };
const cheap = { likelihoodImages: 4, likelihoodSamples: 8, backend: 'wasm' as const };
let project: string;
let source: string;

beforeAll(async () => {
  source = join(await tempDir(), 'squares');
  await writeSquares(source, 48);
  project = join(await tempDir(), 'p');
  await runImport({ folder: source, project, size: 16, channels: 1, fit: 'cover' });
  await runTraining({ project, settings, backend: 'wasm' });
});

describe('vae-studio quality', () => {
  it('scores the model against the held-out split and writes report.json and report.md', async () => {
    const r = await runQuality({ project, count: 24, ...cheap });
    expect(r.scored).toEqual({ source: 'model', count: 24 });
    expect(r.real).toEqual({ source: 'validation-split', count: 12 });
    for (const key of [
      'fid',
      'kid',
      'precision',
      'recall',
      'density',
      'coverage',
      'iwNll',
      'negElbo',
    ] as const) {
      expect(Number.isFinite(r[key]), key).toBe(true);
    }
    expect(r.featureNetwork).toMatch(/^nsfwjs MobileNetV2 .*not Inception\/FID-comparable$/);
    expect(r.iwNll).toBeLessThanOrEqual(r.iwNegElbo + 1);
    expect(r.activeUnits).toBeLessThanOrEqual(2);
    const saved = JSON.parse(await readFile(r.report, 'utf8')) as { fid: number; verdict: string[] };
    expect(saved.fid).toBe(r.fid);
    expect(saved.verdict).toEqual(r.verdict);
    expect(await readFile(r.markdown, 'utf8')).toContain(`| FID (these features) | ${r.fid.toFixed(3)} |`);
  });

  it('flags training images planted among the scored ones, and no held-out image', async () => {
    const { manifest } = await loadDataset(join(project, 'dataset'));
    const split = splitIndices(manifest.count, settings.valFraction, settings.seed);
    const folder = join(await tempDir(), 'scored');
    await mkdir(folder);
    const planted = [...split.train.slice(0, 3)].map((i) => manifest.items[i]!.path);
    const heldOut = [...split.val.slice(0, 3)].map((i) => manifest.items[i]!.path);
    for (const [n, path] of [...planted, ...heldOut].entries()) {
      await copyFile(join(source, path), join(folder, `img-${n}.png`));
    }
    const r = await runQuality({ project, generated: folder, ...cheap });
    expect(r.scored).toEqual({ source: 'folder', count: 6 });
    expect(r.copies.files.map((c) => c.training).sort()).toEqual(planted.sort());
    expect(r.copies.count).toBe(3);
    expect(r.copies.fraction).toBe(0.5);
    expect(r.verdict[1]).toBe('3 of 6 images (50 %) are near-copies of training images.');
  });
});
