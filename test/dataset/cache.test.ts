import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { importFolder, loadDataset, readDatasetManifest } from '../../src-main/dataset/index.js';
import { makeTempDir, solidPng } from './fixtures.js';

describe('loadDataset / readDatasetManifest', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let datasetDir: string;
  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir());
    await mkdir(join(dir, 'src/x'), { recursive: true });
    await writeFile(join(dir, 'src/x/a.png'), await solidPng(6, 6, [10, 20, 30]));
    await writeFile(join(dir, 'src/b.png'), await solidPng(6, 6, [200, 100, 50]));
    datasetDir = join(dir, 'ds');
    await importFolder(join(dir, 'src'), datasetDir, { size: 4, channels: 3, fit: 'cover' });
  });
  afterAll(async () => cleanup());

  it('round-trips the import: pixels in manifest order', async () => {
    const { manifest, images } = await loadDataset(datasetDir);
    expect(manifest.items.map((i) => [i.path, i.label])).toEqual([
      ['b.png', ''],
      ['x/a.png', 'x'],
    ]);
    expect(images).toMatchObject({ count: 2, size: 4, channels: 3 });
    expect(images.pixels).toBeInstanceOf(Uint8Array);
    expect([...images.pixels.subarray(0, 3)]).toEqual([200, 100, 50]);
    expect([...images.pixels.subarray(48, 51)]).toEqual([10, 20, 30]);
    expect(await readDatasetManifest(datasetDir)).toEqual(manifest);
  });

  it('says there is no dataset yet: NO_DATASET from loadDataset, null from readDatasetManifest', async () => {
    const empty = join(dir, 'nothing');
    await expect(loadDataset(empty)).rejects.toMatchObject({
      code: 'NO_DATASET',
      message: `no dataset in ${empty}: manifest.json not found (import images first)`,
    });
    expect(await readDatasetManifest(empty)).toBeNull();
  });

  it('names the file of a corrupt cache', async () => {
    const broken = join(dir, 'broken');
    await mkdir(broken);
    const manifest = await readFile(join(datasetDir, 'manifest.json'));
    await writeFile(join(broken, 'manifest.json'), manifest);
    await writeFile(join(broken, 'images.u8'), Buffer.alloc(95));
    await expect(loadDataset(broken)).rejects.toMatchObject({
      code: 'CORRUPT_DATASET',
      message: `${join(broken, 'images.u8')} has 95 bytes but manifest.json says 2 × 4 × 4 × 3 = 96; import again`,
    });

    await rm(join(broken, 'images.u8'));
    await expect(loadDataset(broken)).rejects.toMatchObject({
      code: 'CORRUPT_DATASET',
      message: `${join(broken, 'images.u8')} is missing but manifest.json lists 2 images; import again`,
    });

    await writeFile(join(broken, 'manifest.json'), '{"version": 1, "count": ');
    await expect(readDatasetManifest(broken)).rejects.toMatchObject({ code: 'CORRUPT_DATASET' });
    await expect(loadDataset(broken)).rejects.toThrow(`${join(broken, 'manifest.json')} is not valid JSON`);

    const parsed = JSON.parse(manifest.toString()) as Record<string, unknown>;
    await writeFile(join(broken, 'manifest.json'), JSON.stringify({ ...parsed, count: 3 }));
    await expect(loadDataset(broken)).rejects.toThrow(
      `${join(broken, 'manifest.json')} is not a valid dataset manifest: count is 3 but items lists 2; import again`,
    );
    await writeFile(join(broken, 'manifest.json'), JSON.stringify({ ...parsed, channels: 4 }));
    await expect(loadDataset(broken)).rejects.toThrow('channels 4 is not 1 or 3');
  });
});
