import { copyFile, mkdir, readFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { qualityReportSchema } from '../../src-main/contract/index.js';
import { loadDataset } from '../../src-main/dataset/index.js';
import { splitIndices } from '../../src-main/engine/index.js';
import {
  listQualityReports,
  runImport,
  runQuality,
  runTraining,
  type JobEvent,
} from '../../src-main/jobs/index.js';
import { tempDir, writeSquares } from '../helpers/tinyData.js';

const settings = {
  latentDim: 2,
  width: 4,
  epochs: 2,
  batchSize: 16,
  valFraction: 0.25,
  seed: 5,
  conditional: false,
};
const cheap = { likelihoodImages: 4, likelihoodSamples: 8, backend: 'wasm' as const };
let project: string;
let source: string;

beforeAll(async () => {
  source = join(await tempDir(), 'squares');
  await writeSquares(source, 96);
  project = join(await tempDir(), 'p');
  await runImport({ folder: source, project, size: 16, channels: 1, fit: 'cover' });
  await runTraining({ project, settings, backend: 'wasm' });
});

describe('vae-studio quality', () => {
  it('scores the model against the held-out split and writes report.json, .md and .html', async () => {
    const events: JobEvent[] = [];
    const r = await runQuality({ project, count: 40, ...cheap }, { emit: (e) => events.push(e) });
    expect(qualityReportSchema.parse(r)).toEqual(r);
    // Progress: each counted phase ends with all of its units done.
    const progress = events.flatMap((e) => (e.name === 'quality.progress' ? [e.payload] : []));
    expect(progress).toContainEqual({ phase: 'features of the 40 scored images', done: 40, total: 40 });
    expect(progress).toContainEqual({
      phase: 'likelihood and latent health on the held-out images',
      done: 4 * 8,
      total: 4 * 8,
    });
    expect(r.timings.map((t) => t.phase)).toEqual([
      'dataset features',
      'sampling',
      'scored features',
      'figures and neighbours',
      'likelihood',
      'report files',
    ]);
    expect(r.scored).toEqual({ source: 'model', count: 40, folder: null, sampler: 'gmm' });
    expect(r.real).toEqual({ source: 'validation-split', count: 24 });
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
    expect(r.model).toMatchObject({ epoch: 2, archived: null });
    const saved = JSON.parse(await readFile(r.report, 'utf8')) as { fid: number; verdict: string[] };
    expect(saved.fid).toBe(r.fid);
    expect(saved.verdict).toEqual(r.verdict);
    const markdown = await readFile(r.markdown, 'utf8');
    expect(markdown).toContain(`| FID (these features) | ${r.fid.toFixed(3)} |`);
    expect(markdown).toContain('![samples](samples.png)');
    const html = await readFile(r.html, 'utf8');
    expect(html).toContain('<img src="samples.png"');
    expect(html).toContain(`<td>${r.fid.toFixed(3)}</td>`);
    // The sample grid: 40 images of 16 px in 8 columns with 2 px gaps.
    const { default: sharp } = await import('sharp');
    const grid = await sharp(r.samples).metadata();
    expect([grid.width, grid.height]).toEqual([8 * 18 - 2, 5 * 18 - 2]);
    // Every scored image's nearest training images.
    const csv = (await readFile(join(r.report, '..', 'neighbours.csv'), 'utf8')).trim().split('\n');
    expect(csv).toHaveLength(41);
    expect(csv[1]).toMatch(
      /^0,"(a|b)\/img-\d{4}\.png",\d+\.\d{6},"(a|b)\/img-\d{4}\.png",\d+\.\d{6},(true|false)$/,
    );
  });

  it('gives each class its figures, samples assigned by their nearest training image', async () => {
    const r = await runQuality({ project, count: 40, ...cheap });
    const { manifest } = await loadDataset(join(project, 'dataset'));
    const split = splitIndices(manifest.count, settings.valFraction, settings.seed);
    const heldOut = (label: string) =>
      [...split.val].filter((i) => manifest.items[i]!.label === label).length;
    expect(r.perClass.map((c) => c.label)).toEqual(['a', 'b']);
    for (const c of r.perClass) {
      expect(c.realCount).toBe(heldOut(c.label));
      expect(c.realShare).toBe(heldOut(c.label) / 24);
      // Figures where both sides have 10 images or more; a class below that says so in the verdict.
      if (c.scoredCount >= 10) {
        expect(c.figures!.coverage).toBeGreaterThanOrEqual(0);
        expect(Number.isFinite(c.figures!.fid)).toBe(true);
      } else {
        expect(c.figures).toBeNull();
        expect(r.verdict.join(' ')).toContain(`${c.label} (${c.scoredCount} samples, ${c.realCount} real)`);
      }
    }
    expect(r.perClass[0]!.scoredCount + r.perClass[1]!.scoredCount).toBe(40);
    expect(r.perClass[0]!.scoredShare + r.perClass[1]!.scoredShare).toBeCloseTo(1, 12);
  });

  it('flags training images planted among the scored ones, shows them beside their training images', async () => {
    const { manifest } = await loadDataset(join(project, 'dataset'));
    const split = splitIndices(manifest.count, settings.valFraction, settings.seed);
    const folder = join(await tempDir(), 'scored');
    await mkdir(folder);
    const planted = [...split.train.slice(0, 5)].map((i) => manifest.items[i]!.path);
    const heldOut = [...split.val.slice(0, 5)].map((i) => manifest.items[i]!.path);
    for (const [n, path] of [...planted, ...heldOut].entries()) {
      await copyFile(join(source, path), join(folder, `img-${n}.png`));
    }
    const r = await runQuality({ project, generated: folder, ...cheap });
    expect(r.scored).toEqual({ source: 'folder', count: 10, folder, sampler: null });
    expect(r.copies.files.map((c) => c.training).sort()).toEqual(planted.sort());
    // A copy's nearest training image in pixels is itself too, at distance 0.
    for (const c of r.copies.files) {
      expect(c.pixelTraining).toBe(c.training);
      expect(c.pixelDistance).toBe(0);
      expect(existsSync(c.image)).toBe(true);
    }
    expect(r.copies.count).toBe(5);
    expect(r.copies.fraction).toBe(0.5);
    expect(r.verdict[1]).toBe(
      '5 of 10 images (50 %) are near-copies of training images: see them beside their training images below.',
    );
    const shown = await readdir(join(r.report, '..', 'copies'));
    expect(shown.filter((f) => f.endsWith('-beside-training.png'))).toHaveLength(5);
    expect(await readFile(r.markdown, 'utf8')).toContain('beside its training images](copies/');
    // The closest in pixels, flagged or not: the five planted images first (at 0), then the held-out ones, each
    // beside its nearest training image in closest/.
    const closest = r.copies.closest!;
    expect(closest).toHaveLength(8);
    expect(closest.slice(0, 5).map((c) => c.pixelDistance)).toEqual([0, 0, 0, 0, 0]);
    expect(closest.slice(0, 5).map((c) => c.index)).toEqual([0, 1, 2, 3, 4]);
    expect(closest.slice(5).every((c) => c.pixelDistance > 0 && c.index >= 5)).toBe(true);
    const distances = closest.map((c) => c.pixelDistance);
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
    for (const c of closest) expect(existsSync(c.image)).toBe(true);
    expect(await readdir(join(r.report, '..', 'closest'))).toHaveLength(16);
    const markdown = await readFile(r.markdown, 'utf8');
    expect(markdown).toContain('### Closest to a training image');
    expect(markdown).toMatch(/- image [5-9]: .* at pixel RMS 0\.\d+, not one by the rule/);
    expect(markdown).toMatch(/- image 0: .* at pixel RMS 0\.0000, a near-copy by the rule/);
    expect(await readFile(r.html, 'utf8')).toContain('<img src="closest/0-beside-training.png"');
  });

  it('keeps every report for the trend, and says how coverage moved since the previous one', async () => {
    const before = await listQualityReports(project);
    const r = await runQuality({ project, count: 40, ...cheap });
    const after = await listQualityReports(project);
    expect(after).toHaveLength(before.length + 1);
    expect(after.at(-1)).toMatchObject({
      report: r.report,
      fid: r.fid,
      coverage: r.coverage,
      scoredCount: 40,
    });
    expect(r.verdict.some((l) => /previous report/.test(l))).toBe(true);
    expect(await readFile(r.markdown, 'utf8')).toContain('## Across the project’s models');
  });

  it('scores archived models too, each against its own held-out images', async () => {
    const p2 = join(await tempDir(), 'p2');
    await runImport({ folder: source, project: p2, size: 16, channels: 1, fit: 'cover' });
    await runTraining({ project: p2, settings: { ...settings, epochs: 1 }, backend: 'wasm' });
    await runTraining({ project: p2, settings, backend: 'wasm' }); // archives the 1-epoch model
    const r = await runQuality({ project: p2, count: 20, allModels: true, ...cheap });
    expect(r.model.archived).toBeNull();
    const trend = await listQualityReports(p2);
    expect(trend.map((t) => [t.model.epoch, t.model.archived !== null])).toEqual([
      [1, true],
      [2, false],
    ]);
    expect(trend[0]!.model.archived).toMatch(/^checkpoints\/archive\//);
  });

  it('refuses a folder of too few images, naming it', async () => {
    const folder = join(await tempDir(), 'few');
    await mkdir(folder);
    await copyFile(join(source, 'a', 'img-0000.png'), join(folder, 'x.png'));
    await expect(runQuality({ project, generated: folder, ...cheap })).rejects.toThrow(
      `generated: ${folder}: 1 image; the quality report needs at least 10`,
    );
  });
});
