import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { projectSummarySchema } from '../../src-main/contract/index.js';
import { tempDir, writeSquares } from '../helpers/tinyData.js';
import { dataUrlBytes, testStudio, type TestStudio } from './harness.js';

let images: string;

beforeAll(async () => {
  images = join(await tempDir(), 'images');
  await writeSquares(images, 48);
  await copyFile(join(images, 'a', 'img-0000.png'), join(images, 'a', 'copy-of-0.png'));
  await writeFile(join(images, 'notes.txt'), 'not an image');
});

async function importInto(t: TestStudio, folder = images) {
  const handle = await t.call('dataset.import', { folder, size: 16, channels: 1 });
  const end = await t.jobEnd(handle.jobId);
  return { handle, end };
}

describe('studio: dataset import', () => {
  it('answers with a job, then reports progress, the new project and one job.done, in that order', async () => {
    const t = await testStudio();
    const { root } = await t.call('project.create', { path: 'p' });
    const { handle, end } = await importInto(t);
    expect(handle).toEqual({ jobId: 'import-1', kind: 'import' });
    expect(end.name).toBe('job.done');

    const ofJob = t.heard.filter(
      (e) => (e.payload as { jobId?: string } | null)?.jobId === handle.jobId || e.name === 'project.changed',
    );
    const names = ofJob.map((e) => e.name).filter((n, i, all) => n !== all[i - 1]);
    expect(names).toEqual([
      'project.changed',
      'job.started',
      'dataset.importProgress',
      'project.changed',
      'job.done',
    ]);
    const progress = t.payloads('dataset.importProgress', handle.jobId);
    const phases = progress.map((p) => p.phase).filter((p, i, all) => p !== all[i - 1]);
    expect(phases).toEqual(['scanning', 'decoding', 'writing', 'done']);
    // 48 images, a byte-identical copy and a text file, which only a decode attempt can reject.
    expect(progress.at(-1)).toMatchObject({
      phase: 'done',
      total: 50,
      processed: 50,
      imported: 48,
      duplicates: 1,
    });
    expect(progress.at(-1)?.skipped).toBe(1);

    const [done] = t.payloads('job.done', handle.jobId);
    expect(done).toMatchObject({ kind: 'import', cancelled: false });
    if (done?.kind !== 'import') throw new Error('not an import');
    expect(done.result.imported).toBe(48);
    expect(done.result.sourceRoot).toBe(images);
    expect(done.result.duplicates).toEqual([{ path: 'a/img-0000.png', duplicateOf: 'a/copy-of-0.png' }]);
    expect(Object.keys(done.result).sort()).toEqual(
      [
        'archivedPrevious',
        'duplicates',
        'imagesPerSec',
        'imported',
        'scanned',
        'seconds',
        'skipped',
        'sourceRoot',
      ].sort(),
    );
    // A first import replaces no model.
    expect(done.result.archivedPrevious).toBeNull();

    const summary = projectSummarySchema.parse(t.payloads('project.changed').at(-1));
    expect(summary.root).toBe(root);
    expect(summary.dataset).toMatchObject({
      count: 48,
      size: 16,
      channels: 1,
      fit: 'cover',
      labels: ['a', 'b'],
      perLabel: { a: 24, b: 24 },
      sourceRoot: images,
      // Which copy was left out, and of which imported file.
      duplicates: [{ path: 'a/img-0000.png', duplicateOf: 'a/copy-of-0.png' }],
    });
    expect(summary.dataset?.skipped).toHaveLength(1);
    expect(summary.dataset?.skipped[0]?.path).toBe('notes.txt');
    expect(await t.call('project.current', {})).toEqual(summary);
    expect(await t.call('job.list', {})).toEqual([]);

    // The project chooser's card: the image count, no model, and the first image as a 16×16 PNG.
    const [card] = await t.call('project.recent', {});
    expect(card).toMatchObject({ path: root, images: 48, epochs: null });
    const thumbnail = await sharp(dataUrlBytes(card!.thumbnail!)).metadata();
    expect([thumbnail.format, thumbnail.width, thumbnail.height]).toEqual(['png', 16, 16]);
  });

  it('fails a folder without images with job.failed naming the folder and the cause', async () => {
    const t = await testStudio();
    await t.call('project.create', { path: 'p' });
    const empty = join(await tempDir(), 'empty');
    await mkdir(empty);
    await writeFile(join(empty, 'readme.md'), '# nothing to see');
    const { handle, end } = await importInto(t, empty);
    expect(end.name).toBe('job.failed');
    const [failed] = t.payloads('job.failed', handle.jobId);
    expect(failed?.code).toBe('NO_IMAGES');
    expect(failed?.message).toContain(`no images found in ${empty}`);
    expect(failed?.message).toContain('readme.md');
    expect(t.payloads('job.done')).toEqual([]);
  });

  it('refuses a second import while one runs with BUSY, and a cancelled import ends with CANCELLED', async () => {
    const t = await testStudio();
    await t.call('project.create', { path: 'p' });
    const handle = await t.call('dataset.import', { folder: images, size: 16, channels: 1 });
    const busy = await t.refuse('dataset.import', { folder: images, size: 16, channels: 1 });
    expect(busy.code).toBe('BUSY');
    expect(busy.message).toContain(`An import is already running`);
    expect(await t.call('job.list', {})).toEqual([handle]);
    expect(await t.call('job.cancel', { jobId: handle.jobId })).toEqual({ cancelled: true });
    expect(await t.call('job.cancel', { jobId: 'import-99' })).toEqual({ cancelled: false });
    const end = await t.jobEnd(handle.jobId);
    expect(end).toEqual({
      name: 'job.failed',
      payload: {
        jobId: handle.jobId,
        kind: 'import',
        code: 'CANCELLED',
        message: 'An import was cancelled',
      },
    });
    expect((await t.call('project.current', {}))?.dataset).toBeNull();
  });
});

