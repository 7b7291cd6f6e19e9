import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runImport, runTraining } from '../../src-main/jobs/index.js';
import { runCli } from '../helpers/cli.js';
import { tempDir, writeSquares } from '../helpers/tinyData.js';

let images: string;

/** A tiny trained project; `valFraction` 0 trains on every image, with no held-out split. */
async function trainedProject(valFraction: number): Promise<string> {
  const project = join(await tempDir(), 'p');
  await runImport({ folder: images, project, size: 16, channels: 1, fit: 'cover' });
  await runTraining({
    project,
    backend: 'wasm',
    settings: { latentDim: 3, width: 4, epochs: 2, batchSize: 16, seed: 2, valFraction, conditional: false },
  });
  return project;
}

interface GenerateResult {
  event: string;
  command: string;
  count: number;
  alreadyThere: number;
  rejected: number;
  files: string[];
}

async function generate(project: string, count: number, more: string[] = []) {
  const out = join(await tempDir(), 'gen');
  const argv = ['generate', '--project', project, '--out', out, '--count', String(count)];
  const run = await runCli([...argv, '--reject-copies', '--backend', 'wasm', ...more]);
  return { out, run };
}

async function pngs(out: string): Promise<string[]> {
  return (await readdir(out)).filter((f) => f.endsWith('.png'));
}

beforeAll(async () => {
  images = join(await tempDir(), 'images');
  await writeSquares(images, 32);
});

describe('vae-studio generate --reject-copies', () => {
  it('lists the switch in --help', async () => {
    const help = await runCli(['generate', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--reject-copies +an image the quality report would call a near-copy/);
  });

  it('with --json ends with a result that counts the near-copies left out, and writes count files', async () => {
    const project = await trainedProject(0.25);
    const { out, run } = await generate(project, 5, ['--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as GenerateResult;
    expect(result).toMatchObject({ event: 'result', command: 'generate', count: 5, alreadyThere: 0 });
    expect(Number.isInteger(result.rejected) && result.rejected >= 0).toBe(true);
    expect(await pngs(out)).toHaveLength(5);
    const rejected = (await readFile(join(out, 'rejected.jsonl'), 'utf8')).split('\n').filter(Boolean);
    expect(rejected).toHaveLength(result.rejected);
    // Image i is still the image of (seed, index): the files are the first 5 indices not left out.
    const left = new Set(rejected.map((l) => (JSON.parse(l) as { index: number }).index));
    const indices = Array.from({ length: 5 + left.size }, (_, i) => i).filter((i) => !left.has(i));
    expect((await pngs(out)).sort()).toEqual(
      indices.map((i) => `sample-s0-${String(i).padStart(6, '0')}.png`),
    );
  });

  it('works on a model trained without a validation split, and says how many it left out', async () => {
    const project = await trainedProject(0);
    const { out, run } = await generate(project, 4);
    expect(run.stderr).not.toMatch(/vae-studio:/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/wrote 4 images to .* left out \d+ near-cop(y|ies) of training images/);
    expect(await pngs(out)).toHaveLength(4);
  });
});
