import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { runGeneration, runImport, runTraining } from '../../src-main/jobs/index.js';
import { tempDir, writeSquares } from '../helpers/tinyData.js';

/** Set by a test to make the n-th image rename, or the n-th manifest row, fail as a full disk would. */
const diskFull = vi.hoisted(() => ({ renameAt: 0, rowAt: 0, renames: 0, rows: 0 }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  return {
    ...fs,
    rename: async (from: string, to: string) => {
      if (diskFull.renameAt && /sample-.*\.png$/.test(to) && ++diskFull.renames === diskFull.renameAt)
        throw enospc();
      return fs.rename(from, to);
    },
    open: async (...args: Parameters<typeof fs.open>) => {
      const handle = await fs.open(...args);
      if (!String(args[0]).endsWith('manifest.jsonl')) return handle;
      const writeFileOf = handle.writeFile.bind(handle);
      // A full disk takes half the line, then refuses the rest.
      handle.writeFile = async (data: Parameters<typeof handle.writeFile>[0]) => {
        if (diskFull.rowAt && ++diskFull.rows === diskFull.rowAt) {
          await writeFileOf(String(data).slice(0, 10));
          throw enospc();
        }
        return writeFileOf(data);
      };
      return handle;
    },
  };
});

interface Row {
  file: string;
  index: number;
  seed: number;
  weightsSha256: string;
}

