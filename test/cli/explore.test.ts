import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tinyData.js';
import { NOISE_FILES, trainedShapesProject } from '../jobs/explore/exploreFixture.js';

let project: string;

beforeAll(async () => {
  ({ project } = await trainedShapesProject());
});

/** The last line of a `--json` run: its one result object. */
function result<T>(stdout: string): T {
  const last = JSON.parse(stdout.trim().split('\n').at(-1)!) as { event: string } & T;
  expect(last.event).toBe('result');
  return last;
}

describe('vae-studio outliers and traverse', () => {
  it('outliers --json ends with one result whose items are { file, negElbo, reconstruction } worst first', async () => {
    const run = await runCli(['outliers', '--project', project, '--top', '8', '--json', '--backend', 'wasm']);
    expect(run.code).toBe(0);
    const r = result<{ items: { file: string; negElbo: number; reconstruction: number }[]; csv: string }>(
      run.stdout,
    );
    expect(r.items).toHaveLength(8);
    for (let i = 1; i < r.items.length; i++)
      expect(r.items[i - 1]!.negElbo).toBeGreaterThanOrEqual(r.items[i]!.negElbo);
    expect(
      r.items
        .slice(0, 5)
        .map((i) => i.file)
        .sort(),
    ).toEqual(NOISE_FILES);
    expect(typeof r.items[0]!.reconstruction).toBe('number');
    // Progress came as events before it.
    expect(run.stdout).toContain('"event":"outliers.progress"');
  });

  it('outliers in words lists the worst with their scores and where the CSV is', async () => {
    const run = await runCli(['outliers', '--project', project, '--top', '3', '--backend', 'wasm']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\s+1 {2}squares\/noise-\d\.png +−ELBO/m);
    expect(run.stdout).toContain('scores.csv');
  });

  it('traverse writes a sheet of dims × steps tiles', async () => {
    const out = join(await tempDir(), 'sheet');
    const run = await runCli([
      'traverse',
      '--project',
      project,
      '--dims',
      '4',
      '--steps',
      '5',
      '--out',
      out,
      '--json',
      '--backend',
      'wasm',
    ]);
    expect(run.code).toBe(0);
    const r = result<{ sheet: string; rows: unknown[] }>(run.stdout);
    expect(r.rows).toHaveLength(4);
    const meta = await sharp(r.sheet).metadata();
    expect([meta.width, meta.height]).toEqual([5 * 16 + 4 * 2, 4 * 16 + 3 * 2]);
  });

  it('refuses a bad --top with the flag named', async () => {
    const run = await runCli(['outliers', '--project', project, '--top', '0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--top');
  });
});
