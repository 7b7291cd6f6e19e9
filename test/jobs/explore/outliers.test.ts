import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readDatasetManifest } from '../../../src-main/dataset/index.js';
import { runOutliers, runTraining, SCORES_CSV_HEADER } from '../../../src-main/jobs/index.js';
import {
  loadLatestCheckpoint,
  projectLayout,
  readExclusions,
  setExcluded,
} from '../../../src-main/project/index.js';
import { BLANK_FILES, NOISE_FILES, trainedShapesProject } from './exploreFixture.js';

let project: string;
const SHAPES = 300;
const ALL = SHAPES + NOISE_FILES.length + BLANK_FILES.length;

beforeAll(async () => {
  const started = performance.now();
  ({ project } = await trainedShapesProject());
  console.log(`trained the shapes model in ${((performance.now() - started) / 1000).toFixed(1)} s`);
});

describe('outlier ranking', () => {
  it('ranks the planted noise images worst, worst first, with a CSV row for every image', async () => {
    const report = await runOutliers({ project, top: 10, backend: 'wasm' });
    expect(
      report.items
        .slice(0, NOISE_FILES.length)
        .map((i) => i.file)
        .sort(),
    ).toEqual(NOISE_FILES);
    for (let i = 1; i < report.items.length; i++)
      expect(report.items[i - 1]!.negElbo).toBeGreaterThanOrEqual(report.items[i]!.negElbo);
    for (const item of report.items) {
      expect(item.negElbo).toBeCloseTo(item.reconstruction + item.kl, 3);
      expect(item.index).not.toBeNull();
    }
    // The noise lies far above the rest on the robust scale.
    expect(report.items[NOISE_FILES.length - 1]!.typicality).toBeGreaterThan(5);
    const csv = (await readFile(report.csv, 'utf8')).trim().split('\n');
    expect(csv[0]).toBe(SCORES_CSV_HEADER);
    expect(csv).toHaveLength(1 + ALL);
    expect(report.scored.count).toBe(ALL);
    expect(csv[1]!.split(',').slice(0, 2)).toEqual(['1', report.items[0]!.file]);
    expect(csv.at(-1)!.split(',')[0]).toBe(String(ALL));
    // Each listed image is written beside its reconstruction.
    const first = join(report.report, '..', 'images', 'worst-0001-reconstruction.png');
    expect((await readFile(first)).subarray(1, 4).toString()).toBe('PNG');
  });

  it('lists the flat images as the most likely of all: what a likelihood alone calls typical', async () => {
    const report = await runOutliers({ project, top: 10, backend: 'wasm' });
    // The caveat itself: images with no shape at all get the lowest −ELBO of the whole set.
    expect(
      report.mostLikely
        .slice(0, BLANK_FILES.length)
        .map((i) => i.file)
        .sort(),
    ).toEqual(BLANK_FILES);
    for (const item of report.mostLikely.slice(0, BLANK_FILES.length)) {
      expect(item.rank).toBeGreaterThan(ALL - BLANK_FILES.length);
      expect(item.typicality).toBeLessThan(-1.5);
    }
  });

  it('excludes images from training, reversibly, and training says how many it left out', async () => {
    const layout = projectLayout(project);
    const manifest = (await readDatasetManifest(layout.datasetDir))!;
    const change = await setExcluded(layout, manifest, NOISE_FILES, true);
    expect(change).toEqual({ changed: NOISE_FILES, excluded: 5 });
    expect((await readExclusions(layout)).map((e) => e.path).sort()).toEqual(NOISE_FILES);
    // Asking again changes nothing.
    expect((await setExcluded(layout, manifest, NOISE_FILES.slice(0, 2), true)).changed).toEqual([]);

    const ranked = await runOutliers({ project, top: 5, backend: 'wasm' });
    expect(ranked.excluded).toBe(5);
    expect(ranked.items.every((item) => item.excluded)).toBe(true);

    const logs: string[] = [];
    const resumed = await runTraining(
      { project, resume: true, settings: { epochs: 41 }, backend: 'wasm' },
      { emit: (e) => e.name === 'job.log' && logs.push(e.payload.message) },
    );
    expect(resumed.excluded).toBe(5);
    expect(resumed.trainedImages).toBe(ALL - 5);
    expect(
      logs.some((l) => l.startsWith(`training on ${ALL - 5} of the dataset's ${ALL} images: 5 excluded`)),
    ).toBe(true);
    expect((await loadLatestCheckpoint(layout))!.meta.dataset).toMatchObject({ count: ALL - 5, excluded: 5 });

    // Included again: the next run trains on every image.
    expect((await setExcluded(layout, manifest, NOISE_FILES, false)).excluded).toBe(0);
    expect(await readExclusions(layout)).toEqual([]);
    const again = await runTraining(
      { project, resume: true, settings: { epochs: 42 }, backend: 'wasm' },
      { emit: () => undefined },
    );
    expect(again).toMatchObject({ excluded: 0, trainedImages: ALL });
  });

  it('refuses to exclude a file the dataset does not have, naming it', async () => {
    const layout = projectLayout(project);
    const manifest = (await readDatasetManifest(layout.datasetDir))!;
    await expect(setExcluded(layout, manifest, ['nowhere/else.png'], true)).rejects.toThrow(
      'files: nowhere/else.png is not an image of the dataset',
    );
  });
});
