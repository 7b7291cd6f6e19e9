import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { qualityReportSchema, type QualityReport } from '../../src-main/contract/index.js';
import { tempDir, writeSquares } from '../helpers/tinyData.js';
import { dataUrlBytes, testStudio, type TestStudio } from './harness.js';

// The tiny network of the training tests, and a report small enough to take about a second.
const tiny = {
  latentDim: 2,
  width: 4,
  batchSize: 16,
  seed: 7,
  valFraction: 0.25,
  conditional: false,
  backend: 'wasm',
} as const;
const cheap = { count: 40, likelihoodImages: 5, likelihoodSamples: 20 } as const;

let t: TestStudio;
let root: string;
let first: QualityReport;

beforeAll(async () => {
  const images = join(await tempDir(), 'images');
  await writeSquares(images, 48);
  t = await testStudio();
  root = (await t.call('project.create', { path: 'squares' })).root;
  const imported = await t.call('dataset.import', { folder: images, size: 16, channels: 1 });
  expect((await t.jobEnd(imported.jobId)).name).toBe('job.done');
});

async function doneReport(jobId: string): Promise<QualityReport> {
  const end = await t.jobEnd(jobId);
  if (end.name !== 'job.done') throw new Error(`the report failed: ${JSON.stringify(end.payload)}`);
  const [done] = t.payloads('job.done', jobId);
  if (done?.kind !== 'quality') throw new Error('not a quality result');
  expect(done.cancelled).toBe(false);
  return done.result;
}

