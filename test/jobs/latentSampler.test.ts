import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src-main/dataset/index.js';
import { encodeImages, sampleLatents, splitIndices } from '../../src-main/engine/index.js';
import {
  prepareSampler,
  runImport,
  runQuality,
  runTraining,
  type JobEvent,
  type PreparedSampler,
} from '../../src-main/jobs/index.js';
import { loadTrainedModel } from '../../src-main/jobs/loadModel.js';
import {
  moveModelAside,
  MIXTURE_SAMPLER_FILE,
  loadCheckpoint,
  projectLayout,
  type SingleMixtureFile as MixtureSamplerFile,
  type ProjectLayout,
} from '../../src-main/project/index.js';
import { tempDir, writeFourBars, writeSquares } from '../helpers/tinyData.js';

let layout: ProjectLayout;

beforeAll(async () => {
  const source = join(await tempDir(), 'squares');
  await writeSquares(source, 64);
  const project = join(await tempDir(), 'p');
  await runImport({ folder: source, project, size: 16, channels: 1, fit: 'cover' });
  await runTraining({
    project,
    settings: {
      latentDim: 3,
      width: 4,
      epochs: 1,
      batchSize: 16,
      valFraction: 0.25,
      seed: 9,
      conditional: false,
    },
    backend: 'wasm',
  });
  layout = projectLayout(project);
});

/** Prepares `kind` for the project's current model; the log lines it said come back too. */
async function prepare(kind: 'prior' | 'gmm'): Promise<{ prepared: PreparedSampler; log: string[] }> {
  const { model, checkpoint } = await loadTrainedModel(layout);
  const log: string[] = [];
  const emit = (e: JobEvent) => {
    if (e.name === 'job.log') log.push(e.payload.message);
  };
  try {
    const prepared = await prepareSampler(
      { kind, checkpoint, model, datasetDir: layout.datasetDir },
      { emit },
    );
    return { prepared, log };
  } finally {
    model.dispose();
  }
}

async function savedFile(): Promise<{ path: string; file: MixtureSamplerFile; text: string }> {
  const { checkpoint } = await loadTrainedModel(layout);
  const path = join(checkpoint.dir, MIXTURE_SAMPLER_FILE);
  const text = await readFile(path, 'utf8');
  return { path, text, file: JSON.parse(text) as MixtureSamplerFile };
}