async function rows(out: string): Promise<Row[]> {
  const text = await readFile(join(out, 'manifest.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Row);
}

/** The image files, temporary files and csv rows of `out`, next to the manifest's rows: they must agree. */
async function expectManifestMatchesFiles(out: string): Promise<Row[]> {
  const names = await readdir(out);
  const listed = await rows(out);
  const images = names.filter((n) => /^sample-.*\.(png|jpg|webp)$/.test(n)).sort();
  expect(listed.map((r) => r.file).sort()).toEqual(images);
  expect(new Set(listed.map((r) => `${r.seed}:${r.index}`)).size).toBe(listed.length);
  expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([]);
  const csv = (await readFile(join(out, 'manifest.csv'), 'utf8')).trim().split('\n');
  expect(csv.slice(1).map((l) => l.split(',')[0])).toEqual(listed.map((r) => r.file));
  return listed;
}

/** The error `run` fails with (a test fails if it does not). */
async function failure(run: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await run;
  } catch (err) {
    return err as { code?: string; message: string };
  }
  throw new Error('expected the run to fail');
}

let project: string;

beforeAll(async () => {
  const images = join(await tempDir(), 'images');
  await writeSquares(images, 24);
  project = join(await tempDir(), 'project');
  await runImport({ folder: images, project, size: 16, channels: 1, fit: 'cover' });
  await runTraining({
    project,
    backend: 'cpu',
    settings: {
      latentDim: 2,
      width: 4,
      epochs: 1,
      batchSize: 8,
      seed: 1,
      valFraction: 0.25,
      conditional: false,
    },
  });
});

// The prior: on a model this small the fitted mixture's images are too alike for the foreign-file checks.
const gen = (out: string, more: Partial<Parameters<typeof runGeneration>[0]> = {}) =>
  runGeneration({ project, out, count: 6, seed: 5, batchSize: 4, sampler: 'prior', backend: 'cpu', ...more });

describe('a generation run again into its folder', () => {
  it('with the same settings writes nothing and says all were already there; a longer run adds the rest', async () => {
    const out = join(await tempDir(), 'gen');
    const first = await gen(out);
    const bytes = await readFile(first.files[2]!);
    const again = await gen(out);
    expect([again.count, again.alreadyThere, again.files]).toEqual([0, 6, []]);
    expect(await readFile(first.files[2]!)).toEqual(bytes);
    const longer = await gen(out, { count: 9 });
    expect([longer.count, longer.alreadyThere]).toEqual([3, 6]);
    const listed = await expectManifestMatchesFiles(out);
    expect(listed.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect((await readdir(out)).filter((n) => /^sample-s5-\d{6}-\d+\.png$/.test(n))).toEqual([]);
  });

  it('completes a file the kill left without its row, cuts a torn last row and removes temporary files', async () => {
    const out = join(await tempDir(), 'gen');
    await gen(out);
    const full = await readFile(join(out, 'manifest.jsonl'), 'utf8');
    const lines = full.split('\n').filter(Boolean);
    // Killed after image 4's file, and half-way through image 5's row, with a temporary file in flight.
    await writeFile(
      join(out, 'manifest.jsonl'),
      lines.slice(0, 4).join('\n') + '\n' + lines[5]!.slice(0, 30),
    );
    await writeFile(join(out, '.sample-s5-000006.png.0a1b2c3d4e5f.tmp'), '');
    const image4 = await readFile(join(out, 'sample-s5-000004.png'));
    const resumed = await gen(out);
    expect([resumed.count, resumed.alreadyThere]).toEqual([2, 4]);
    expect(await readFile(join(out, 'sample-s5-000004.png'))).toEqual(image4);
    expect(await readFile(join(out, 'manifest.jsonl'), 'utf8')).toBe(full);
    expect((await expectManifestMatchesFiles(out)).length).toBe(6);
  });

  it('replaces an empty unlisted file under an image name, and refuses to overwrite a different image', async () => {
    const out = join(await tempDir(), 'gen');
    await mkdir(out);
    await writeFile(join(out, 'sample-s5-000001.png'), '');
    const result = await gen(out);
    expect(result.count).toBe(6);
    await expectManifestMatchesFiles(out);

    const other = join(await tempDir(), 'other');
    await mkdir(other);
    const foreign = await readFile(result.files[3]!);
    await writeFile(join(other, 'sample-s5-000000.png'), foreign);
    const refused = await failure(gen(other));
    expect(refused.code).toBe('OUTPUT_EXISTS');
    expect(refused.message).toContain('nothing was overwritten');
    expect(await readFile(join(other, 'sample-s5-000000.png'))).toEqual(foreign);
    expect(await rows(other)).toEqual([]);
  });

  it('with another seed adds rows beside the others; another temperature or format of a seed is refused', async () => {
    const out = join(await tempDir(), 'gen');
    await gen(out);
    await writeFile(join(out, 'notes.txt'), 'mine');
    const other = await gen(out, { seed: 6, count: 3 });
    expect([other.count, other.alreadyThere]).toEqual([3, 0]);
    expect(await readFile(join(out, 'notes.txt'), 'utf8')).toBe('mine');
    expect((await expectManifestMatchesFiles(out)).length).toBe(9);
    await expect(gen(out, { temperature: 0.5 })).rejects.toMatchObject({
      code: 'OUTPUT_EXISTS',
      message: `${out} already holds 6 images of seed 5 made with temperature 1 (this run: 0.5); nothing was written. Generate into another folder, or with another seed.`,
    });
    await expect(gen(out, { format: 'webp' })).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    expect((await expectManifestMatchesFiles(out)).length).toBe(9);
  });
});

describe('a write that fails', () => {
  it('stops at a folder under an image name, with a message naming it; the manifest lists exactly the files', async () => {
    const out = join(await tempDir(), 'gen');
    await mkdir(join(out, 'sample-s5-000003.png'), { recursive: true });
    const folderThere = await failure(gen(out));
    expect(folderThere.code).toBe('IS_A_FOLDER');
    expect(folderThere.message).toContain(join(out, 'sample-s5-000003.png'));
    expect(folderThere.message).toContain(
      'the 3 images written so far are listed in manifest.jsonl, and running the same generation again continues from there',
    );
    const names = await readdir(out);
    expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect((await rows(out)).map((r) => r.file)).toEqual([0, 1, 2].map((i) => `sample-s5-00000${i}.png`));
  });

  it('stops on a full disk, writing an image or its row, and says so; a re-run continues', async () => {
    for (const at of [{ renameAt: 4 }, { rowAt: 4 }]) {
      const out = join(await tempDir(), 'gen');
      Object.assign(diskFull, { renameAt: 0, rowAt: 0, renames: 0, rows: 0 }, at);
      try {
        const full = await failure(gen(out));
        expect(full.code).toBe('DISK_FULL');
        expect(full.message).toMatch(
          new RegExp(
            `^no space left on the disk holding ${out}.* while writing ${out}/sample-s5-00000\\d\\.png`,
          ),
        );
        expect(full.message).toContain('the 3 images written so far are listed in manifest.jsonl');
      } finally {
        Object.assign(diskFull, { renameAt: 0, rowAt: 0 });
      }
      expect((await expectManifestMatchesFiles(out)).length).toBe(3);
      const resumed = await gen(out);
      expect([resumed.count, resumed.alreadyThere]).toEqual([3, 3]);
      expect((await expectManifestMatchesFiles(out)).length).toBe(6);
    }
  });
});

describe('a generation after the model changed', () => {
  it('is refused for a seed the folder holds images of from the old model, and allowed for a new seed', async () => {
    const out = join(await tempDir(), 'gen');
    await gen(out, { count: 2 });
    await runTraining({ project, backend: 'cpu', resume: true, settings: { epochs: 2 } });
    const mixed = await failure(gen(out));
    expect(mixed.code).toBe('OUTPUT_EXISTS');
    expect(mixed.message).toMatch(
      /already holds 2 images of seed 5 made with another model \(weights \w{12}…, epoch 1; the project's model is now \w{12}…, epoch 2\)/,
    );
    const fresh = await gen(out, { seed: 9, count: 2 });
    expect(fresh.count).toBe(2);
    const listed = await expectManifestMatchesFiles(out);
    expect(new Set(listed.map((r) => r.weightsSha256)).size).toBe(2);
  });
});
