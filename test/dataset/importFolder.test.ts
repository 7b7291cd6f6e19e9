import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import sharp from 'sharp';
import type { Sharp } from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { importFolder, loadDataset } from '../../src-main/dataset/index.js';
import type { ImportProgress } from '../../src-main/dataset/index.js';
import { CancelledError } from '../../src-main/util/errors.js';
import { tempDir, writeSquares } from '../helpers/tinyData.js';
import { makeTempDir, near, pixelAt, rawSharp, solid, solidPng } from './fixtures.js';
import type { Rgb } from './fixtures.js';

const avifWritable = await sharp(solid(8, 8, [1, 2, 3]), { raw: { width: 8, height: 8, channels: 3 } })
  .avif()
  .toBuffer()
  .then(
    () => true,
    () => false,
  );

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('importFolder', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await makeTempDir()));
  afterEach(async () => cleanup());

  /** Distinct flat colours, so no two good images share bytes by accident. */
  const colour = (i: number): Rgb => [(i * 40) % 256, 255 - ((i * 40) % 256), (i * 90) % 256];

  it('imports every good image of a mixed folder and reports every other file with its reason', async () => {
    const src = join(dir, 'src');
    await mkdir(join(src, 'cats'), { recursive: true });
    await mkdir(join(src, 'dogs'));
    await mkdir(join(src, '.secret'));
    const px = (i: number): Sharp => rawSharp(solid(24, 16, colour(i)), 24, 16);
    const aPng = await px(1).png().toBuffer();
    await writeFile(join(src, 'cats/a.png'), aPng);
    await writeFile(join(src, 'cats/b.jpg'), await px(2).jpeg({ quality: 95 }).toBuffer());
    await writeFile(join(src, 'cats/c.webp'), await px(3).webp({ lossless: true }).toBuffer());
    await writeFile(join(src, 'cats/d.tiff'), await px(4).tiff().toBuffer());
    // Animated GIF, 2 frames: red then blue; only the first frame may be imported.
    const frames = Buffer.concat([solid(16, 16, [255, 0, 0]), solid(16, 16, [0, 0, 255])]);
    const gif = await sharp(frames, { raw: { width: 16, height: 32, channels: 3, pageHeight: 16 } })
      .gif({ delay: 100, keepDuplicateFrames: true })
      .toBuffer();
    expect((await sharp(gif).metadata()).pages).toBe(2);
    await writeFile(join(src, 'cats/anim.gif'), gif);
    if (avifWritable)
      await writeFile(join(src, 'dogs/e.avif'), await px(5).avif({ lossless: true }).toBuffer());
    await writeFile(join(src, 'dogs/f.png'), await px(6).png().toBuffer());
    await writeFile(join(src, 'top.png'), await px(7).png().toBuffer());
    // The bad ones.
    await writeFile(join(src, 'dogs/copy-of-a.png'), aPng);
    const bigPng = await rawSharp(solid(200, 200, colour(8)), 200, 200)
      .png()
      .toBuffer();
    await writeFile(join(src, 'dogs/huge.png'), bigPng);
    const noisy = Buffer.from(Array.from({ length: 64 * 64 * 3 }, (_, i) => (i * 7919) % 251));
    const noisyPng = await rawSharp(noisy, 64, 64).png().toBuffer();
    await writeFile(join(src, 'dogs/corrupt.png'), noisyPng.subarray(0, Math.floor(noisyPng.length / 2)));
    await writeFile(join(src, 'dogs/empty.png'), Buffer.alloc(0));
    await writeFile(join(src, 'notes.txt'), 'these are my cats\n');
    await writeFile(join(src, '.hidden.png'), await px(9).png().toBuffer());
    await writeFile(join(src, '.secret/inside.png'), await px(10).png().toBuffer());
    await symlink(join(src, 'nowhere.png'), join(src, 'dogs/dangling.png'));
    await symlink('..', join(src, 'dogs/loop'));

    const datasetDir = join(dir, 'project/dataset');
    const events: ImportProgress[] = [];
    const report = await importFolder(src, datasetDir, {
      size: 8,
      channels: 3,
      fit: 'cover',
      maxPixels: 10_000,
      concurrency: 3,
      onProgress: (p) => events.push(p),
    });

    const good = [
      'cats/a.png',
      'cats/anim.gif',
      'cats/b.jpg',
      'cats/c.webp',
      'cats/d.tiff',
      ...(avifWritable ? ['dogs/e.avif'] : []),
      'dogs/f.png',
      'top.png',
    ];
    expect(report.imported).toBe(good.length);
    expect(report.sourceRoot).toBe(src);
    expect(report.duplicates).toEqual([{ path: 'dogs/copy-of-a.png', duplicateOf: 'cats/a.png' }]);
    expect(report.skipped.map((s) => s.path)).toEqual([
      '.hidden.png',
      '.secret',
      'dogs/corrupt.png',
      'dogs/dangling.png',
      'dogs/empty.png',
      'dogs/huge.png',
      'dogs/loop',
      'notes.txt',
    ]);
    const reason = (path: string): string | undefined => report.skipped.find((s) => s.path === path)?.reason;
    expect(reason('.hidden.png')).toBe('hidden file');
    expect(reason('.secret')).toBe('hidden folder');
    expect(reason('dogs/corrupt.png')).toMatch(/^corrupt or truncated image \((?!sharp|Vips).+\)$/);
    expect(reason('dogs/dangling.png')).toBe('dangling symlink (target does not exist)');
    expect(reason('dogs/empty.png')).toBe('empty file');
    expect(reason('dogs/huge.png')).toBe('too many pixels (200×200 = 40000 pixels, limit 10000)');
    expect(reason('dogs/loop')).toBe('folder already scanned (symlink loop or second link to it)');
    expect(reason('notes.txt')).toBe('not an image (its format is none that can be read)');
    expect(report.scanned).toBe(good.length + 8 + 1);
    expect(report.seconds).toBeGreaterThan(0);
    expect(report.imagesPerSec).toBeGreaterThan(0);

    // The files on disk.
    expect((await readdir(datasetDir)).sort()).toEqual(['images.u8', 'import-report.json', 'manifest.json']);
    expect(JSON.parse(await readFile(join(datasetDir, 'import-report.json'), 'utf8'))).toEqual(report);
    const bytes = await readFile(join(datasetDir, 'images.u8'));
    expect(bytes.length).toBe(good.length * 8 * 8 * 3);
    const manifest = JSON.parse(await readFile(join(datasetDir, 'manifest.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(Object.keys(manifest).sort()).toEqual(
      [
        'background',
        'channels',
        'count',
        'createdAt',
        'fit',
        'items',
        'labels',
        'size',
        'sourceRoot',
        'version',
      ].sort(),
    );
    expect(manifest).toMatchObject({
      version: 1,
      count: good.length,
      size: 8,
      channels: 3,
      fit: 'cover',
      background: '#ffffff',
      labels: ['', 'cats', 'dogs'],
      sourceRoot: src,
    });
    const items = manifest.items as { path: string; hash: string; label: string }[];
    expect(items.map((i) => i.path)).toEqual(good);
    for (const item of items) {
      expect(item.hash).toBe(sha256(await readFile(join(src, item.path))));
      expect(item.label).toBe(item.path.includes('/') ? item.path.split('/')[0] : '');
    }
    const perLabel = (label: string): number => items.filter((i) => i.label === label).length;
    expect([perLabel('cats'), perLabel('dogs'), perLabel('')]).toEqual([5, avifWritable ? 2 : 1, 1]);

    // Pixels are in manifest order: each flat image is its own colour, the GIF is its first (red) frame.
    const { images } = await loadDataset(datasetDir);
    const image = (path: string): Uint8Array => {
      const i = good.indexOf(path);
      return images.pixels.subarray(i * 192, (i + 1) * 192);
    };
    expect(pixelAt(image('cats/a.png'), 8, 3, 4, 4)).toEqual(colour(1));
    expect(near(pixelAt(image('cats/b.jpg'), 8, 3, 4, 4), colour(2), 6)).toBe(true);
    expect(pixelAt(image('cats/c.webp'), 8, 3, 4, 4)).toEqual(colour(3));
    expect(near(pixelAt(image('cats/d.tiff'), 8, 3, 4, 4), colour(4), 2)).toBe(true); // libvips resize: ±1
    expect(near(pixelAt(image('cats/anim.gif'), 8, 3, 4, 4), [255, 0, 0], 4)).toBe(true);
    if (avifWritable) expect(near(pixelAt(image('dogs/e.avif'), 8, 3, 4, 4), colour(5), 6)).toBe(true);
    expect(pixelAt(image('top.png'), 8, 3, 4, 4)).toEqual(colour(7));

    // Progress: phases in order, and a final event that matches the report.
    const phases = events.map((e) => e.phase).filter((p, i, all) => p !== all[i - 1]);
    expect(phases).toEqual(['scanning', 'decoding', 'writing', 'done']);
    const last = events.at(-1)!;
    expect(last).toMatchObject({
      phase: 'done',
      processed: last.total,
      imported: good.length,
      skipped: 8,
      duplicates: 1,
      scanned: report.scanned,
    });
  });

  it('writes grey images with size² bytes each', async () => {
    const src = join(dir, 'src');
    await mkdir(src);
    for (let i = 0; i < 3; i++) await writeFile(join(src, `${i}.png`), await solidPng(10, 10, colour(i)));
    const report = await importFolder(src, join(dir, 'ds'), { size: 6, channels: 1, fit: 'fill' });
    expect(report.imported).toBe(3);
    const { images, manifest } = await loadDataset(join(dir, 'ds'));
    expect(images).toMatchObject({ count: 3, size: 6, channels: 1 });
    expect(images.pixels.length).toBe(3 * 36);
    expect(manifest.labels).toEqual(['']);
  });

  it('leaves an existing dataset untouched when a re-import is cancelled', async () => {
    const first = join(dir, 'first');
    const second = join(dir, 'second');
    await mkdir(first);
    await mkdir(second);
    for (let i = 0; i < 3; i++) await writeFile(join(first, `${i}.png`), await solidPng(8, 8, colour(i)));
    for (let i = 0; i < 40; i++)
      await writeFile(join(second, `${i}.png`), await solidPng(8, 8, colour(i + 10)));
    const datasetDir = join(dir, 'ds');
    await importFolder(first, datasetDir, { size: 4, channels: 3, fit: 'cover' });
    const before = await Promise.all(
      ['images.u8', 'manifest.json', 'import-report.json'].map((f) => readFile(join(datasetDir, f))),
    );

    const controller = new AbortController();
    const cancelled = importFolder(second, datasetDir, {
      size: 4,
      channels: 3,
      fit: 'cover',
      concurrency: 2,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === 'decoding') controller.abort();
      },
    });
    await expect(cancelled).rejects.toBeInstanceOf(CancelledError);
    const aborted = new AbortController();
    aborted.abort();
    await expect(
      importFolder(second, datasetDir, { size: 4, channels: 3, fit: 'cover', signal: aborted.signal }),
    ).rejects.toMatchObject({ code: 'CANCELLED' });

    const after = await Promise.all(
      ['images.u8', 'manifest.json', 'import-report.json'].map((f) => readFile(join(datasetDir, f))),
    );
    expect(after).toEqual(before);
    // No staging or temporary files left behind.
    expect((await readdir(datasetDir)).sort()).toEqual(['images.u8', 'import-report.json', 'manifest.json']);

    // A completed re-import replaces the dataset.
    const report = await importFolder(second, datasetDir, { size: 4, channels: 3, fit: 'cover' });
    expect(report.imported).toBe(40);
    expect((await loadDataset(datasetDir)).manifest.count).toBe(40);
    expect((await readdir(datasetDir)).sort()).toEqual(['images.u8', 'import-report.json', 'manifest.json']);
  });

  it('names a missing folder and a folder without images', async () => {
    const missing = join(dir, 'missing');
    await expect(
      importFolder(missing, join(dir, 'ds'), { size: 8, channels: 1, fit: 'cover' }),
    ).rejects.toMatchObject({
      name: 'UserError',
      code: 'NOT_FOUND',
      message: `folder not found: ${missing}`,
    });

    const textOnly = join(dir, 'text');
    await mkdir(textOnly);
    await writeFile(join(textOnly, '.DS_Store'), 'x');
    await writeFile(join(textOnly, 'a.txt'), 'hello');
    await writeFile(join(textOnly, 'b.csv'), '1,2,3');
    await expect(
      importFolder(textOnly, join(dir, 'ds'), { size: 8, channels: 1, fit: 'cover' }),
    ).rejects.toMatchObject({
      code: 'NO_IMAGES',
      message: `no images found in ${textOnly}: 3 files skipped (e.g. a.txt: not an image (its format is none that can be read))`,
    });

    const empty = join(dir, 'empty');
    await mkdir(empty);
    await expect(
      importFolder(empty, join(dir, 'ds'), { size: 8, channels: 1, fit: 'cover' }),
    ).rejects.toMatchObject({
      code: 'NO_IMAGES',
      message: `no images found in ${empty}: the folder is empty`,
    });
    // Nothing was written for the failed imports.
    await expect(readdir(join(dir, 'ds'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('rejects bad options once, before touching any file', async () => {
    await expect(
      importFolder(dir, join(dir, 'ds'), { size: 8, channels: 3, fit: 'cover', background: 'not-a-colour' }),
    ).rejects.toMatchObject({
      code: 'BAD_OPTION',
      message: 'background: cannot parse colour "not-a-colour"',
    });
    await expect(
      importFolder(dir, join(dir, 'ds'), { size: 8, channels: 2 as 1, fit: 'cover' }),
    ).rejects.toMatchObject({ code: 'BAD_OPTION' });
  });

  it.skipIf(process.getuid?.() === 0)('reports a file it may not read', async () => {
    const { chmod } = await import('node:fs/promises');
    const src = join(dir, 'src');
    await mkdir(src);
    await writeFile(join(src, 'ok.png'), await solidPng(4, 4, colour(1)));
    await writeFile(join(src, 'locked.png'), await solidPng(4, 4, colour(2)));
    await chmod(join(src, 'locked.png'), 0o000);
    const report = await importFolder(src, join(dir, 'ds'), { size: 4, channels: 3, fit: 'cover' });
    expect(report.skipped).toEqual([{ path: 'locked.png', reason: 'unreadable (permission denied)' }]);
  });
});

describe('a source folder that holds the project', () => {
  it("leaves the project's own folder out, with the reason", async () => {
    const source = join(await tempDir(), 'photos');
    await writeSquares(join(source, 'cats'), 6);
    const project = join(source, 'my-project');
    await writeSquares(join(project, 'previews'), 4);
    await writeSquares(join(project, 'generated', 'run-1'), 4);
    const report = await importFolder(source, join(project, 'dataset'), {
      size: 16,
      channels: 1,
      fit: 'cover',
    });
    expect(report.imported).toBe(6);
    expect(report.skipped).toContainEqual({
      path: 'my-project',
      reason: 'the project folder itself (its previews and outputs)',
    });
  });
});
