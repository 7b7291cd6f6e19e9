/**
 * What a user has survives a second writer, damaged files and a run that diverges: the built CLI, as a user runs it.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runGeneration, runImport, runTraining } from '../../src-main/jobs/index.js';
import { loadLatestCheckpoint, openProject } from '../../src-main/project/index.js';
import { tempDir, writeSquares } from '../helpers/tinyData.js';
import { BUILT_CLI, CLI, cli, findableModels, temporaryFiles, TINY } from './helpers.js';

let work: string;
let images: string;
/** A project with a dataset and a 2-epoch model (epoch-0001 and epoch-0002 kept). */
let base: string;
let baseSha: string;

beforeAll(async () => {
  if (!existsSync(BUILT_CLI)) throw new Error('the CLI is not built; run `npm run build` first');
  work = await tempDir('vae-safety-');
  images = join(work, 'images');
  await writeSquares(images, 16);
  base = join(work, 'base');
  await runImport({ folder: images, project: base, size: 16, channels: 1, fit: 'cover' });
  await runTraining({
    project: base,
    backend: 'cpu',
    settings: { latentDim: 2, width: 4, batchSize: 8, valFraction: 0, epochs: 2 },
  });
  baseSha = (await loadLatestCheckpoint((await openProject(base)).layout))!.meta.weightsSha256;
});

async function copyOfBase(name: string): Promise<string> {
  const dir = join(work, name);
  await cp(base, dir, { recursive: true });
  return dir;
}

describe('two writers on one project', () => {
  it('refuses the second train, naming the first, and the first finishes with its model whole', async () => {
    const project = await copyOfBase('two-writers');
    const first = spawn(process.execPath, [CLI, 'train', '--project', project, '--epochs', '30', ...TINY], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let firstErr = '';
    first.stderr.on('data', (d: Buffer) => (firstErr += d.toString()));
    const firstDone = new Promise<number | null>((resolve) => first.on('close', resolve));
    const lockFile = join(project, '.lock');
    for (let i = 0; i < 600 && !existsSync(lockFile); i++) await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(lockFile)).toBe(true);
    // Freeze the first while the second tries: a fast machine could otherwise finish 30 tiny epochs before the
    // second process has started. A stopped process is alive and holds its lock, as a busy one does.
    first.kill('SIGSTOP');
    try {
      const second = await cli(['train', '--project', project, '--epochs', '2', ...TINY]);
      expect(second.code).toBe(1);
      expect(second.stderr.trim().split('\n')).toHaveLength(1);
      expect(second.stderr).toMatch(
        new RegExp(
          `is being written by vae-studio train \\(pid ${first.pid} on host .+, since \\d\\d:\\d\\d\\); wait for it to finish or stop it`,
        ),
      );
      // In-process jobs (the app's and browser mode's) are refused the same way.
      await expect(
        runImport({ folder: images, project, size: 16, channels: 1, fit: 'cover' }),
      ).rejects.toMatchObject({ code: 'PROJECT_BUSY' });
    } finally {
      first.kill('SIGCONT');
    }
    expect(await firstDone, firstErr).toBe(0);
    const { layout } = await openProject(project);
    const latest = await loadLatestCheckpoint(layout);
    expect(latest?.meta.epoch).toBe(30);
    expect(latest?.note).toBeUndefined();
    expect(await findableModels(layout)).toContain(baseSha);
    expect(existsSync(lockFile)).toBe(false);
  });
});