describe('studio: quality report', () => {
  it('needs a trained model', async () => {
    const failure = await t.refuse('quality.start', cheap);
    expect(failure).toMatchObject({
      code: 'NO_MODEL',
      message: `${root} has no trained model yet; train one first`,
    });
    expect(await t.call('quality.reports', {})).toEqual([]);
    const trained = await t.call('training.start', { ...tiny, epochs: 2 });
    expect((await t.jobEnd(trained.jobId)).name).toBe('job.done');
  });

  it('runs quality.start to job.done with a QualityReport, and refuses training beside it', async () => {
    const handle = await t.call('quality.start', cheap);
    expect(handle.kind).toBe('quality');
    // It reads the dataset and the model: neither may be replaced while it runs, nor a second report start.
    const training = await t.refuse('training.start', { ...tiny, epochs: 1 });
    expect(training.code).toBe('BUSY');
    expect(training.message).toContain(`A quality report is running`);
    expect((await t.refuse('quality.start', cheap)).message).toContain('A quality report is already running');

    first = await doneReport(handle.jobId);
    // The payload passed the contract's own schema (payloads() parses it); the figures are numbers.
    expect(qualityReportSchema.parse(first)).toEqual(first);
    expect(first.scored).toEqual({ source: 'model', count: 40, folder: null, sampler: 'gmm' });
    expect(first.real.source).toBe('validation-split');
    expect(first.model).toMatchObject({ epoch: 2, archived: null });
    for (const key of [
      'fid',
      'kid',
      'precision',
      'recall',
      'density',
      'coverage',
      'negElbo',
      'iwNll',
    ] as const) {
      expect(Number.isFinite(first[key]), key).toBe(true);
    }
    expect(first.iwImages).toBe(5);
    expect(first.iwSamples).toBe(20);
    expect(first.verdict.length).toBeGreaterThanOrEqual(2);
    expect(dirname(dirname(first.report))).toBe(join(root, 'quality'));
    for (const file of [first.report, first.markdown, first.html, first.samples])
      expect(existsSync(file), file).toBe(true);
    expect(JSON.parse(await readFile(first.report, 'utf8'))).toMatchObject({ fid: first.fid });

    expect(t.payloads('job.started', handle.jobId)[0]?.title).toBe(
      'Score the model at epoch 2 on 40 sampled images',
    );
    expect(t.payloads('job.log', handle.jobId).length).toBeGreaterThan(0);
    for (const p of t.payloads('quality.progress', handle.jobId)) {
      expect(p.phase.length).toBeGreaterThan(0);
      expect(p.done).toBeLessThanOrEqual(p.total);
    }
    expect(t.notifications.at(-1)).toEqual({ title: 'Quality report finished', body: first.verdict[0] });
  });

  it('lists the stored reports for the trend and sends one with its images', async () => {
    const history = await t.call('quality.reports', {});
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({
      report: first.report,
      model: first.model,
      scoredCount: 40,
      fid: first.fid,
      coverage: first.coverage,
    });

    const view = await t.call('quality.report', { report: first.report });
    expect(view.report).toEqual(first);
    expect(view.folder).toBe(dirname(first.report));
    expect((await sharp(dataUrlBytes(view.samples!)).metadata()).format).toBe('png');
    expect(view.copies).toHaveLength(Math.min(first.copies.count, 48));
    const { items } = await t.call('dataset.list', { limit: 5000 });
    for (const [i, copy] of view.copies.entries()) {
      const file = first.copies.files[i]!;
      expect(items[file.trainingIndex]?.path).toBe(file.training);
      for (const url of [copy.image, copy.training, copy.pixelTraining]) {
        expect((await sharp(dataUrlBytes(url!)).metadata()).width).toBeGreaterThan(0);
      }
    }
    // The 8 samples nearest a training image in pixels come with their images too, each beside that image.
    expect(view.closest).toHaveLength(8);
    for (const [i, near] of view.closest.entries()) {
      const file = first.copies.closest![i]!;
      expect(items[file.pixelTrainingIndex]?.path).toBe(file.pixelTraining);
      for (const url of [near.image, near.pixelTraining]) {
        expect((await sharp(dataUrlBytes(url!)).metadata()).width).toBeGreaterThan(0);
      }
    }
    // A relative path names the same report; the copies' images may be left out.
    const relative = first.report.slice(root.length + 1);
    expect((await t.call('quality.report', { report: relative, copies: 0 })).copies).toEqual([]);
  });

  it('sends each near-copy beside its training images, and only images it may send', async () => {
    // A stored report with three copies, written by hand: the job's own run may flag none.
    const folder = join(root, 'quality', '2000-01-01T00-00-00-000Z');
    await mkdir(join(folder, 'copies'), { recursive: true });
    const png = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();
    await writeFile(join(folder, 'copies', '0.png'), png);
    await writeFile(join(folder, 'copies', 'not-an-image.png'), 'text');
    const outside = join(await tempDir(), 'elsewhere.png');
    await writeFile(outside, png);
    const { items } = await t.call('dataset.list', { limit: 5000 });
    const copy = (image: string, trainingIndex: number, training: string) => ({
      index: 0,
      image,
      trainingIndex,
      training,
      distance: 0.01,
      pixelTrainingIndex: trainingIndex + 1,
      pixelTraining: items[trainingIndex + 1]!.path,
      pixelDistance: 0.02,
    });
    const files = [
      copy(join(folder, 'copies', '0.png'), 3, items[3]!.path),
      // Re-imported since: the index names another file now, so no image is sent for it.
      copy(join(folder, 'copies', 'not-an-image.png'), 4, 'a/gone.png'),
      copy(outside, 5, items[5]!.path),
    ];
    const stored = { ...first, report: join(folder, 'report.json'), createdAt: '2000-01-01T00:00:00.000Z' };
    stored.copies = { ...first.copies, count: 3, files };
    await writeFile(stored.report, JSON.stringify(stored));

    const view = await t.call('quality.report', { report: stored.report });
    expect(view.copies.map((c) => [c.image !== null, c.training !== null, c.pixelTraining !== null])).toEqual(
      [
        [true, true, true],
        [false, false, true],
        [false, true, true],
      ],
    );
    const thumbnails = await t.call('dataset.thumbnails', { indices: [3, 4] });
    expect(view.copies[0]!.image).toBe(`data:image/png;base64,${png.toString('base64')}`);
    expect(view.copies[0]!.training).toBe(thumbnails[0]!.url);
    expect(view.copies[0]!.pixelTraining).toBe(thumbnails[1]!.url);
    expect((await t.call('quality.report', { report: stored.report, copies: 1 })).copies).toHaveLength(1);
    // The trend puts it first (oldest first) and the job's report after it.
    expect((await t.call('quality.reports', {})).map((h) => h.report)).toEqual([stored.report, first.report]);
    await rm(folder, { recursive: true });
  });

  it('sends only report.json files of the project’s quality/ folder', async () => {
    const reports = join(root, 'quality');
    const refusals: [string, string][] = [
      [join(root, 'project.json'), 'INVALID_INPUT'],
      ['../elsewhere/report.json', 'INVALID_INPUT'],
      [join(reports, 'report.json'), 'INVALID_INPUT'],
      [join(reports, '.features', 'report.json'), 'INVALID_INPUT'],
      [join(dirname(first.report), 'report.md'), 'INVALID_INPUT'],
      [join(reports, 'gone', 'report.json'), 'NOT_FOUND'],
    ];
    for (const [report, code] of refusals)
      expect((await t.refuse('quality.report', { report })).code, report).toBe(code);

    // A folder that leads out of quality/ by a link is not followed.
    const outside = join(await tempDir(), 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'report.json'), await readFile(first.report));
    await symlink(outside, join(reports, 'linked'));
    expect((await t.refuse('quality.report', { report: join(reports, 'linked', 'report.json') })).code).toBe(
      'NOT_FOUND',
    );

    await mkdir(join(reports, 'damaged'));
    await writeFile(join(reports, 'damaged', 'report.json'), '{"fid": 1');
    const damaged = await t.refuse('quality.report', { report: join(reports, 'damaged', 'report.json') });
    expect(damaged.code).toBe('UNREADABLE');
    expect(damaged.message).toContain('it is not valid JSON');
    await mkdir(join(reports, 'older'));
    await writeFile(join(reports, 'older', 'report.json'), JSON.stringify({ fid: 1 }));
    const older = await t.refuse('quality.report', { report: join(reports, 'older', 'report.json') });
    expect(older).toMatchObject({ code: 'UNREADABLE' });
    expect(older.message).toContain('score the model again');
    // Neither is part of the trend.
    expect((await t.call('quality.reports', {})).map((h) => h.report)).toEqual([first.report]);
  });

  it('cancels: job.failed CANCELLED, and no report is added', async () => {
    const handle = await t.call('quality.start', cheap);
    expect(await t.call('quality.cancel', {})).toEqual({ cancelled: true });
    const end = await t.jobEnd(handle.jobId);
    expect(end).toMatchObject({ name: 'job.failed', payload: { kind: 'quality', code: 'CANCELLED' } });
    expect(await t.call('quality.cancel', {})).toEqual({ cancelled: false });
    expect((await t.call('quality.reports', {})).map((h) => h.report)).toEqual([first.report]);
  });

  it('shows a moved project’s report with its images, its paths at the new place', async () => {
    // Copied to another folder (a backup restored, a project sent to a colleague): report.json names the old one.
    const moved = join(dirname(root), 'squares-moved');
    await cp(root, moved, { recursive: true });
    await t.call('project.open', { path: moved });
    const [entry] = await t.call('quality.reports', {});
    expect(entry!.report).toBe(join(moved, first.report.slice(root.length + 1)));
    const view = await t.call('quality.report', { report: entry!.report });
    expect(view.folder).toBe(dirname(entry!.report));
    for (const path of [view.report.report, view.report.html, view.report.markdown, view.report.samples]) {
      expect(path.startsWith(moved + '/'), path).toBe(true);
      expect(existsSync(path), path).toBe(true);
    }
    expect(view.report.model.checkpoint).toBe(join(moved, first.model.checkpoint.slice(root.length + 1)));
    expect((await sharp(dataUrlBytes(view.samples!)).metadata()).format).toBe('png');
    // Everything else is as scored.
    expect({ ...view.report, report: '', html: '', markdown: '', samples: '', model: null }).toEqual({
      ...first,
      report: '',
      html: '',
      markdown: '',
      samples: '',
      model: null,
      copies: {
        ...first.copies,
        files: first.copies.files.map((c) => ({
          ...c,
          image: join(moved, c.image.slice(root.length + 1)),
        })),
      },
    });
    await t.call('project.open', { path: root });
  });
});
