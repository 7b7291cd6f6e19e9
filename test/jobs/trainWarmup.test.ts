import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runImport, runTraining, type JobEvent } from '../../src-main/jobs/index.js';
import { warmupForRun } from '../../src-main/jobs/trainJob.js';
import { loadLatestCheckpoint, openProject } from '../../src-main/project/index.js';
import { tempDir, writeSquares } from '../helpers/tinyData.js';

let images: string;

beforeAll(async () => {
  images = join(await tempDir(), 'images');
  await writeSquares(images, 32);
});

describe("a new run's learning-rate warm-up", () => {
  it('keeps the default 200 steps for a default run of Fashion-MNIST, a tenth of a short run otherwise', () => {
    // 5,000 images, 10 % held out: 4,500 in 71 batches of 64, 29 epochs = 2,059 steps.
    const fashion = { epochs: 29, batchSize: 64, valFraction: 0.1, lrWarmupSteps: 200 };
    expect(warmupForRun(fashion, 5000)).toEqual({ steps: 200, runSteps: 2059 });
    expect(warmupForRun({ ...fashion, epochs: 2 }, 5000)).toEqual({ steps: 14, runSteps: 142 });
    expect(warmupForRun({ ...fashion, lrWarmupSteps: 0 }, 5000).steps).toBe(0);
  });

  it('is cut to a tenth of a short run, says so, and is saved with the run so Resume keeps it', async () => {
    const project = join(await tempDir(), 'project');
    await runImport({ folder: images, project, size: 16, channels: 1, fit: 'cover' });
    const log: string[] = [];
    // 32 images, a quarter held out: 24 in 2 batches of 16, 10 epochs = 20 steps.
    const settings = { latentDim: 2, width: 4, batchSize: 16, valFraction: 0.25, epochs: 10 };
    await runTraining(
      { project, backend: 'cpu', settings },
      { emit: (e: JobEvent) => void (e.name === 'job.log' && log.push(e.payload.message)) },
    );
    expect(log).toContain("learning-rate warm-up: 2 steps, a tenth of this run's 20 (200 asked for)");
    const saved = await loadLatestCheckpoint((await openProject(project)).layout);
    expect(saved!.meta.trainOptions.lrWarmupSteps).toBe(2);
    // Resumed to 30 epochs (a tenth would now be 6), it goes on with its own 2.
    await runTraining({ project, backend: 'cpu', resume: true, settings: { epochs: 30 } });
    const resumed = await loadLatestCheckpoint((await openProject(project)).layout);
    expect(resumed!.meta.epoch).toBe(30);
    expect(resumed!.meta.trainOptions.lrWarmupSteps).toBe(2);
    // A warm-up already within the tenth is the one asked for, and nothing is said.
    const quiet: string[] = [];
    await runTraining(
      { project, backend: 'cpu', settings: { ...settings, epochs: 1, lrWarmupSteps: 0 } },
      { emit: (e: JobEvent) => void (e.name === 'job.log' && quiet.push(e.payload.message)) },
    );
    expect(quiet.filter((l) => l.startsWith('learning-rate warm-up'))).toEqual([]);
  });
});
