import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadDataset } from '../../src-main/dataset/index.js';
import { splitIndices, type ImageBatch } from '../../src-main/engine/index.js';
import { runGeneration, runImport, runTraining } from '../../src-main/jobs/index.js';
import { EXTRA_DRAWS_PER_IMAGE } from '../../src-main/jobs/generationFilter.js';
import { tempDir, writeSquares } from '../helpers/tinyData.js';

/**
 * The copy detector, stubbed: a test plants the indices that count as near-copies. The stub knows an image's
 * index by its pixels (the nearest of the reference images, decoded beforehand without the option), so what it
 * judges is what the job decoded, and it records every index it was asked about. With `trainingImage` set, the
 * real detector judges instead, and the planted indices' images are replaced by that training image first.
 */
const stub = vi.hoisted(() => ({
  copies: new Set<number>(),
  reference: [] as Uint8Array[],
  judged: [] as number[],
  loads: 0,
  trainingImage: null as Uint8Array | null,
}));

vi.mock('../../src-main/jobs/quality/copyDetector.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src-main/jobs/quality/copyDetector.js')>();
  return {
    ...real,
    loadCopyDetector: async (...args: Parameters<typeof real.loadCopyDetector>) => {
      stub.loads++;
      if (stub.trainingImage) {
        const detector = await real.loadCopyDetector(...args);
        return {
          ...detector,
          threshold: detector.threshold,
          check: (images: ImageBatch, signal?: AbortSignal) => {
            const n = images.size * images.size * images.channels;
            const pixels = images.pixels.slice();
            for (let k = 0; k < images.count; k++) {
              const index = nearestReference(images.pixels.subarray(k * n, (k + 1) * n));
              stub.judged.push(index);
              if (stub.copies.has(index)) pixels.set(stub.trainingImage!, k * n);
            }
            return detector.check({ ...images, pixels }, signal);
          },
        };
      }
      return {
        threshold: 0.5,
        rule: 'planted',
        check: (images: ImageBatch) => {
          const n = images.size * images.size * images.channels;
          return Promise.resolve(
            Array.from({ length: images.count }, (_, k) => {
              const index = nearestReference(images.pixels.subarray(k * n, (k + 1) * n));
              stub.judged.push(index);
              const copy = stub.copies.has(index);
              return { trainingIndex: 3, training: 'a/img-0006.png', distance: copy ? 0.25 : 2, copy };
            }),
          );
        },
        dispose: () => undefined,
      };
    },
  };
});

function nearestReference(pixels: Uint8Array): number {
  let best = -1;
  let bestDistance = Infinity;
  stub.reference.forEach((ref, index) => {
    let d = 0;
    for (let i = 0; i < ref.length; i++) d += Math.abs(ref[i]! - pixels[i]!);
    if (d < bestDistance) [best, bestDistance] = [index, d];
  });
  return best;
}

/** The one band of a grayscale image file (libvips would hand it back as sRGB). */
async function grayPixels(file: string | Buffer): Promise<Uint8Array> {
  return new Uint8Array(await sharp(file).toColourspace('b-w').raw().toBuffer());
}

interface Row {
  file: string;
  index: number;
  seed: number;
}
interface Rejected {
  index: number;
  seed: number;
  training: string;
  distance: number;
  threshold: number;
  weightsSha256: string;
}

async function lines<T>(path: string): Promise<T[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);
}

/** The indices the folder's files, manifest rows and rejected rows name; files and rows must agree. */
async function folderIndices(out: string): Promise<{ written: number[]; rejected: number[] }> {
  const rows = await lines<Row>(join(out, 'manifest.jsonl'));
  const files = (await readdir(out)).filter((n) => /^sample-.*\.png$/.test(n)).sort();
  expect(rows.map((r) => r.file).sort()).toEqual(files);
  const rejected = await lines<Rejected>(join(out, 'rejected.jsonl'));
  return { written: rows.map((r) => r.index), rejected: rejected.map((r) => r.index) };
}

const REFERENCE = 40;
const SEED = 5;
let project: string;

