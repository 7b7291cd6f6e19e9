/**
 * Kills the built CLI (SIGKILL, through util/faultPoint.ts) at a spread of its write points during a new training
 * run over a trained project and during an import over one, and checks after each kill that nothing the user had
 * is lost and that the next run cleans up and succeeds.
 */
import { existsSync } from 'node:fs';
import { cp, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readDatasetManifest } from '../../src-main/dataset/index.js';
import { runImport, runTraining } from '../../src-main/jobs/index.js';
import { loadCheckpoint, readPointer } from '../../src-main/project/checkpoint.js';
import { loadLatestCheckpoint, openProject } from '../../src-main/project/index.js';
import { tempDir, writeSquares } from '../helpers/tinyData.js';
import {
  BUILT_CLI,
  cli,
  findableModels,
  historyEpochs,
  inParallel,
  spread,
  temporaryFiles,
  TINY,
} from './helpers.js';

/** Kill points per job: enough to land in every step of every write path of a 2-epoch run. */
const KILLS = 20;

let work: string;
let images: string;
let otherImages: string;
/** A project with a dataset of 16 images and a 1-epoch model. */
let base: string;
let baseSha: string;

beforeAll(async () => {
  if (!existsSync(BUILT_CLI)) throw new Error('the CLI is not built; run `npm run build` first');
  work = await tempDir('vae-faults-');
  images = join(work, 'images');
  otherImages = join(work, 'other');
  await writeSquares(images, 16);
  await writeSquares(otherImages, 12);
  base = join(work, 'base');
  await runImport({ folder: images, project: base, size: 16, channels: 1, fit: 'cover' });
  await runTraining({
    project: base,
    backend: 'cpu',
    settings: { latentDim: 2, width: 4, batchSize: 8, valFraction: 0, epochs: 1 },
  });
  const latest = await loadLatestCheckpoint((await openProject(base)).layout);
  baseSha = latest!.meta.weightsSha256;
});

async function copyOfBase(name: string): Promise<string> {
  const dir = join(work, name);
  await cp(base, dir, { recursive: true });
  return dir;
}

/** How many fault points a command reaches when nothing kills it. */
async function countPoints(args: (project: string) => string[], name: string): Promise<number> {
  const project = await copyOfBase(`${name}-count`);
  const logFile = join(work, `${name}-points.log`);
  const run = await cli(args(project), { VAE_STUDIO_FAULT_LOG: logFile });
  expect(run.code, run.stderr).toBe(0);
  const total = (await readFile(logFile, 'utf8')).trim().split('\n').length;
  console.info(`${name}: ${total} fault points reached, killing at ${Math.min(total, KILLS)} of them`);
  return total;
}

/** The project's current model after a kill: present (one was whole before), verified, its history gap-free. */
async function expectWholeCurrentModel(project: string): Promise<string> {
  const { layout } = await openProject(project);
  const latest = await loadLatestCheckpoint(layout);
  expect(latest, 'a current model').not.toBeNull();
  expect(latest!.note, 'latest.json names a whole checkpoint').toBeUndefined();
  const epochs = await historyEpochs(latest!.dir);
  expect(epochs).toEqual(Array.from({ length: latest!.meta.epoch }, (_, i) => i + 1));
  return latest!.meta.weightsSha256;
}

describe('a kill at any write point', () => {
  it(
    `of a new training run over a trained project (${KILLS} kills) loses nothing`,
    { timeout: 300_000 },
    async () => {
      const args = (project: string) => [
        'train',
        '--project',
        project,
        '--epochs',
        '2',
        '--seed',
        '3',
        ...TINY,
      ];
      const total = await countPoints(args, 'train');
      expect(total).toBeGreaterThan(KILLS / 2);
      const points = spread(total, KILLS);
      const outcomes: string[] = [];
      await inParallel(points, 2, async (n) => {
        const project = await copyOfBase(`train-kill-${n}`);
        const run = await cli(args(project), { VAE_STUDIO_FAULT: `*:${n}` });
        expect(run.signal, `kill at point ${n}: ${run.stderr}`).toBe('SIGKILL');
        const { layout } = await openProject(project);
        const current = await expectWholeCurrentModel(project);
        expect(await findableModels(layout), `point ${n}: the previous model`).toContain(baseSha);
        outcomes.push(current === baseSha ? 'previous' : 'new');
        // The next run takes over the dead run's lock, removes its leftovers and succeeds.
        const next = await runTraining({ project, resume: true, settings: { epochs: 3 }, backend: 'cpu' });
        expect(next.epochs).toBe(3);
        expect(await temporaryFiles(project), `point ${n}: leftovers`).toEqual([]);
        // An archived previous model stays archived; a current one was just continued (that is what --resume does).
        if (current !== baseSha) expect(await findableModels(layout)).toContain(baseSha);
        await expectWholeCurrentModel(project);
      });
      // The kills landed both before and after the new run's first whole checkpoint.
      expect(outcomes).toContain('previous');
      expect(outcomes).toContain('new');
    },
  );

  it(
    `of an import over a trained project (${KILLS} kills) loses neither the model nor its dataset`,
    { timeout: 300_000 },
    async () => {
      const args = (project: string) => ['import', otherImages, '--project', project, '--size', '16'];
      const total = await countPoints(args, 'import');
      const points = spread(total, KILLS);
      await inParallel(points, 2, async (n) => {
        const project = await copyOfBase(`import-kill-${n}`);
        const run = await cli(args(project), { VAE_STUDIO_FAULT: `*:${n}` });
        expect(run.signal, `kill at point ${n}: ${run.stderr}`).toBe('SIGKILL');
        const { layout } = await openProject(project);
        // The dataset is the old one, the new one, or (inside the short commit) none — never unreadable.
        const manifest = await readDatasetManifest(layout.datasetDir);
        expect([null, 16, 12]).toContain(manifest?.count ?? null);
        expect(await findableModels(layout), `point ${n}: the model`).toContain(baseSha);
        const latest = await loadLatestCheckpoint(layout);
        if (latest) expect(latest.meta.weightsSha256).toBe(baseSha);
        const next = await runImport({ folder: otherImages, project, size: 16, channels: 1, fit: 'cover' });
        expect(next.imported).toBe(12);
        expect(next.archivedPrevious ?? (await findableModels(layout)).has(baseSha)).toBeTruthy();
        expect(await temporaryFiles(project), `point ${n}: leftovers`).toEqual([]);
        expect(await findableModels(layout)).toContain(baseSha);
        // The model's archive holds the dataset it was trained on.
        const withModel: number[] = [];
        for (const name of await readdir(layout.projectArchiveDir)) {
          const dir = join(layout.projectArchiveDir, name);
          const pointer = await readPointer(layout, join(dir, 'checkpoints', 'latest.json'));
          if (pointer.kind !== 'ok') continue;
          if ((await loadCheckpoint(pointer.dir)).meta.weightsSha256 !== baseSha) continue;
          withModel.push((await readDatasetManifest(join(dir, 'dataset')))?.count ?? 0);
        }
        expect(withModel, `point ${n}: the archived dataset`).toContain(16);
      });
    },
  );
});
