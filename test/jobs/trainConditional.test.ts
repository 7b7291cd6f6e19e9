import { copyFile, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { countParameters, defaultConfig } from '../../src-main/engine/index.js';
import type { EpochMetrics } from '../../src-main/engine/types.js';
import {
  prepareSampler,
  runEvaluation,
  runGeneration,
  runImport,
  runTraining,
  type JobEvent,
} from '../../src-main/jobs/index.js';
import { loadTrainedModel } from '../../src-main/jobs/loadModel.js';
import {
  loadLatestCheckpoint,
  MIXTURE_SAMPLER_FILE,
  openProject,
  projectLayout,
} from '../../src-main/project/index.js';
import { tempDir, writeSquares } from '../helpers/tinyData.js';

// The squares of writeSquares lie in two class folders, a/ and b/.
const tiny = { latentDim: 3, width: 4, batchSize: 16, seed: 7, valFraction: 0.25 };

let images: string;

beforeAll(async () => {
  images = join(await tempDir(), 'images');
  await writeSquares(images, 32);
});

async function importedProject(folder = images): Promise<string> {
  const project = join(await tempDir(), 'project');
  await runImport({ folder, project, size: 16, channels: 1, fit: 'cover' });
  return project;
}

function losses(history: EpochMetrics[]) {
  return history.map((m) => ({ epoch: m.epoch, train: m.train, val: m.val, beta: m.beta }));
}

describe('training on a dataset with class folders', () => {
  it('is conditional by default, on the class folders, and says so', async () => {
    const project = await importedProject();
    const log: string[] = [];
    const result = await runTraining(
      { project, backend: 'cpu', settings: { ...tiny, epochs: 1 } },
      { emit: (e: JobEvent) => void (e.name === 'job.log' && log.push(e.payload.message)) },
    );
    expect(result.config).toMatchObject({ conditional: true, classes: ['a', 'b'] });
    expect(log).toContain('conditional on 2 classes: a, b');
    const { config } = result;
    // 16×16, width 4: flatten 4·4·8 = 128; L = 3, K = 2.
    expect(countParameters(config)).toBe(
      countParameters({ ...config, conditional: false, classes: undefined }) + 2 * 6 + 2 * 128,
    );
    // The preview's samples: a row of 8 per class (16-pixel cells, 2-pixel gaps).
    const grid = await sharp(join(project, 'previews', 'epoch-0001-samples.png')).metadata();
    expect([grid.width, grid.height]).toEqual([8 * 16 + 7 * 2, 2 * 16 + 2]);
  });

  it('a resumed conditional run continues where it stopped: the same history and weights as an unbroken one', async () => {
    const straight = await runTraining({
      project: await importedProject(),
      backend: 'cpu',
      settings: { ...tiny, epochs: 3 },
    });
    const project = await importedProject();
    await runTraining({ project, backend: 'cpu', settings: { ...tiny, epochs: 2 } });
    const resumed = await runTraining({ project, backend: 'cpu', resume: true, settings: { epochs: 3 } });
    expect(resumed).toMatchObject({
      startEpoch: 2,
      epochs: 3,
      config: { conditional: true, classes: ['a', 'b'] },
    });
    expect(losses(resumed.history)).toEqual(losses(straight.history));
    const a = await loadLatestCheckpoint((await openProject(project)).layout);
    const b = await loadLatestCheckpoint(projectLayout(straight.project));
    expect(a!.meta.weightsSha256).toBe(b!.meta.weightsSha256);
    expect(a!.meta.dataset.classCounts).toEqual([16, 16]);
  });

  it('--no-conditional trains the unconditional model, whose config has no classes', async () => {
    const project = await importedProject();
    const result = await runTraining({
      project,
      backend: 'cpu',
      settings: { ...tiny, epochs: 1, conditional: false },
    });
    expect(result.config.conditional).toBe(false);
    expect('classes' in result.config).toBe(false);
    const meta = (await loadLatestCheckpoint(projectLayout(project)))!.meta;
    expect('classCounts' in meta.dataset).toBe(false);
  });

  it('refuses a conditional model on images outside every class folder, or on one class, naming the field', async () => {
    const mixed = join(await tempDir(), 'mixed');
    await writeSquares(mixed, 12);
    await copyFile(join(mixed, 'a', 'img-0000.png'), join(mixed, 'loose.png'));
    // Distinct bytes: the import drops an exact duplicate.
    await sharp(join(mixed, 'a', 'img-0000.png'))
      .negate()
      .png()
      .toFile(join(mixed, 'loose-2.png'));
    const project = await importedProject(mixed);
    await expect(
      runTraining({ project, backend: 'cpu', settings: { ...tiny, epochs: 1, conditional: true } }),
    ).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      message:
        `conditional: 1 of the 13 images are at the top level of ${mixed}, in no class folder, and a conditional ` +
        "model needs each image's class; move them into class folders and import again, or train without it " +
        '(--no-conditional, "Conditional on the class" off in the app)',
    });
    // Left to its default, such a dataset trains unconditional.
    const plain = await runTraining({ project, backend: 'cpu', settings: { ...tiny, epochs: 1 } });
    expect(plain.config.conditional).toBe(false);

    const one = join(await tempDir(), 'one');
    await mkdir(join(one, 'only'), { recursive: true });
    const files = await writeSquares(join(await tempDir(), 'src'), 8);
    for (const [i, f] of files.entries()) await copyFile(f, join(one, 'only', `${i}.png`));
    const single = await importedProject(one);
    await expect(
      runTraining({ project: single, backend: 'cpu', settings: { ...tiny, epochs: 1, conditional: true } }),
    ).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      message: expect.stringMatching(
        /^conditional: a conditional model needs 2 or more classes .*has 1 \("only"\)/,
      ) as string,
    });
  });
});

