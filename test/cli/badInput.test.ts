import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDecimal } from '../../src-main/cli/args.js';
import { tempDir, writeSquares } from '../helpers/tinyData.js';
import { runCli } from '../helpers/cli.js';

const run = runCli;

/** argv (with P for a project path that does not exist), exit code, a part of stderr. */
const USAGE_CASES: [string, number, string][] = [
  ['train --project P --lr 0', 2, 'train: --lr: must be a number above 0 and at most 1, got 0'],
  ['train --project P --latent -1', 2, '--latent: must be a whole number from 1 to 512, got -1'],
  ['train --project P --beta -0.5', 2, '--beta: must be a number from 0 to 1000, got -0.5'],
  ['generate --project P --count -5', 2, '--count: must be a whole number from 1 to 10000000, got -5'],
  ['generate --project P --count 5 --reject-copies=yes', 2, '--reject-copies takes no value, got "yes"'],
  [
    'train --project P --lattent 3',
    2,
    'unknown option --lattent (did you mean --latent?) (see vae-studio train --help)',
  ],
  ['train --project P --zzz', 2, 'train: unknown option --zzz (see vae-studio train --help)'],
  [
    'train --project P --latent 0x10',
    2,
    '--latent: expected a whole number from 1 to 512 in plain decimal digits, got "0x10"',
  ],
  ['train --project P --latent 0b101', 2, 'in plain decimal digits, got "0b101"'],
  ['train --project P --latent 0o17', 2, 'in plain decimal digits, got "0o17"'],
  [
    'train --project P --seed 1e20',
    2,
    '--seed: expected a whole number from 0 to 4294967295 in plain decimal digits, got "1e20"',
  ],
  ['train --project P --seed 1e3', 2, 'in plain decimal digits, got "1e3"'],
  ['train --project P --epochs 1.5', 2, '--epochs: must be a whole number from 1 to 100000, got 1.5'],
  [
    'train --project P --lr Infinity',
    2,
    '--lr: expected a number above 0 and at most 1 in plain decimal digits, got "Infinity"',
  ],
  ['train --project P --lr 1e3', 2, '--lr: must be a number above 0 and at most 1, got 1e3'],
  ['train --project P --latent many', 2, '--latent: expected a whole number from 1 to 512, got "many"'],
  ['train --project', 2, '--project needs a value'],
  ['train --project --lr 0.1', 2, '--project needs a value'],
  ['train --project P --json=yes', 2, '--json takes no value'],
  ['import F --project P --size 17', 2, '--size: must be one of 16, 28, 32, 64, 128, 256, got 17'],
  ['import F --project P --channels 2', 2, '--channels: must be one of 3, 1, got 2'],
  ['quality --project P --count 1', 2, '--count: must be a whole number from 2 to 100000, got 1'],
  [
    'quality --project P --iw-samples 0x10',
    2,
    '--iw-samples: expected a whole number from 1 to 100000 in plain decimal digits',
  ],
  [
    'interpolate --project P a.png b.png --out O --steps 1',
    2,
    '--steps: must be a whole number from 2 to 1000, got 1',
  ],
  ['eval --project P --seed -1', 2, '--seed: must be a whole number from 0 to 4294967295, got -1'],
  ['eval --project P --seed 4294967296', 2, '--seed: must be a whole number from 0 to 4294967295'],
  ['bench --batch 0', 2, '--batch: must be a whole number from 1 to 4096, got 0'],
  [
    'bench --elbo --seed 0x1',
    2,
    '--seed: expected a whole number from 0 to 4294967295 in plain decimal digits',
  ],
  ['bench --steps -3', 2, '--steps: must be a whole number of at least 1, got -3'],
  ['demo --images 0x20', 2, '--images: expected a whole number in plain decimal digits, got "0x20"'],
  ['demo --epochs 2.5', 2, '--epochs: must be a whole number, got 2.5'],
  ['serve --port 70000', 2, '--port: must be a whole number of at most 65535, got 70000'],
  ['serve --port -1', 2, '--port: must be a whole number of at least 0, got -1'],
];

let dir: string;
let images: string;
beforeAll(async () => {
  dir = await tempDir();
  images = join(dir, 'images');
  await writeSquares(images, 4);
});

function argvOf(line: string): string[] {
  return line
    .split(' ')
    .map((word) =>
      word === 'P' ? join(dir, 'no-project') : word === 'F' ? images : word === 'O' ? join(dir, 'o') : word,
    );
}

describe('vae-studio on bad input', () => {
  it.each(USAGE_CASES)('%s exits %i: %s', async (line, code, message) => {
    const r = await run(argvOf(line));
    expect(r.stderr).toContain(message);
    expect(r.code).toBe(code);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('accepts exponent notation and a leading dot for a non-integer setting', async () => {
    // The values pass the parser; the run then stops at the missing project (exit 1, not 2).
    const r = await run(argvOf('train --project P --lr 1e-3 --beta .5'));
    expect(r.stderr).toContain('is not a VAE Studio project');
    expect(r.code).toBe(1);
  });

  it('reads -h as --help', async () => {
    const r = await run(['train', '-h']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('usage: vae-studio train');
  });

  it('says what happened to which path when --out is a file (exit 1, not INTERNAL)', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    const r = await run(['import', images, '--project', file, '--size', '16', '--json']);
    expect(r.code).toBe(1);
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { code: string; message: string };
    expect(last.code).not.toBe('INTERNAL');
    expect(last.message).toContain(file);
    expect(last.message).not.toContain('VAE_STUDIO_DEBUG');
  });
});

describe('parseDecimal', () => {
  it.each([
    ['12', true, 12],
    ['-1', true, -1],
    ['+3', true, 3],
    ['0.5', false, 0.5],
    ['.5', false, 0.5],
    ['1e-3', false, 0.001],
    ['1E3', false, 1000],
    ['1e3', true, null],
    ['1.0', true, 1],
    ['1.5', true, 1.5],
    ['0x10', true, null],
    ['0x10', false, null],
    ['0b1', false, null],
    ['0o7', false, null],
    ['Infinity', false, null],
    ['NaN', false, null],
    ['', false, null],
    [' 1', true, null],
    ['1_000', true, null],
    ['1e999', false, null],
  ])('%s (integer %s) → %s', (raw, integer, expected) => {
    expect(parseDecimal(raw, integer)).toBe(expected);
  });
});
