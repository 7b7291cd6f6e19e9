import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parsePerClass } from '../../src-main/cli/commands/generate.js';
import { runImport } from '../../src-main/jobs/index.js';
import { runCli } from '../helpers/cli.js';
import { tempDir, writeSquares } from '../helpers/tinyData.js';

const TINY = ['--latent', '3', '--width', '4', '--batch', '16', '--epochs', '1', '--backend', 'wasm'];

let conditional: string;
let unconditional: string;

beforeAll(async () => {
  // The squares lie in class folders a/ and b/.
  const images = join(await tempDir(), 'images');
  await writeSquares(images, 24);
  conditional = join(await tempDir(), 'conditional');
  unconditional = join(await tempDir(), 'unconditional');
  for (const project of [conditional, unconditional]) {
    await runImport({ folder: images, project, size: 16, channels: 1, fit: 'cover' });
  }
  expect((await runCli(['train', '--project', conditional, ...TINY])).code).toBe(0);
  const off = await runCli(['train', '--project', unconditional, '--no-conditional', ...TINY]);
  expect(off.code).toBe(0);
});

const generate = (project: string, out: string, more: string[]) =>
  runCli(['generate', '--project', project, '--out', out, '--backend', 'wasm', ...more]);

describe('vae-studio train --conditional / --no-conditional', () => {
  it('lists both in --help, the default depending on the classes', async () => {
    const help = await runCli(['train', '--help']);
    expect(help.stdout).toMatch(
      /--conditional +feeds each image's class .*\(default on when the dataset has 2 or more classes\)/,
    );
    expect(help.stdout).toMatch(/--no-conditional +turns --conditional off\n/);
  });

  it('trains a conditional model by default on class folders, and an unconditional one with --no-conditional', async () => {
    const on = await runCli(['info', '--project', conditional]);
    expect(on.stdout).toContain('  conditional on 2 classes: a (12 images), b (12 images)');
    const off = await runCli(['info', '--project', unconditional]);
    expect(off.stdout).toContain('  unconditional (no classes)');
  });

  it('refuses both at once', async () => {
    const both = await runCli(['train', '--project', conditional, '--conditional', '--no-conditional']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('train: --conditional and --no-conditional: give one of them');
  });
});

describe('vae-studio generate by class', () => {
  it('--per-class n writes n images into each class folder', async () => {
    const out = join(await tempDir(), 'n');
    const run = await generate(conditional, out, ['--per-class', '2']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`wrote 4 images to ${out}`);
    expect(run.stdout).toContain(`by class (${out}/<class>/, an ImageFolder dataset): a 2, b 2`);
    expect(await readdir(join(out, 'a'))).toEqual(['sample-s0-000000.png', 'sample-s0-000001.png']);
    expect(await readdir(join(out, 'b'))).toEqual(['sample-s0-000000.png', 'sample-s0-000001.png']);
  });

  it('--per-class a=1,b=3 writes those counts; --classes b keeps to b; --count splits by the classes’ shares', async () => {
    const out = join(await tempDir(), 'counts');
    expect((await generate(conditional, out, ['--per-class', 'a=1,b=3'])).stdout).toContain(': a 1, b 3');
    expect(await readdir(join(out, 'b'))).toHaveLength(3);
    const onlyB = join(await tempDir(), 'only-b');
    expect((await generate(conditional, onlyB, ['--classes', 'b', '--count', '3'])).stdout).toContain(
      ': b 3',
    );
    expect((await readdir(onlyB)).sort()).toEqual(['b', 'manifest.csv', 'manifest.jsonl']);
    const split = join(await tempDir(), 'split');
    expect((await generate(conditional, split, ['--count', '5'])).stdout).toContain(': a 3, b 2');
  });

  it('names an unknown class and the known ones, and says when a model has no classes', async () => {
    const unknown = await generate(conditional, join(await tempDir(), 'x'), ['--per-class', 'a=1,c=2']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('vae-studio: perClass: the model has no class "c"; its classes are a, b\n');
    const noClasses = await generate(unconditional, join(await tempDir(), 'y'), ['--per-class', '2']);
    expect(noClasses.code).toBe(1);
    expect(noClasses.stderr).toMatch(
      /^vae-studio: perClass: this model was trained without classes \(an unconditional model\), so it has none to generate;/,
    );
    const restricted = await generate(unconditional, join(await tempDir(), 'z'), [
      '--count',
      '2',
      '--classes',
      'a',
    ]);
    expect(restricted.stderr).toMatch(/^vae-studio: classes: this model was trained without classes/);
  });

  it('usage errors: --count beside --per-class, a count that is no whole number, an empty class name', async () => {
    const both = await generate(conditional, join(await tempDir(), 'b'), [
      '--count',
      '2',
      '--per-class',
      '2',
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('generate: --count and --per-class: give one of them');
    const neither = await generate(conditional, join(await tempDir(), 'n'), []);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('generate: --count is required');
    expect(() => parsePerClass('a=x')).toThrow('--per-class: the count of a must be a whole number, got "x"');
    expect(() => parsePerClass('2.5')).toThrow('--per-class: the count of each class must be a whole number');
    expect(() => parsePerClass('=2')).toThrow('--per-class: expected class=n, got "=2"');
    expect(() => parsePerClass('a=1,a=2')).toThrow('--per-class: class a is given twice');
    expect(parsePerClass(' cat = 40 ,dog=10')).toEqual({ cat: 40, dog: 10 });
    expect(parsePerClass('7')).toBe(7);
  });
});