beforeAll(async () => {
  const images = join(await tempDir(), 'images');
  await writeSquares(images, 32);
  project = join(await tempDir(), 'project');
  await runImport({ folder: images, project, size: 16, channels: 1, fit: 'cover' });
  await runTraining({
    project,
    backend: 'cpu',
    settings: {
      latentDim: 4,
      width: 4,
      epochs: 2,
      batchSize: 8,
      seed: 1,
      valFraction: 0.25,
      conditional: false,
    },
  });
  // The images of the seed as a run without the option writes them: what the stub recognises.
  const reference = join(await tempDir(), 'reference');
  // The prior: on a model this small the fitted mixture's images are too alike for the stub to tell apart.
  const run = await runGeneration({
    project,
    out: reference,
    count: REFERENCE,
    seed: SEED,
    sampler: 'prior',
    backend: 'cpu',
  });
  expect([run.count, run.rejected]).toEqual([REFERENCE, 0]);
  for (const file of run.files) stub.reference.push(await grayPixels(file));
  // Each image must be told from every other one for the stub to know it.
  stub.reference.forEach((pixels, index) => expect(nearestReference(pixels)).toBe(index));
}, 60_000);

const gen = (out: string, more: Partial<Parameters<typeof runGeneration>[0]> = {}) =>
  runGeneration({
    project,
    out,
    count: 6,
    seed: SEED,
    batchSize: 4,
    rejectCopies: true,
    sampler: 'prior',
    backend: 'cpu',
    ...more,
  });

function plant(...indices: number[]): void {
  stub.trainingImage = null;
  stub.copies = new Set(indices);
  stub.judged = [];
  stub.loads = 0;
}

