import { createHash } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { IMAGES_FILE } from '../../src-main/dataset/index.js';
import { runElboParity, writeShapeSplits, type PeerSettings } from '../../src-main/jobs/bench/index.js';
import { runImport } from '../../src-main/jobs/index.js';
import { tempDir } from '../helpers/tinyData.js';

async function hashes(folder: string): Promise<string[]> {
  const names = (await readdir(folder)).sort();
  return Promise.all(
    names.map(async (n) =>
      createHash('sha256')
        .update(await readFile(join(folder, n)))
        .digest('hex'),
    ),
  );
}

describe('the −ELBO parity dataset', () => {
  it('is the same bytes for the same seed, in flat folders of numbered PNGs, with no duplicates', async () => {
    const a = await writeShapeSplits(await tempDir(), { train: 30, test: 10, seed: 0 });
    const b = await writeShapeSplits(await tempDir(), { train: 30, test: 10, seed: 0 });
    expect((await readdir(a.train)).sort().slice(0, 2)).toEqual(['shape-000000.png', 'shape-000001.png']);
    expect(await readdir(a.test)).toHaveLength(10);
    const all = [...(await hashes(a.train)), ...(await hashes(a.test))];
    expect(all).toEqual([...(await hashes(b.train)), ...(await hashes(b.test))]);
    expect(new Set(all).size).toBe(40);
    const other = await writeShapeSplits(await tempDir(), { train: 30, test: 10, seed: 1 });
    expect(await hashes(other.train)).not.toEqual(await hashes(a.train));
  });

  it('is imported byte for byte as drawn (28×28, one channel), so the peer and ours see the same pixels', async () => {
    const dir = await tempDir();
    const { train } = await writeShapeSplits(dir, { train: 12, test: 1, seed: 0 });
    const project = join(dir, 'project');
    const report = await runImport({ folder: train, project, size: 28, channels: 1, fit: 'cover' });
    expect(report.imported).toBe(12);
    const cache = await readFile(join(report.datasetDir, IMAGES_FILE));
    const names = (await readdir(train)).sort();
    for (const [i, name] of names.entries()) {
      const file = sharp(join(train, name));
      const meta = await file.metadata();
      expect([meta.width, meta.height, meta.channels, meta.space]).toEqual([28, 28, 1, 'b-w']);
      // sharp hands a grey file out as sRGB with R = G = B; one of them is the stored grey level.
      const data = await file.extractChannel(0).raw().toBuffer();
      expect(Buffer.compare(cache.subarray(i * 784, (i + 1) * 784), data)).toBe(0);
    }
    const brightest = Math.max(...cache);
    expect(brightest).toBeGreaterThanOrEqual(150); // shapes, not a blank cache
  });
});

/** node standing in for Python: answers like `torch_vae.py fit`, counting the PNGs it was pointed at. */
let fakePeer: PeerSettings;
beforeAll(async () => {
  const script = join(await tempDir(), 'fake_torch_vae.mjs');
  await writeFile(
    script,
    `import { readdirSync } from 'node:fs';
const a = process.argv.slice(2);
const get = (k) => a[a.indexOf(k) + 1];
const count = (d) => readdirSync(d).filter((n) => n.endsWith('.png')).length;
console.log(JSON.stringify({ peer: 'pytorch fake', arch: get('--arch'), epochs: Number(get('--epochs')), train_s: 2,
  test_neg_elbo_nats: 400.25, n_train: count(get('--train')), n_test: count(get('--test')) }));
`,
  );
  fakePeer = { python: process.execPath, script };
});

describe('the −ELBO parity run', () => {
  it('trains ours on the train folder, evaluates on the test folder, and subtracts the peer figure', async () => {
    const dir = join(await tempDir(), 'parity');
    const result = await runElboParity({
      backend: 'wasm',
      epochs: 1,
      trainImages: 20,
      testImages: 6,
      dir,
      peer: fakePeer,
    });
    expect(result.settings).toEqual({
      arch: 'std28',
      latentDim: 16,
      batchSize: 64,
      learningRate: 0.001,
      epochs: 1,
      seed: 0,
      trainImages: 20,
      testImages: 6,
      dir,
    });
    expect(result.ours.test.negElbo).toBeGreaterThan(0);
    expect(result.ours.test.negElbo).toBeCloseTo(result.ours.test.reconstruction + result.ours.test.kl, 6);
    expect(result.peer).toMatchObject({ available: true, version: 'pytorch fake', testNegElbo: 400.25 });
    expect(result.difference).toBeCloseTo(result.ours.test.negElbo - 400.25, 10);
    expect(result.peer.command).toMatch(
      /fit --arch std28 --latent 16 --batch 64 --lr 0.001 --epochs 1 --seed 0 --device cpu --train <data>\/train --test <data>\/test$/,
    );
    expect((await readdir(dir)).sort()).toEqual(['project', 'test', 'train']);
  });

  it('without the peer reports ours alone, and removes its temporary data', async () => {
    const result = await runElboParity({
      backend: 'wasm',
      epochs: 1,
      trainImages: 8,
      testImages: 4,
      peer: null,
    });
    expect(result.peer.available).toBe(false);
    expect(result.difference).toBeNull();
    expect(result.settings.dir).toBeNull();
    expect(Number.isFinite(result.ours.test.negElbo)).toBe(true);
  });
});