describe('damaged checkpoints', () => {
  it('generate refuses NaN weights of the right size instead of writing images; train --resume says why', async () => {
    const project = await copyOfBase('nan-weights');
    const { layout } = await openProject(project);
    // Damage both kept epochs, so there is nothing to fall back to.
    for (const name of ['epoch-0001', 'epoch-0002']) {
      const file = join(layout.checkpointsDir, name, 'weights.bin');
      const size = (await readFile(file)).byteLength;
      await writeFile(file, Buffer.from(new Float32Array(size / 4).fill(NaN).buffer));
    }
    const out = join(work, 'nan-out');
    const gen = await cli([
      'generate',
      '--project',
      project,
      '--count',
      '4',
      '--out',
      out,
      '--backend',
      'cpu',
    ]);
    expect(gen.code).toBe(1);
    expect(gen.stderr.trim().split('\n')).toHaveLength(1);
    expect(gen.stderr).toMatch(/epoch-0002.weights\.bin does not match the checksum in model\.json/);
    expect(existsSync(out) ? (await readdir(out)).filter((f) => f.endsWith('.png')) : []).toEqual([]);
    const ev = await cli(['eval', '--project', project, '--backend', 'cpu']);
    expect(ev.code).toBe(1);
    expect(ev.stderr).toMatch(/weights\.bin does not match the checksum/);
    const resume = await cli(['train', '--project', project, '--resume', '--epochs', '3', ...TINY]);
    expect(resume.code).toBe(1);
    expect(resume.stderr).toMatch(/no intact earlier checkpoint .*train a new model/);
    // A new run is not blocked: the damaged model is archived as it is.
    const fresh = await runTraining({
      project,
      backend: 'cpu',
      settings: { latentDim: 2, width: 4, batchSize: 8, valFraction: 0, epochs: 1 },
    });
    expect(fresh.archivedPrevious).not.toBeNull();
    expect((await readdir(fresh.archivedPrevious!)).sort()).toEqual([
      'epoch-0001',
      'epoch-0002',
      'latest.json',
    ]);
  });

  it('falls back to the intact earlier epoch when the latest is damaged, and generate prints the note', async () => {
    const project = await copyOfBase('flipped-byte');
    const { layout } = await openProject(project);
    const file = join(layout.checkpointsDir, 'epoch-0002', 'weights.bin');
    const bytes = await readFile(file);
    bytes[10] = bytes[10]! ^ 0x40;
    await writeFile(file, bytes);
    const out = join(work, 'flipped-out');
    const gen = await cli([
      'generate',
      '--project',
      project,
      '--count',
      '2',
      '--out',
      out,
      '--backend',
      'cpu',
    ]);
    expect(gen.code, gen.stderr).toBe(0);
    expect(gen.stdout + gen.stderr).toMatch(
      /weights\.bin does not match the checksum in model\.json \(the file was changed or damaged\); using the newest intact earlier checkpoint, .*epoch-0001/,
    );
    // The images name the model they came from: epoch 1, not the damaged epoch 2.
    const manifest = await readFile(join(out, 'manifest.jsonl'), 'utf8');
    expect(manifest).not.toContain(baseSha);
    expect(manifest).toMatch(/"epoch":1/);
  });

  it('a deleted latest.json does not make the project look untrained, and a new train archives the epochs', async () => {
    const project = await copyOfBase('no-pointer');
    const { layout } = await openProject(project);
    await rm(layout.latestPointer);
    const notes: string[] = [];
    const result = await runGeneration(
      { project, out: join(work, 'no-pointer-out'), count: 2, backend: 'cpu' },
      { emit: (e) => void (e.name === 'job.log' && notes.push(e.payload.message)) },
    );
    expect(result.count).toBe(2);
    expect(notes.join('\n')).toMatch(
      /latest\.json is missing; using the newest intact checkpoint, .*epoch-0002/,
    );
    const fresh = await runTraining({
      project,
      backend: 'cpu',
      settings: { latentDim: 2, width: 4, batchSize: 8, valFraction: 0, epochs: 1 },
    });
    expect(fresh.archivedPrevious).not.toBeNull();
    expect(await findableModels(layout)).toContain(baseSha);
  });

  it('a missing optimizer.bin or a garbage model.json is one line naming the file', async () => {
    const project = await copyOfBase('garbage');
    const { layout } = await openProject(project);
    await rm(join(layout.checkpointsDir, 'epoch-0002', 'optimizer.bin'));
    await writeFile(join(layout.checkpointsDir, 'epoch-0001', 'model.json'), 'not json\nat all');
    const resume = await cli(['train', '--project', project, '--resume', '--epochs', '3', ...TINY]);
    expect(resume.code).toBe(1);
    // The log lines before it aside, the cause is one line.
    const cause = resume.stderr.trim().split('\n').at(-1)!;
    expect(cause).toMatch(/epoch-0002.optimizer\.bin is missing \(the checkpoint in .* is incomplete\)/);
  });
});

describe('a new run that diverges', () => {
  it('leaves the previous model current and names --clip', async () => {
    const project = await copyOfBase('diverge');
    const run = await cli([
      'train',
      '--project',
      project,
      '--epochs',
      '2',
      '--lr',
      '1',
      '--clip',
      '0',
      // No warm-up and unconditional, as the run this test was measured on: it diverges in its first epoch.
      '--lr-warmup',
      '0',
      '--no-conditional',
      ...TINY,
    ]);
    expect(run.code).toBe(1);
    // The app's words (the settings by their labels), then the CLI's flags.
    expect(run.stderr).toMatch(/training diverged: .*a gradient clip of 500 \(now off\)/);
    expect(run.stderr).toMatch(
      / The learning rate is --lr and the gradient clip --clip \(e\.g\. --clip 500\)\.\n/,
    );
    expect(run.stderr).toMatch(
      /No checkpoint of this run was saved, so the previous model \(epoch 2\) is still the project's model\./,
    );
    expect(run.stderr).not.toContain('gradClipNorm');
    const { layout } = await openProject(project);
    const latest = await loadLatestCheckpoint(layout);
    expect(latest?.meta.weightsSha256).toBe(baseSha);
    expect(existsSync(layout.archiveDir)).toBe(false);
  });
});

describe('a full disk during training', () => {
  it('stops the run at the first failed checkpoint write, keeping the last whole one, and says where and why', async () => {
    const project = await copyOfBase('disk-full');
    const run = await cli(['train', '--project', project, '--resume', '--epochs', '6', ...TINY], {
      // The second checkpoint of this run (epoch 4) meets a full disk.
      VAE_STUDIO_FAULT: 'checkpoint-weights:2:ENOSPC',
    });
    expect(run.code).toBe(1);
    const cause = run.stderr.trim().split('\n').at(-1)!;
    expect(cause).toMatch(
      /no space left on the disk holding .*disk-full while writing the checkpoint of epoch 4 \(training stopped; the checkpoint of epoch 3 \(.*epoch-0003\) is kept as the project's model\)/,
    );
    const { layout } = await openProject(project);
    const latest = await loadLatestCheckpoint(layout);
    expect(latest?.meta.epoch).toBe(3);
    expect((await readdir(layout.checkpointsDir)).sort()).toEqual([
      'epoch-0002',
      'epoch-0003',
      'latest.json',
    ]);
    expect((await readdir(layout.previewsDir)).filter((f) => /epoch-000[56]/.test(f))).toEqual([]);
    expect(await temporaryFiles(project)).toEqual([]);
  });
});
