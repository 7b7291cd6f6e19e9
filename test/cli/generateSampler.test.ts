import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runImport, runTraining } from '../../src-main/jobs/index.js';
import { runCli } from '../helpers/cli.js';
import { tempDir, writeSquares } from '../helpers/tinyData.js';

let project: string;

beforeAll(async () => {
  const images = join(await tempDir(), 'images');
  await writeSquares(images, 32);
  project = join(await tempDir(), 'p');
  await runImport({ folder: images, project, size: 16, channels: 1, fit: 'cover' });
  await runTraining({
    project,
    backend: 'wasm',
    settings: {
      latentDim: 3,
      width: 4,
      epochs: 2,
      batchSize: 16,
      seed: 2,
      valFraction: 0.25,
      conditional: false,
    },
  });
});

async function generate(out: string, more: string[]) {
  const run = await runCli(['generate', '--project', project, '--out', out, '--backend', 'wasm', ...more]);
  expect(run.code).toBe(0);
  return run;
}

interface Row {
  file: string;
  index: number;
  seed: number;
  sampler: string;
  samplerSha256?: string;
}

async function rows(out: string): Promise<Row[]> {
  return (await readFile(join(out, 'manifest.jsonl'), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Row);
}

describe('vae-studio generate --sampler', () => {
  it('lists the choice in --help with gmm as the default', async () => {
    const help = await runCli(['generate', '--help']);
    expect(help.stdout).toMatch(/--sampler <gmm\|prior> +where the latents come from: .*\(default gmm\)/);
  });

  it('regenerates image i byte-identically with --sampler gmm --seed S --start i --count 1', async () => {
    const out = join(await tempDir(), 'gen');
    const first = await generate(out, ['--count', '8', '--seed', '7', '--sampler', 'gmm']);
    // The log says the fit happens once, on first use.
    expect(first.stderr).toContain('fitting the mixture sampler (10 components, full covariances)');
    const row = (await rows(out))[5]!;
    expect(row).toMatchObject({ index: 5, seed: 7, sampler: 'gmm' });
    const again = join(await tempDir(), 'again');
    const second = await generate(again, [
      '--sampler',
      row.sampler,
      '--seed',
      String(row.seed),
      '--start',
      String(row.index),
      '--count',
      '1',
    ]);
    expect(second.stderr).not.toContain('fitting the mixture sampler');
    expect((await rows(again))[0]).toEqual(row);
    expect(await readFile(join(again, row.file))).toEqual(await readFile(join(out, row.file)));
  });

  it('refuses a second sampler for a seed of the folder, naming both, and exits with OUTPUT_EXISTS', async () => {
    const out = join(await tempDir(), 'gen');
    await generate(out, ['--count', '2', '--sampler', 'prior']);
    const run = await runCli([
      'generate',
      '--project',
      project,
      '--out',
      out,
      '--count',
      '2',
      '--backend',
      'wasm',
    ]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('made with the prior sampler (this run: gmm); nothing was written');
  });
});