describe('an old checkpoint (saved before conditional models: no `conditional` key, sampler file version 1)', () => {
  let project: string;

  beforeAll(async () => {
    project = await importedProject();
    await runTraining({ project, backend: 'cpu', settings: { ...tiny, epochs: 1, conditional: false } });
    const { checkpoint, model } = await loadTrainedModel(projectLayout(project));
    model.dispose();
    // Write model.json as a version before conditional models did: its config without the key.
    const path = join(checkpoint.dir, 'model.json');
    const meta = JSON.parse(await readFile(path, 'utf8')) as { config: Record<string, unknown> };
    delete meta.config.conditional;
    expect(Object.keys(meta.config).sort()).toEqual([
      'beta',
      'channels',
      'gaussianSigma',
      'imageSize',
      'latentDim',
      'likelihood',
      'width',
    ]);
    await writeFile(path, JSON.stringify(meta, null, 2));
  });

  it('loads as an unconditional Bernoulli model, evaluates, generates into the folder and resumes', async () => {
    const checkpoint = (await loadLatestCheckpoint(projectLayout(project)))!;
    expect(checkpoint.meta.config).toEqual({ ...defaultConfig(16, 1), latentDim: 3, width: 4 });
    expect((await runEvaluation({ project, backend: 'cpu' })).loss.negElbo).toBeGreaterThan(0);
    const out = join(await tempDir(), 'gen');
    const result = await runGeneration({ project, out, count: 3, sampler: 'prior', backend: 'cpu' });
    expect(result.classes).toBeUndefined();
    expect((await readdir(out)).sort()).toEqual([
      'manifest.csv',
      'manifest.jsonl',
      'sample-s0-000000.png',
      'sample-s0-000001.png',
      'sample-s0-000002.png',
    ]);
    await expect(runGeneration({ project, out, perClass: 2, backend: 'cpu' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message:
        'perClass: this model was trained without classes (an unconditional model), so it has none to generate; ' +
        'train a conditional model on a dataset with class folders (the default when it has 2 or more) to ' +
        'generate by class',
    });
    const resumed = await runTraining({ project, backend: 'cpu', resume: true, settings: { epochs: 2 } });
    expect(resumed.config.conditional).toBe(false);
  });

  it('reads a version 1 sampler-gmm.json as it is, without fitting again', async () => {
    const layout = projectLayout(project);
    const fit = async () => {
      const { model, checkpoint } = await loadTrainedModel(layout);
      const log: string[] = [];
      try {
        const prepared = await prepareSampler(
          { kind: 'gmm', checkpoint, model, datasetDir: layout.datasetDir },
          { emit: (e) => void (e.name === 'job.log' && log.push(e.payload.message)) },
        );
        return { prepared, log, dir: checkpoint.dir };
      } finally {
        model.dispose();
      }
    };
    const first = await fit();
    const path = join(first.dir, MIXTURE_SAMPLER_FILE);
    const file = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    expect(file.version).toBe(2);
    // As a version 1 file had it: the same fields, version 1.
    await writeFile(path, JSON.stringify({ ...file, version: 1 }));
    const again = await fit();
    expect(again.log.some((l) => l.startsWith('fitting'))).toBe(false);
    expect(again.prepared.sha256).toBe(first.prepared.sha256);
    expect(again.prepared.samplerOf(null).sample(3, 1, 1)).toEqual(
      first.prepared.samplerOf(null).sample(3, 1, 1),
    );
  });
});