describe('prepareSampler', () => {
  it('prior: the N(0, I) latents of sampleLatents, and nothing written', async () => {
    const { prepared } = await prepare('prior');
    expect(prepared).toMatchObject({ kind: 'prior', sha256: null, file: null });
    expect(
      prepared
        .samplerOf(null)
        .sample(4, 3, 0.8, 10)
        .map((z) => Array.from(z)),
    ).toEqual(sampleLatents(4, 3, 3, 0.8, 10).map((z) => Array.from(z)));
  });

  it('gmm: fits the training split’s latents on first use and saves the fit beside the checkpoint', async () => {
    const { prepared, log } = await prepare('gmm');
    expect(
      log.some((l) => l.startsWith('fitting the mixture sampler (10 components, full covariances)')),
    ).toBe(true);
    const { path, file } = await savedFile();
    expect(log).toContain(`saved the fitted mixture to ${path}`);
    const { checkpoint } = await loadTrainedModel(layout);
    const { images } = await loadDataset(layout.datasetDir);
    expect(file).toMatchObject({
      format: 'vae-studio-sampler',
      kind: 'gmm',
      components: 10,
      seed: 9,
      weightsSha256: checkpoint.meta.weightsSha256,
      trainingImages: splitIndices(images.count, 0.25, 9).train.length,
    });
    expect(file.mixture.dim).toBe(3);
    expect(Number.isFinite(file.logLikelihood)).toBe(true);
    expect(prepared.sha256).toMatch(/^[0-9a-f]{64}$/);
    // The saved checkpoint still verifies with the file in its folder.
    await expect(loadCheckpoint(checkpoint.dir)).resolves.toMatchObject({ dir: checkpoint.dir });
  });

  it('gmm: a second use reads the saved mixture and draws the same latents', async () => {
    const first = await prepare('gmm');
    const again = await prepare('gmm');
    expect(again.log).toEqual([]);
    expect(again.prepared.sha256).toBe(first.prepared.sha256);
    expect(again.prepared.samplerOf(null).sample(5, 1, 1, 7)).toEqual(
      first.prepared.samplerOf(null).sample(5, 1, 1, 7),
    );
  });

  it('gmm: the fit is reproducible — removed and fitted again, the same mixture to the bit', async () => {
    const before = await savedFile();
    await rm(before.path);
    const { prepared } = await prepare('gmm');
    const after = await savedFile();
    expect(JSON.stringify(after.file.mixture)).toBe(JSON.stringify(before.file.mixture));
    expect(after.file.logLikelihood).toBe(before.file.logLikelihood);
    expect(prepared.sha256).toBe((await prepare('gmm')).prepared.sha256);
  });

  it('gmm: a damaged file or one fitted to other weights is fitted again and replaced', async () => {
    const good = await savedFile();
    await writeFile(good.path, good.text.slice(0, 40));
    let { log } = await prepare('gmm');
    expect(log[0]).toBe(`${good.path} is not valid JSON (truncated or damaged); fitting it again`);
    expect((await savedFile()).text.length).toBeGreaterThan(40);

    await writeFile(good.path, JSON.stringify({ ...good.file, weightsSha256: 'f'.repeat(64) }));
    ({ log } = await prepare('gmm'));
    expect(log[0]).toBe(`${good.path} was fitted to another model's weights; fitting it again`);
    expect((await savedFile()).file.weightsSha256).toBe(good.file.weightsSha256);
  });

  it('gmm: a fit that cannot be saved is said, and the mixture fitted now is used', async () => {
    const good = await savedFile();
    await rm(good.path);
    // A folder under the file's name: the read fails and so does the rename over it.
    await mkdir(good.path);
    try {
      const { prepared, log } = await prepare('gmm');
      expect(log.some((l) => l.startsWith(`could not save the fitted mixture in `))).toBe(true);
      expect(prepared.sha256).toBe(
        (await import('../../src-main/project/index.js')).mixtureSha256(good.file.mixture),
      );
    } finally {
      await rm(good.path, { recursive: true });
      await writeFile(good.path, good.text);
    }
  });

  it('the fitted mixture goes with its checkpoint when a new run moves the model aside', async () => {
    const { checkpoint } = await loadTrainedModel(layout);
    const good = await savedFile();
    const archived = await moveModelAside(layout, join(layout.archiveDir, 'test'));
    const copy = join(archived!, checkpoint.dir.split('/').pop()!, MIXTURE_SAMPLER_FILE);
    expect(await readFile(copy, 'utf8')).toBe(good.text);
  });
});

describe('the mixture sampler against the prior', () => {
  it('scores better in the quality report where the aggregate posterior is far from N(0, I)', async () => {
    const source = join(await tempDir(), 'bars');
    await writeFourBars(source, 160);
    const project = join(await tempDir(), 'bars-project');
    await runImport({ folder: source, project, size: 16, channels: 1, fit: 'cover' });
    await runTraining({
      project,
      settings: {
        latentDim: 2,
        width: 8,
        epochs: 20,
        batchSize: 16,
        valFraction: 0.25,
        seed: 2,
        conditional: false,
      },
      backend: 'wasm',
    });
    // Where that holds: the training latents lie far out (a 2-D N(0, I) has a mean norm of 1.25).
    const { model } = await loadTrainedModel(projectLayout(project));
    const { images } = await loadDataset(join(project, 'dataset'));
    const { mu } = await encodeImages(model, images, 64);
    model.dispose();
    const meanNorm = mu.reduce((s, m) => s + Math.hypot(...m), 0) / mu.length;
    expect(meanNorm).toBeGreaterThan(2.5);

    const cheap = { count: 200, likelihoodImages: 2, likelihoodSamples: 4, backend: 'wasm' as const };
    const prior = await runQuality({ project, sampler: 'prior', ...cheap });
    const gmm = await runQuality({ project, sampler: 'gmm', ...cheap });
    expect([prior.scored.sampler, gmm.scored.sampler]).toEqual(['prior', 'gmm']);
    expect(gmm.fid).toBeLessThan(0.8 * prior.fid);
    // The direct measure: each sample's distance in pixels to its nearest training image (neighbours.csv).
    const pixelDistance = async (report: string) => {
      const lines = (await readFile(join(report, '..', 'neighbours.csv'), 'utf8')).trim().split('\n');
      const header = lines[0]!.split(',');
      const column = header.indexOf('pixel_rms_distance');
      const values = lines.slice(1).map((l) => Number(l.split(',')[column]));
      return values.reduce((s, v) => s + v, 0) / values.length;
    };
    expect(await pixelDistance(gmm.report)).toBeLessThan(0.7 * (await pixelDistance(prior.report)));
  });
});
