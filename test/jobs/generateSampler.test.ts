import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runGeneration, runImport, runTraining } from '../../src-main/jobs/index.js';
import { loadTrainedModel } from '../../src-main/jobs/loadModel.js';
import {
  MIXTURE_SAMPLER_FILE,
  mixtureSha256,
  projectLayout,
  type SingleMixtureFile as MixtureSamplerFile,
} from '../../src-main/project/index.js';
import { tempDir, writeSquares } from '../helpers/tinyData.js';

interface Row {
  file: string;
  index: number;
  seed: number;
  temperature: number;
  sampler?: string;
  samplerSha256?: string;
  z: number[];
}

async function rows(out: string): Promise<Row[]> {
  const text = await readFile(join(out, 'manifest.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Row);
}

let project: string;
let samplerFile: string;

beforeAll(async () => {
  const images = join(await tempDir(), 'images');
  await writeSquares(images, 48);
  project = join(await tempDir(), 'project');
  await runImport({ folder: images, project, size: 16, channels: 1, fit: 'cover' });
  await runTraining({
    project,
    backend: 'cpu',
    settings: {
      latentDim: 3,
      width: 4,
      epochs: 2,
      batchSize: 8,
      seed: 4,
      valFraction: 0.25,
      conditional: false,
    },
  });
  const { checkpoint, model } = await loadTrainedModel(projectLayout(project));
  model.dispose();
  samplerFile = join(checkpoint.dir, MIXTURE_SAMPLER_FILE);
});

const gen = (out: string, more: Partial<Parameters<typeof runGeneration>[0]> = {}) =>
  runGeneration({ project, out, count: 5, seed: 3, backend: 'cpu', ...more });

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

describe('generate --sampler', () => {
  it('an old checkpoint without a fitted mixture still generates with the prior, and writes no fit', async () => {
    const out = join(await tempDir(), 'prior');
    const result = await gen(out, { sampler: 'prior' });
    expect(result.count).toBe(5);
    expect(await exists(samplerFile)).toBe(false);
    const listed = await rows(out);
    expect(listed.map((r) => r.sampler)).toEqual(Array(5).fill('prior'));
    expect(listed.every((r) => !('samplerSha256' in r))).toBe(true);
    const csv = (await readFile(join(out, 'manifest.csv'), 'utf8')).split('\n');
    expect(csv[0]).toBe(
      'file,index,seed,latent_seed,temperature,sampler,sampler_sha256,epoch,weights_sha256,checkpoint,z',
    );
    expect(csv[1]!.split(',').slice(4, 7)).toEqual(['1', 'prior', '']);
  });

  it('gmm (the default) fits the mixture on demand, saves it, and names it in every row', async () => {
    const out = join(await tempDir(), 'gmm');
    const log: string[] = [];
    await runGeneration(
      { project, out, count: 5, seed: 3, backend: 'cpu' },
      { emit: (e) => void (e.name === 'job.log' && log.push(e.payload.message)) },
    );
    expect(log).toContain(`saved the fitted mixture to ${samplerFile}`);
    const file = JSON.parse(await readFile(samplerFile, 'utf8')) as MixtureSamplerFile;
    const listed = await rows(out);
    expect(listed.map((r) => [r.sampler, r.samplerSha256])).toEqual(
      Array(5).fill(['gmm', mixtureSha256(file.mixture)]),
    );
    // The mixture's draws are not the prior's.
    const prior = await gen(join(await tempDir(), 'prior'), { sampler: 'prior' });
    const priorRows = await rows(prior.out);
    expect(listed[0]!.z).not.toEqual(priorRows[0]!.z);
  });

  it('regenerates image i byte-identically from its row: --start i --count 1 into another folder', async () => {
    const out = join(await tempDir(), 'all');
    const all = await gen(out, { count: 6, sampler: 'gmm' });
    const row = (await rows(out))[4]!;
    const again = join(await tempDir(), 'one');
    const one = await gen(again, {
      seed: row.seed,
      start: row.index,
      count: 1,
      sampler: 'gmm',
      batchSize: 1,
    });
    expect(await readFile(one.files[0]!)).toEqual(await readFile(all.files[4]!));
    expect((await rows(again))[0]).toEqual(row);
  });

  it('refuses to mix samplers (or fits) under one seed in a folder; another seed is fine', async () => {
    const out = join(await tempDir(), 'mixed');
    await gen(out, { sampler: 'prior' });
    await expect(gen(out, { sampler: 'gmm' })).rejects.toMatchObject({
      code: 'OUTPUT_EXISTS',
      message: `${out} already holds 5 images of seed 3 made with the prior sampler (this run: gmm); nothing was written. Generate into another folder, or with another seed.`,
    });
    expect((await gen(out, { sampler: 'gmm', seed: 4 })).count).toBe(5);
    await expect(gen(out, { sampler: 'prior', seed: 4 })).rejects.toMatchObject({
      message: expect.stringContaining('made with the gmm sampler (this run: prior)') as string,
    });
    // Another fit of the mixture (a file edited by hand, say) is another sampler too.
    const text = await readFile(samplerFile, 'utf8');
    const file = JSON.parse(text) as MixtureSamplerFile;
    file.mixture.means[0]![0]! += 0.5;
    await writeFile(samplerFile, JSON.stringify(file));
    try {
      await expect(gen(out, { sampler: 'gmm', seed: 4 })).rejects.toMatchObject({
        message: expect.stringContaining('made with another fit of the gmm sampler') as string,
      });
    } finally {
      await writeFile(samplerFile, text);
    }
  });

  it('takes rows written before the sampler was recorded for the prior’s', async () => {
    const out = join(await tempDir(), 'old');
    await gen(out, { sampler: 'prior', count: 3 });
    const old = (await readFile(join(out, 'manifest.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const { sampler: _sampler, ...row } = JSON.parse(l) as Row;
        return JSON.stringify(row);
      });
    await writeFile(join(out, 'manifest.jsonl'), old.join('\n') + '\n');
    const more = await gen(out, { sampler: 'prior', count: 5 });
    expect([more.count, more.alreadyThere]).toEqual([2, 3]);
    await expect(gen(out, { sampler: 'gmm', count: 5 })).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
  });

  it('refits a removed mixture to the same one, so a folder of gmm images continues', async () => {
    const out = join(await tempDir(), 'refit');
    await gen(out, { sampler: 'gmm', count: 3 });
    await rm(samplerFile);
    const more = await gen(out, { sampler: 'gmm', count: 5 });
    expect([more.count, more.alreadyThere]).toEqual([2, 3]);
    expect(new Set((await rows(out)).map((r) => r.samplerSha256)).size).toBe(1);
  });
});