describe('a generation that leaves out near-copies', () => {
  it('writes exactly count images, none of them a planted copy, and lists the copies in rejected.jsonl', async () => {
    plant(1, 4, 5);
    const out = join(await tempDir(), 'gen');
    const result = await gen(out);
    expect([result.count, result.alreadyThere, result.rejected]).toEqual([6, 0, 3]);
    expect(await folderIndices(out)).toEqual({ written: [0, 2, 3, 6, 7, 8], rejected: [1, 4, 5] });
    expect(stub.judged).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    // Each file is the image of its index: the same bytes a run without the option wrote.
    const again = await readFile(join(out, 'sample-s5-000006.png'));
    expect(await grayPixels(again)).toEqual(stub.reference[6]);
    const [row] = await lines<Rejected>(join(out, 'rejected.jsonl'));
    expect(row).toMatchObject({
      index: 1,
      seed: SEED,
      training: 'a/img-0006.png',
      distance: 0.25,
      threshold: 0.5,
    });
    expect(row!.weightsSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('continued after a stop, neither rewrites what it wrote nor judges again what it left out', async () => {
    plant(1, 4, 5);
    const out = join(await tempDir(), 'gen');
    await gen(out);
    const manifest = await readFile(join(out, 'manifest.jsonl'), 'utf8');
    const rejected = await readFile(join(out, 'rejected.jsonl'), 'utf8');
    const first = await readFile(join(out, 'sample-s5-000000.png'));
    // Stopped after writing 0, 2, 3 and leaving out 1 (and half-way through the row of 4).
    const cut = (text: string, keep: number, torn = '') =>
      text.split('\n').slice(0, keep).join('\n') + '\n' + torn;
    await writeFile(join(out, 'manifest.jsonl'), cut(manifest, 3));
    await writeFile(join(out, 'rejected.jsonl'), cut(rejected, 1, '{"index":4,"se'));
    for (const index of [6, 7, 8]) await rm(join(out, `sample-s5-00000${index}.png`));

    plant(1, 4, 5);
    const resumed = await gen(out);
    expect([resumed.count, resumed.alreadyThere, resumed.rejected]).toEqual([3, 3, 3]);
    expect(stub.judged).toEqual([4, 5, 6, 7, 8]);
    expect(await readFile(join(out, 'sample-s5-000000.png'))).toEqual(first);
    expect(await readFile(join(out, 'manifest.jsonl'), 'utf8')).toBe(manifest);
    expect(await readFile(join(out, 'rejected.jsonl'), 'utf8')).toBe(rejected);

    // The same command once more finds everything done and does not even load the detector.
    plant(1, 4, 5);
    const done = await gen(out);
    expect([done.count, done.alreadyThere, done.rejected, stub.loads]).toEqual([0, 6, 3, 0]);
    expect(await folderIndices(out)).toEqual({ written: [0, 2, 3, 6, 7, 8], rejected: [1, 4, 5] });
  });

  it("removes a leftover file under a near-copy's name, and says nothing of copies without the option", async () => {
    plant(2);
    const out = join(await tempDir(), 'gen');
    await gen(out, { rejectCopies: false, count: 3 });
    // Without the option nothing is judged, and image 2 is written.
    expect([stub.loads, stub.judged]).toEqual([0, []]);
    const lines3 = (await readFile(join(out, 'manifest.jsonl'), 'utf8')).split('\n');
    // A run killed between image 2's file and its row.
    await writeFile(join(out, 'manifest.jsonl'), lines3.slice(0, 2).join('\n') + '\n');
    const result = await gen(out, { count: 3 });
    expect([result.count, result.alreadyThere, result.rejected]).toEqual([1, 2, 1]);
    expect(await folderIndices(out)).toEqual({ written: [0, 1, 3], rejected: [2] });
  });

  it(`stops after drawing ${EXTRA_DRAWS_PER_IMAGE + 1}× the count, keeping what it wrote, the same way every time`, async () => {
    const count = 2;
    const limit = count * (EXTRA_DRAWS_PER_IMAGE + 1);
    plant(...Array.from({ length: REFERENCE }, (_, i) => i).filter((i) => i !== 3));
    const out = join(await tempDir(), 'gen');
    const stop = await gen(out, { count }).then(
      () => null,
      (err: { code: string; message: string }) => err,
    );
    expect(stop?.code).toBe('TOO_MANY_COPIES');
    expect(stop?.message).toContain(
      `holds 1 of the 2 images asked for: ${limit - 1} of the ${limit} images drawn`,
    );
    expect(await folderIndices(out)).toEqual({
      written: [3],
      rejected: Array.from({ length: limit }, (_, i) => i).filter((i) => i !== 3),
    });
    stub.judged = [];
    const again = await gen(out, { count }).catch((err: { code: string }) => err.code);
    expect([again, stub.judged]).toEqual(['TOO_MANY_COPIES', []]);
  });

  it('refuses to continue a seed whose near-copies another temperature judged', async () => {
    plant(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
    const out = join(await tempDir(), 'gen');
    await gen(out, { count: 1 }).catch(() => undefined);
    expect((await folderIndices(out)).written).toEqual([]);
    const refused = await gen(out, { count: 1, temperature: 0.5 }).catch(
      (err: { code: string; message: string }) => err,
    );
    expect(refused).toMatchObject({ code: 'OUTPUT_EXISTS' });
    expect((refused as { message: string }).message).toContain(
      'already holds 11 near-copies left out (rejected.jsonl) of seed 5 made with temperature 1',
    );
  });

  it("with the quality report's own detector, leaves out an image that is a training image", async () => {
    const { manifest, images } = await loadDataset(join(project, 'dataset'));
    const trainingIndex = splitIndices(images.count, 0.25, 1).train[0]!;
    const n = images.size * images.size * images.channels;
    plant(2);
    stub.trainingImage = images.pixels.slice(trainingIndex * n, (trainingIndex + 1) * n);
    const out = join(await tempDir(), 'gen');
    const result = await gen(out, { count: 4, backend: 'wasm' });
    expect([result.count, result.rejected]).toEqual([4, 1]);
    expect(await folderIndices(out)).toEqual({ written: [0, 1, 3, 4], rejected: [2] });
    const [row] = await lines<Rejected>(join(out, 'rejected.jsonl'));
    expect(row!.training).toBe(manifest.items[trainingIndex]!.path);
    expect(row!.distance).toBeLessThan(row!.threshold);
  });
});
