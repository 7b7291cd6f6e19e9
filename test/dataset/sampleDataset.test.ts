import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { importFolder, loadDataset, writeSampleDataset } from '../../src-main/dataset/index.js';
import { makeTempDir } from './fixtures.js';

async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const cls of (await readdir(root)).sort()) {
    for (const f of (await readdir(join(root, cls))).sort()) out.push(`${cls}/${f}`);
  }
  return out;
}

describe('writeSampleDataset', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
  afterAll(async () => cleanup());

  it('writes the requested number of RGB PNGs in three class folders, deterministically', async () => {
    const a = await writeSampleDataset(join(dir, 'a'), { count: 30, size: 32, seed: 7 });
    const b = await writeSampleDataset(join(dir, 'b'), { count: 30, size: 32, seed: 7 });
    const c = await writeSampleDataset(join(dir, 'c'), { count: 30, size: 32, seed: 8 });
    expect(a).toEqual({ files: 30, classes: ['circles', 'squares', 'triangles'] });
    expect(b).toEqual(a);
    expect(c).toEqual(a);

    const files = await listFiles(join(dir, 'a'));
    expect(files.length).toBe(30);
    expect(files.filter((f) => f.startsWith('circles/')).length).toBe(10);
    expect(files.filter((f) => f.startsWith('squares/')).length).toBe(10);
    expect(files.filter((f) => f.startsWith('triangles/')).length).toBe(10);
    expect(files[0]).toBe('circles/circle-0000.png');
    expect(await listFiles(join(dir, 'b'))).toEqual(files);

    let differ = 0;
    for (const f of files) {
      const bytesA = await readFile(join(dir, 'a', f));
      expect(bytesA.equals(await readFile(join(dir, 'b', f)))).toBe(true);
      if (!bytesA.equals(await readFile(join(dir, 'c', f)))) differ++;
    }
    expect(differ).toBe(30);

    const meta = await sharp(join(dir, 'a', files[0]!)).metadata();
    expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(['png', 32, 32, 3]);
  });

  it('draws a contrasting shape on a flat background, and imports cleanly', async () => {
    await writeSampleDataset(join(dir, 'd'), { count: 60, size: 32, seed: 1 });
    const report = await importFolder(join(dir, 'd'), join(dir, 'ds'), {
      size: 28,
      channels: 3,
      fit: 'cover',
    });
    expect(report.imported).toBe(60);
    expect(report.skipped).toEqual([]);
    const { images, manifest } = await loadDataset(join(dir, 'ds'));
    expect(manifest.labels).toEqual(['circles', 'squares', 'triangles']);
    const bytes = 28 * 28 * 3;
    for (let i = 0; i < images.count; i++) {
      const img = images.pixels.subarray(i * bytes, (i + 1) * bytes);
      // Corner = background; the brightness range inside the image shows a shape that stands out.
      const grey = Array.from(
        { length: 28 * 28 },
        (_, p) => (img[p * 3]! + img[p * 3 + 1]! + img[p * 3 + 2]!) / 3,
      );
      const corner = grey[0]!;
      const far = grey.filter((g) => Math.abs(g - corner) > 40).length;
      expect(far).toBeGreaterThan(28 * 28 * 0.05);
      expect(far).toBeLessThan(28 * 28 * 0.7);
    }
  });

  it('uses the defaults of 600 images of 32×32', async () => {
    const result = await writeSampleDataset(join(dir, 'default'));
    expect(result.files).toBe(600);
    expect((await listFiles(join(dir, 'default'))).length).toBe(600);
  });

  it('rejects a bad count', async () => {
    await expect(writeSampleDataset(join(dir, 'bad'), { count: 0 })).rejects.toMatchObject({
      code: 'BAD_OPTION',
    });
  });
});
