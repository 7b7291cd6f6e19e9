import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { runImport, runTraining } from '../../src-main/jobs/index.js';
import { tempDir, writeSquares } from '../helpers/tinyData.js';

const cli = fileURLToPath(new URL('../../bin/vae-studio.js', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../../out/main/cli/index.js', import.meta.url)));
const COUNT = 200;
const KILLS = 20;

/** `vae-studio generate` of COUNT images into `out`, with the fault plan and log `env` gives. */
function generate(project: string, out: string, env: Record<string, string> = {}) {
  return spawnSync(
    process.execPath,
    [
      cli,
      'generate',
      '--project',
      project,
      '--count',
      String(COUNT),
      // Batches of 16 give the per-batch sync a dozen places to be killed at.
      '--batch',
      '16',
      '--out',
      out,
      '--backend',
      'cpu',
      '--json',
    ],
    { env: { ...process.env, ...env }, encoding: 'utf8' },
  );
}

interface Row {
  file: string;
  index: number;
  seed: number;
}

const readOrEmpty = (path: string) => readFile(path, 'utf8').catch(() => '');

/**
 * What must hold after any kill: every row names a whole file (it decodes), each (seed, index) once, the csv the
 * same rows; at most one image file is not listed yet (written just before the kill: its row would have come
 * next), and at most one hidden temporary file is left. Returns the listed names and the unlisted one; decodes
 * only the files not in `checked` (a listed file never changes).
 */
async function expectWhole(
  out: string,
  checked: Set<string>,
): Promise<{ listed: string[]; unlisted: string | undefined }> {
  const names = await readdir(out);
  const rows = (await readOrEmpty(join(out, 'manifest.jsonl')))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Row);
  const listed = rows.map((r) => r.file);
  const images = names.filter((n) => n.startsWith('sample-'));
  expect(images).toEqual(expect.arrayContaining(listed));
  const unlisted = images.filter((n) => !listed.includes(n));
  expect(unlisted.length).toBeLessThanOrEqual(1);
  expect(new Set(rows.map((r) => `${r.seed}:${r.index}`)).size).toBe(rows.length);
  const csv = (await readOrEmpty(join(out, 'manifest.csv'))).trim().split('\n').slice(1);
  expect(csv.map((l) => l.split(',')[0])).toEqual(listed);
  const others = names.filter((n) => !n.startsWith('sample-') && !n.startsWith('manifest.'));
  expect(others.length).toBeLessThanOrEqual(1);
  for (const n of others) expect(n).toMatch(/^\.(sample-s0-\d{6}\.png|manifest\.csv)\.[0-9a-f]{12}\.tmp$/);
  for (const file of [...listed, ...unlisted]) {
    if (checked.has(file)) continue;
    const { info } = await sharp(join(out, file)).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([16, 16]);
    if (listed.includes(file)) checked.add(file);
  }
  return { listed, unlisted: unlisted[0] };
}

describe.skipIf(!built)('a generation killed at any write point', () => {
  let project: string;
  beforeAll(async () => {
    const images = join(await tempDir(), 'images');
    await writeSquares(images, 24);
    project = join(await tempDir(), 'p');
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

  it(`leaves a manifest that lists exactly its whole files after each of ${KILLS} kills, and a re-run completes it`, async () => {
    const scratch = await tempDir();
    // An uninterrupted run counts the points and gives the images the killed runs must end up with.
    const log = join(scratch, 'points.log');
    const whole = join(scratch, 'whole');
    expect(generate(project, whole, { VAE_STUDIO_FAULT_LOG: log }).status).toBe(0);
    const points = (await readFile(log, 'utf8')).trim().split('\n');
    const kinds = new Set(points);
    for (const p of ['generate-image-write', 'generate-image-rename', 'generate-manifest-row'])
      expect(kinds).toContain(p);
    expect(kinds).toContain('generate-manifest-sync');

    // The kills come one after another into one folder, as a user re-running a crashed command would: the
    // first three in the start-up (the csv's rebuild), the rest spread over the images, each at another kind of
    // point (the step is not a multiple of the three points an image has).
    const out = join(scratch, 'killed');
    const step = Math.floor((points.length - 10) / (KILLS + 8));
    const spread = Array.from({ length: KILLS - 4 }, (_, k) => `*:${step + (k % 7)}`);
    const plan = ['*:1', '*:2', '*:3', ...spread.slice(0, 8), 'generate-manifest-sync:1', ...spread.slice(8)];
    const checked = new Set<string>();
    const reached = new Set<string>();
    let listed: string[] = [];
    let unlisted: string | undefined;
    let completed = 0;
    for (const [k, at] of plan.entries()) {
      const runLog = join(scratch, `run-${k}.log`);
      const run = generate(project, out, { VAE_STUDIO_FAULT: at, VAE_STUDIO_FAULT_LOG: runLog });
      expect(run.signal).toBe('SIGKILL');
      const diedAt = (await readFile(runLog, 'utf8')).trim().split('\n').at(-1)!;
      reached.add(diedAt);
      const before = unlisted;
      ({ listed, unlisted } = await expectWhole(out, checked));
      // The file the previous kill left unlisted was completed by this run, not copied.
      if (before) expect(listed).toContain(before);
      if (before) completed += 1;
    }
    expect(completed).toBeGreaterThan(0);
    // Every kind of point was a place of death, and the killed runs got somewhere.
    expect([...reached].sort()).toEqual([...kinds].sort());
    expect(listed.length).toBeGreaterThan(COUNT / 3);
    expect(listed.length).toBeLessThan(COUNT);

    const last = generate(project, out);
    expect(last.status).toBe(0);
    const result = JSON.parse(last.stdout.trim().split('\n').at(-1)!) as {
      count: number;
      alreadyThere: number;
    };
    expect(result.count + result.alreadyThere).toBe(COUNT);
    expect(result.alreadyThere).toBe(listed.length);
    const final = (await expectWhole(out, checked)).listed;
    expect(final).toHaveLength(COUNT);
    expect((await readdir(out)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    const expected = Array.from({ length: COUNT }, (_, i) => `sample-s0-${String(i).padStart(6, '0')}.png`);
    expect(final.slice().sort()).toEqual(expected);
    // Killed four and twenty times or not at all, the folder holds the same images.
    for (const name of expected)
      expect((await readFile(join(out, name))).equals(await readFile(join(whole, name)))).toBe(true);
  });
});
