import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  readGenerationManifest,
  runTraversal,
  SHEET_GAP,
  type ExplorerDecodeAnswer,
  type ExplorerSaveAnswer,
  type ExplorerStartAnswer,
} from '../../../src-main/jobs/index.js';
import type { ExplorerModel } from '../../../src-main/contract/index.js';
import { InlineRunner } from '../../../src-main/worker/index.js';
import { tempDir } from '../../helpers/tinyData.js';
import { trainedShapesProject } from './exploreFixture.js';

let project: string;
let images: string;

beforeAll(async () => {
  // More latent dimensions than the shapes need, at β = 1 with a Bernoulli decoder: some carry little.
  ({ project, images } = await trainedShapesProject(30, { latentDim: 16, beta: 1, likelihood: 'bernoulli' }));
});

/** Mean absolute difference of two tiles of a sheet, pixel values 0–255. */
function tileChange(
  sheet: Buffer,
  width: number,
  size: number,
  channels: number,
  row: number,
  a: number,
  b: number,
) {
  let sum = 0;
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++)
      for (let c = 0; c < channels; c++) {
        const at = (col: number) =>
          sheet[((row * (size + SHEET_GAP) + y) * width + col * (size + SHEET_GAP) + x) * channels + c]!;
        sum += Math.abs(at(a) - at(b));
      }
  return sum / (size * size * channels);
}

describe('traversal sheet', () => {
  it('has one row per dimension and one column per step, most active first', async () => {
    const out = join(await tempDir(), 'sheet');
    const result = await runTraversal({ project, dims: 16, steps: 7, range: 3, out, backend: 'wasm' });
    expect(result.rows).toHaveLength(16);
    const meta = await sharp(result.sheet).metadata();
    expect(meta.width).toBe(7 * 16 + 6 * SHEET_GAP);
    expect(meta.height).toBe(16 * 16 + 15 * SHEET_GAP);
    for (let r = 1; r < result.rows.length; r++)
      expect(result.rows[r - 1]!.kl).toBeGreaterThanOrEqual(result.rows[r]!.kl);
    // Around the origin each row spans ±3 of the prior's σ = 1.
    expect(result.rows[0]!.values[0]).toBeCloseTo(-3, 5);
    expect(result.rows[0]!.values[6]).toBeCloseTo(3, 5);
    const described = JSON.parse(await readFile(result.json, 'utf8')) as {
      rows: { dim: number; kl: number }[];
    };
    expect(described.rows.map((r) => r.dim)).toEqual(result.rows.map((r) => r.dim));
    await expect(runTraversal({ project, out, backend: 'wasm' })).rejects.toThrow('exists already');

    // Moving the least active dimension end to end changes the decode less than moving the most active one.
    const { data, info } = await sharp(result.sheet).raw().toBuffer({ resolveWithObject: true });
    const active = tileChange(data, info.width, 16, info.channels, 0, 0, 6);
    const inactive = tileChange(data, info.width, 16, info.channels, 15, 0, 6);
    console.log(
      `change of the most active dim ${active.toFixed(1)}, of the least active ${inactive.toFixed(1)}`,
    );
    console.log(result.rows.map((r) => `${r.dim}: kl ${r.kl.toFixed(3)} sd ${r.sd.toFixed(3)}`).join('; '));
    expect(inactive).toBeLessThan(active);
    // By a clear margin: the least active dimension carries a tenth of the most active one's KL here.
    expect(inactive).toBeLessThan(0.6 * active);
  });

  it("walks around an image's μ in units of each dimension's spread, with frames", async () => {
    const out = join(await tempDir(), 'around');
    const image = join(images, 'circles', 'circle-0001.png');
    const result = await runTraversal({
      project,
      image,
      dims: 3,
      steps: 5,
      out,
      frames: true,
      backend: 'wasm',
    });
    expect(result.frames).toHaveLength(15);
    expect(result.centre.image).toBe(image);
    for (const row of result.rows) {
      expect(row.sigma).toBe(row.sd);
      const middle = row.values[2]!;
      expect(row.values[4]! - middle).toBeCloseTo(3 * row.sd, 4);
    }
  });
});

describe('latent explorer job', () => {
  it('answers decodes from a model it holds, and saves an image with its z in a generation manifest', async () => {
    const runner = new InlineRunner();
    const job = runner.start('explorer', { project, backend: 'wasm' }, () => undefined);
    const model = (await job.ask!({ type: 'model' })) as ExplorerModel;
    expect(model.dims).toHaveLength(16);
    const start = (await job.ask!({ type: 'start', from: { datasetIndex: 3 } })) as ExplorerStartAnswer;
    expect(start.z).toHaveLength(16);
    expect(start.origin).toMatch(/^dataset image /);
    const times: number[] = [];
    let last: Buffer | null = null;
    for (let i = 0; i < 10; i++) {
      const z = [...start.z];
      z[model.dims[0]!.dim]! += (i - 5) * 0.5;
      const t0 = performance.now();
      const answer = (await job.ask!({ type: 'decode', z })) as ExplorerDecodeAnswer;
      times.push(performance.now() - t0);
      const png = Buffer.from(answer.png);
      if (last) expect(png.equals(last)).toBe(false);
      last = png;
    }
    times.sort((a, b) => a - b);
    console.log(`explorer decode round trip (inline, wasm, 16×16×3): median ${times[5]!.toFixed(1)} ms`);
    const saved = (await job.ask!({ type: 'save', z: start.z, origin: start.origin })) as ExplorerSaveAnswer;
    const rows = await readGenerationManifest(saved.out);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.z).toEqual(start.z);
    expect(rows[0]).toMatchObject({ seed: -1, epoch: 30, file: 'explorer-000000.png' });
    job.cancel();
    expect(await job.result).toEqual({ answered: 13 });
    await expect(job.ask!({ type: 'model' })).rejects.toThrow('closed');
  });
});