describe('studio: browsing the dataset', () => {
  let t: TestStudio;
  let datasetDir: string;
  beforeAll(async () => {
    t = await testStudio();
    const { root } = await t.call('project.create', { path: 'p' });
    datasetDir = join(root, 'dataset');
    await importInto(t);
  });

  it('pages the items in cache order, optionally of one class folder', async () => {
    const all = await t.call('dataset.list', { offset: 10, limit: 5 });
    expect(all.total).toBe(48);
    expect(all.items.map((i) => i.index)).toEqual([10, 11, 12, 13, 14]);
    const manifest = JSON.parse(await readFile(join(datasetDir, 'manifest.json'), 'utf8')) as {
      items: { path: string; label: string }[];
    };
    expect(all.items.map((i) => i.path)).toEqual(manifest.items.slice(10, 15).map((i) => i.path));
    const b = await t.call('dataset.list', { label: 'b', limit: 100 });
    expect(b.total).toBe(24);
    expect(b.items.every((i) => i.label === 'b' && manifest.items[i.index]?.label === 'b')).toBe(true);
    expect((await t.call('dataset.list', { label: 'zebra' })).total).toBe(0);
  });

  it('sends thumbnails whose PNG pixels are exactly the cached bytes', async () => {
    const cache = await readFile(join(datasetDir, 'images.u8'));
    const indices = [47, 0, 5, 6, 7, 5];
    const thumbs = await t.call('dataset.thumbnails', { indices });
    expect(thumbs.map((th) => th.index)).toEqual(indices);
    for (const thumb of thumbs) {
      const png = dataUrlBytes(thumb.url);
      const meta = await sharp(png).metadata();
      expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(['png', 16, 16, 1]);
      const data = await sharp(png).extractChannel(0).raw().toBuffer();
      expect(data.equals(cache.subarray(thumb.index * 256, (thumb.index + 1) * 256))).toBe(true);
    }
    const failure = await t.refuse('dataset.thumbnails', { indices: [1, 48] });
    expect(failure).toMatchObject({ code: 'INVALID_INPUT' });
    expect(failure.message).toBe('indices.1: 48 is out of range; the dataset has 48 images');
  });
});

describe('studio: a 10,000-image dataset', () => {
  it('pages the list and sends a page of 200 thumbnails quickly, reading only those images', async () => {
    const t = await testStudio();
    const { root } = await t.call('project.create', { path: 'big' });
    const count = 10_000;
    const per = 32 * 32 * 3;
    const pixels = Buffer.alloc(count * per);
    for (let i = 0; i < count; i++) pixels.fill(i % 251, i * per, (i + 1) * per);
    pixels[9_950 * per + 5] = 7;
    const items = Array.from({ length: count }, (_, i) => ({
      path: `${i % 2 ? 'b' : 'a'}/img-${i}.png`,
      hash: i.toString(16).padStart(64, '0'),
      label: i % 2 ? 'b' : 'a',
    }));
    await mkdir(join(root, 'dataset'));
    await writeFile(join(root, 'dataset', 'images.u8'), pixels);
    await writeFile(
      join(root, 'dataset', 'manifest.json'),
      JSON.stringify({
        version: 1,
        count,
        size: 32,
        channels: 3,
        fit: 'cover',
        background: '#ffffff',
        labels: ['a', 'b'],
        items,
        sourceRoot: '/nowhere',
        createdAt: new Date().toISOString(),
      }),
    );

    const page = await t.call('dataset.list', { offset: 9_990, limit: 500 });
    expect(page.total).toBe(count);
    expect(page.items.map((i) => i.index)).toEqual([
      9990, 9991, 9992, 9993, 9994, 9995, 9996, 9997, 9998, 9999,
    ]);
    const odd = await t.call('dataset.list', { label: 'b', offset: 4_999 });
    expect(odd).toEqual({ total: 5_000, items: [{ index: 9_999, path: 'b/img-9999.png', label: 'b' }] });

    const indices = Array.from({ length: 200 }, (_, i) => 9_800 + i);
    const started = performance.now();
    const thumbs = await t.call('dataset.thumbnails', { indices });
    const ms = performance.now() - started;
    expect(thumbs).toHaveLength(200);
    expect(ms).toBeLessThan(2_000);
    const thumb = thumbs.find((th) => th.index === 9_950)!;
    const { data } = await sharp(dataUrlBytes(thumb.url)).raw().toBuffer({ resolveWithObject: true });
    const expected = Buffer.alloc(per, 9_950 % 251);
    expected[5] = 7;
    expect(data.equals(expected)).toBe(true);
  });
});
