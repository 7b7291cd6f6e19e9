import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runImport, runTraining } from '../../src-main/jobs/index.js';
import { loadLatestCheckpoint, openProject } from '../../src-main/project/index.js';
import type { UserError } from '../../src-main/util/errors.js';
import { tempDir, writeSquares } from '../helpers/tinyData.js';

const tiny = { latentDim: 2, width: 4, batchSize: 8, valFraction: 0, conditional: false };
let images: string;

beforeAll(async () => {
  images = join(await tempDir(), 'images');
  await writeSquares(images, 16);
});

describe('the train job', () => {
  it('stops at the first failed write, keeps the last whole checkpoint and names the path and the cause', async () => {
    const project = join(await tempDir(), 'p');
    await runImport({ folder: images, project, size: 16, channels: 1, fit: 'cover' });
    // A folder where epoch 2's preview file must go: its write fails (as a full disk would).
    const blocker = join(project, 'previews', 'epoch-0002-samples.png');
    await mkdir(join(blocker, 'x'), { recursive: true });
    const err = (await runTraining({
      project,
      backend: 'cpu',
      settings: { ...tiny, epochs: 8 },
    }).catch((e: unknown) => e)) as UserError;
    expect(err.code).toBe('IS_A_FOLDER');
    expect(err.message).toMatch(/previews.epoch-0002-samples\.png/);
    expect(err.message).not.toMatch(/\.tmp/);
    expect(err.message).toMatch(
      /while writing the previews of epoch 2 \(training stopped; the checkpoint of epoch 1 \(.*epoch-0001\) is kept as the project's model\)/,
    );
    const { layout } = await openProject(project);
    expect((await loadLatestCheckpoint(layout))?.meta.epoch).toBe(1);
    // Nothing was written after the failure.
    const previews = await readdir(layout.previewsDir);
    expect(previews.filter((f) => /epoch-000[3-8]/.test(f))).toEqual([]);
    expect((await readdir(layout.checkpointsDir)).filter((n) => n !== 'latest.json')).toEqual(['epoch-0001']);
    expect(existsSync(layout.lockFile)).toBe(false);
  });

  it('a new run whose first write fails leaves the previous model current and says so', async () => {
    const project = join(await tempDir(), 'p');
    await runImport({ folder: images, project, size: 16, channels: 1, fit: 'cover' });
    await runTraining({ project, backend: 'cpu', settings: { ...tiny, epochs: 1 } });
    const { layout } = await openProject(project);
    const before = (await loadLatestCheckpoint(layout))!.meta.weightsSha256;
    const blocker = join(layout.previewsDir, 'epoch-0001-samples.png');
    await rm(blocker);
    await mkdir(join(blocker, 'x'), { recursive: true });
    const err = (await runTraining({
      project,
      backend: 'cpu',
      settings: { ...tiny, epochs: 3, seed: 9 },
    }).catch((e: unknown) => e)) as UserError;
    expect(err.code).toBe('IS_A_FOLDER');
    expect(err.message).toMatch(
      /\(training stopped; no checkpoint of this run was saved, so the previous model \(epoch 1\) is still the project's model\)/,
    );
    expect((await loadLatestCheckpoint(layout))!.meta.weightsSha256).toBe(before);
    expect(existsSync(layout.archiveDir)).toBe(false);
  });

  it('removes what a killed run left behind before it trains', async () => {
    const project = join(await tempDir(), 'p');
    await runImport({ folder: images, project, size: 16, channels: 1, fit: 'cover' });
    const { layout } = await openProject(project);
    await mkdir(join(layout.checkpointsDir, '.tmp-epoch-0003-dead'), { recursive: true });
    await writeFile(join(layout.checkpointsDir, '.tmp-epoch-0003-dead', 'weights.bin'), 'partial');
    await writeFile(join(layout.datasetDir, '.images.u8.incoming'), 'partial');
    await writeFile(join(layout.datasetDir, '..images.u8.incoming.0a1b2c.tmp'), 'partial');
    const logs: string[] = [];
    await runTraining(
      { project, backend: 'cpu', settings: { ...tiny, epochs: 1 } },
      { emit: (e) => void (e.name === 'job.log' && logs.push(e.payload.message)) },
    );
    expect(logs).toContain('removed 3 temporary file(s) left by an interrupted run');
    expect(existsSync(join(layout.checkpointsDir, '.tmp-epoch-0003-dead'))).toBe(false);
    expect((await readdir(layout.datasetDir)).sort()).toEqual([
      'images.u8',
      'import-report.json',
      'manifest.json',
    ]);
  });

  it('an import over a trained project archives the old dataset with its model', async () => {
    const project = join(await tempDir(), 'p');
    await runImport({ folder: images, project, size: 16, channels: 1, fit: 'cover' });
    await runTraining({ project, backend: 'cpu', settings: { ...tiny, epochs: 1 } });
    const again = await runImport({ folder: images, project, size: 16, channels: 3, fit: 'cover' });
    expect(again.archivedPrevious).toMatch(/[\\/]archive[\\/][^\\/]+$/);
    expect((await readdir(again.archivedPrevious!)).sort()).toEqual(['checkpoints', 'dataset']);
    expect((await readdir(join(again.archivedPrevious!, 'dataset'))).sort()).toEqual([
      'images.u8',
      'import-report.json',
      'manifest.json',
    ]);
    const { layout } = await openProject(project);
    expect(await loadLatestCheckpoint(layout)).toBeNull();
    const first = await runImport({ folder: images, project, size: 16, channels: 3, fit: 'cover' });
    expect(first.archivedPrevious).toBeNull();
  });
});
