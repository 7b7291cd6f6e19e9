import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir, writeSquares } from '../helpers/tinyData.js';
import { runCli } from '../helpers/cli.js';
import { onnxRuntime } from '../../src-main/engine/node/index.js';

const run = runCli;

let images: string;
beforeAll(async () => {
  images = join(await tempDir(), 'images');
  await writeSquares(images, 32);
});

describe('vae-studio command line', () => {
  it('lists every command in --help and exits 0', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    for (const c of ['import', 'train', 'generate', 'interpolate', 'eval', 'info', 'bench', 'demo']) {
      expect(stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    }
  });

  it("shows a command's options with their defaults", async () => {
    const { code, stdout } = await run(['train', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('--latent <n>');
    expect(stdout).toContain('--beta <x>');
    expect(stdout).toMatch(/--backend <auto\|tensorflow\|webgpu\|wasm\|cpu>.*default auto/);
  });

  it('exits 2 with a message naming the option on a usage error', async () => {
    const bad = await run(['train', '--project', 'x', '--latent', 'many']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--latent: expected a whole number from 1 to 512, got "many"');
    const unknown = await run(['train', '--project', 'x', '--lattent', '3']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/lattent/);
    expect((await run(['fly'])).code).toBe(2);
    const missing = await run(['generate', '--project', 'x', '--out', 'y']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--count is required');
  });

  it('exits 1 with a one-line cause for a failure', async () => {
    const dir = await tempDir();
    const r = await run(['info', '--project', join(dir, 'nope')]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/nope is not a VAE Studio project/);
    const empty = await run(['import', join(dir, 'no-such-folder'), '--project', join(dir, 'p'), '--json']);
    expect(empty.code).toBe(1);
    const last = JSON.parse(empty.stdout.trim().split('\n').at(-1)!) as {
      event: string;
      code: string;
      message: string;
    };
    expect(last.event).toBe('error');
    expect(last.message).toContain('no-such-folder');
  });

  it('with --json prints events then one result object, for import, train, generate and info', async () => {
    const project = join(await tempDir(), 'p');
    const imp = await run([
      'import',
      images,
      '--project',
      project,
      '--size',
      '16',
      '--channels',
      '1',
      '--json',
    ]);
    expect(imp.code).toBe(0);
    const impLines = imp.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(impLines.at(-1)).toMatchObject({ event: 'result', command: 'import', imported: 32 });

    const train = await run([
      'train',
      '--project',
      project,
      '--epochs',
      '2',
      '--latent',
      '3',
      '--width',
      '4',
      '--batch',
      '16',
      '--backend',
      'cpu',
      '--json',
    ]);
    expect(train.stderr).toBe('');
    expect(train.code).toBe(0);
    const trainLines = train.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(trainLines.filter((l) => l.event === 'training.epoch')).toHaveLength(2);
    const result = trainLines.at(-1) as { event: string; epochs: number; config: { latentDim: number } };
    expect(result).toMatchObject({ event: 'result', epochs: 2, config: { latentDim: 3 } });

    const out = join(await tempDir(), 'gen');
    const gen = await run([
      'generate',
      '--project',
      project,
      '--count',
      '5',
      '--out',
      out,
      '--backend',
      'cpu',
    ]);
    expect(gen.code).toBe(0);
    expect(gen.stdout).toContain(`wrote 5 images to ${out}`);
    // The squares lie in class folders a/ and b/, so the model is conditional and writes one folder per class,
    // the 5 split by the classes' shares of the training images (16 each: 3 and 2).
    expect(gen.stdout).toContain(`by class (${out}/<class>/, an ImageFolder dataset): a 3, b 2`);
    expect((await readdir(join(out, 'a'))).filter((f) => f.endsWith('.png'))).toHaveLength(3);
    expect((await readdir(join(out, 'b'))).filter((f) => f.endsWith('.png'))).toHaveLength(2);

    const info = await run(['info', '--project', project]);
    expect(info.code).toBe(0);
    expect(info.stdout).toMatch(/dataset: 32 images 16×16×1/);
    expect(info.stdout).toMatch(/model: epoch 2\/2, latent 3/);
    expect(info.stdout).toContain('  conditional on 2 classes: a (16 images), b (16 images)');
  });

  it("names where training's steps ran in its last line", async () => {
    const project = join(await tempDir(), 'p');
    await run(['import', images, '--project', project, '--size', '16', '--channels', '1']);
    const train = await run([
      'train',
      '--project',
      project,
      '--epochs',
      '1',
      '--latent',
      '2',
      '--width',
      '4',
      '--backend',
      'cpu',
    ]);
    expect(train.code).toBe(0);
    const { ok } = await onnxRuntime();
    expect(train.stdout).toMatch(
      ok
        ? /^trained epochs 1–1 on cpu \(cpu\), steps on ONNX Runtime [\d.]+, \d+ threads?, at \d+ images\/s$/m
        : /^trained epochs 1–1 on cpu \(cpu\) at \d+ images\/s$/m,
    );
  });
});

const cli = fileURLToPath(new URL('../../bin/vae-studio.js', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../../out/main/cli/index.js', import.meta.url)));

describe.skipIf(!built)('a training process killed mid-run', () => {
  it('resumes from its last checkpoint with the right epoch count and history', async () => {
    const project = join(await tempDir(), 'p');
    expect(
      (await run(['import', images, '--project', project, '--size', '16', '--channels', '1'])).code,
    ).toBe(0);
    const child = spawn(
      process.execPath,
      [
        cli,
        'train',
        '--project',
        project,
        '--epochs',
        '40',
        '--latent',
        '3',
        '--width',
        '4',
        '--batch',
        '8',
        '--backend',
        'cpu',
        '--json',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    // Kill it hard as soon as the second epoch's checkpoint is announced.
    let seen = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        seen += d.toString();
        if ((seen.match(/"event":"training.checkpoint"/g) ?? []).length >= 2) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => resolve());
      child.on('error', reject);
    });
    await new Promise((r) => child.once('close', r));
    const pointer = JSON.parse(await readFile(join(project, 'checkpoints', 'latest.json'), 'utf8')) as {
      epoch: number;
    };
    expect(pointer.epoch).toBeGreaterThanOrEqual(2);
    const resumed = await run([
      'train',
      '--project',
      project,
      '--resume',
      '--epochs',
      String(pointer.epoch + 1),
      '--backend',
      'cpu',
      '--json',
    ]);
    expect(resumed.code).toBe(0);
    const result = JSON.parse(resumed.stdout.trim().split('\n').at(-1)!) as {
      startEpoch: number;
      epochs: number;
    };
    expect(result).toMatchObject({ startEpoch: pointer.epoch, epochs: pointer.epoch + 1 });
    const info = await run(['info', '--project', project, '--json']);
    const model = (JSON.parse(info.stdout.trim()) as { model: { history: { epoch: number }[] } }).model;
    expect(model.history.map((h) => h.epoch)).toEqual(
      Array.from({ length: pointer.epoch + 1 }, (_, i) => i + 1),
    );
  });
});
