import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { onnxRuntime } from '../../src-main/engine/node/index.js';
import type { JobEvent } from '../../src-main/jobs/index.js';
import { createStudio } from '../../src-main/studio/index.js';
import { CancelledError, UserError } from '../../src-main/util/errors.js';
import { defaultWorkerFile, ThreadRunner } from '../../src-main/worker/index.js';
import { tempDir, writeSquares } from '../helpers/tinyData.js';

const workerFile = defaultWorkerFile();
const built = existsSync(workerFile);
if (!built)
  console.warn(
    `skipping the worker_threads tests: ${workerFile} is missing (npx tsc -p tsconfig.build.json)`,
  );

let images: string;
beforeAll(async () => {
  images = join(await tempDir(), 'images');
  await writeSquares(images, 24);
});

describe('ThreadRunner', () => {
  it('finds the compiled worker under out/ when running from the sources', () => {
    expect(workerFile.endsWith(join('out', 'main', 'worker', 'jobWorker.js'))).toBe(true);
  });

  it.skipIf(!built)(
    'imports in a worker thread: events arrive, then the result; the cache is on disk',
    async () => {
      const project = join(await tempDir(), 'project');
      const events: JobEvent[] = [];
      const job = new ThreadRunner().start(
        'import',
        { folder: images, project, size: 16, channels: 1, fit: 'cover' },
        (e) => events.push(e),
      );
      const result = await job.result;
      expect(result.imported).toBe(24);
      expect(result.project).toBe(project);
      const phases = events.flatMap((e) => (e.name === 'dataset.importProgress' ? [e.payload.phase] : []));
      expect(phases.at(-1)).toBe('done');
      expect(phases[0]).toBe('scanning');
      const manifest = JSON.parse(await readFile(join(project, 'dataset', 'manifest.json'), 'utf8')) as {
        count: number;
      };
      expect(manifest.count).toBe(24);
      expect((await readFile(join(project, 'dataset', 'images.u8'))).length).toBe(24 * 16 * 16);
    },
  );

  it.skipIf(!built)(
    'rebuilds a UserError with its code, and a cancelled job rejects with CancelledError',
    async () => {
      const runner = new ThreadRunner();
      const missing = join(await tempDir(), 'missing');
      const failed = runner.start(
        'import',
        { folder: missing, project: join(await tempDir(), 'p'), size: 16, channels: 1, fit: 'cover' },
        () => undefined,
      ).result;
      await expect(failed).rejects.toBeInstanceOf(UserError);
      await expect(failed).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: `folder not found: ${missing}`,
      });

      const job = runner.start(
        'import',
        { folder: images, project: join(await tempDir(), 'p'), size: 16, channels: 1, fit: 'cover' },
        () => undefined,
      );
      job.cancel();
      await expect(job.result).rejects.toBeInstanceOf(CancelledError);
      await runner.shutdown();
    },
  );

  it.skipIf(!built)(
    'trains on wasm in a worker and sends interpolation frames back as PNG bytes',
    async () => {
      const runner = new ThreadRunner();
      const project = join(await tempDir(), 'project');
      await runner.start(
        'import',
        { folder: images, project, size: 16, channels: 1, fit: 'cover' },
        () => undefined,
      ).result;
      const epochs: number[] = [];
      const trained = await runner.start(
        'train',
        {
          project,
          backend: 'wasm',
          settings: { latentDim: 2, width: 4, epochs: 1, batchSize: 16, valFraction: 0 },
        },
        (e) => e.name === 'training.epoch' && epochs.push(e.payload.metrics.epoch),
      ).result;
      expect(trained.backend.backend).toBe('wasm');
      expect(epochs).toEqual([1]);
      const { frames } = await runner.start(
        'interpolate-preview',
        { project, a: { datasetIndex: 0 }, b: { datasetIndex: 5 }, steps: 3, mode: 'slerp', backend: 'wasm' },
        () => undefined,
      ).result;
      expect(frames).toHaveLength(3);
      for (const png of frames) {
        expect(png).toBeInstanceOf(Uint8Array);
        const meta = await sharp(png).metadata();
        expect([meta.format, meta.width, meta.height]).toEqual(['png', 16, 16]);
      }
    },
  );

  it('rejects naming the exit code when a worker exits without answering, and names a crash', async () => {
    const dir = await tempDir();
    const exits = join(dir, 'exits.mjs');
    const throws = join(dir, 'throws.mjs');
    await writeFile(exits, 'process.exit(3);\n');
    await writeFile(throws, "throw new Error('boom');\n");
    const exited = new ThreadRunner({ workerFile: exits }).start(
      'backend-info',
      { preference: 'cpu' },
      () => 0,
    );
    await expect(exited.result).rejects.toThrow(
      'the backend-info job worker exited with code 3 before answering',
    );
    const crashed = new ThreadRunner({ workerFile: throws }).start(
      'backend-info',
      { preference: 'cpu' },
      () => 0,
    );
    await expect(crashed.result).rejects.toThrow('the backend-info job worker crashed: boom');
  });

  it('ends a job that ignores cancel after the grace period', async () => {
    const hangs = join(await tempDir(), 'hangs.mjs');
    await writeFile(hangs, 'setInterval(() => {}, 1000);\n');
    const job = new ThreadRunner({ workerFile: hangs, cancelTimeoutMs: 50 }).start(
      'backend-info',
      { preference: 'cpu' },
      () => 0,
    );
    job.cancel();
    await expect(job.result).rejects.toThrow('the backend-info job did not stop within 50 ms and was ended');
    await expect(job.result).rejects.toBeInstanceOf(CancelledError);
  });

  it.skipIf(!built)(
    "backend-info describes the worker's own host: wasm, and training's steps on ONNX Runtime where it loads",
    async () => {
      const info = await new ThreadRunner().start('backend-info', { preference: 'wasm' }, () => 0).result;
      expect(info).toMatchObject({ backend: 'wasm', host: 'node' });
      const ort = await onnxRuntime();
      if (ort.ok) expect(info.native).toBe(ort.runtime);
      else expect(info.native).toBeUndefined();
    },
  );

  it('says which file is missing and how to build it', async () => {
    const workerFile = join(await tempDir(), 'nope', 'jobWorker.js');
    const job = new ThreadRunner({ workerFile }).start('backend-info', { preference: 'cpu' }, () => 0);
    await expect(job.result).rejects.toMatchObject({
      code: 'WORKER_MISSING',
      message: `the job worker ${workerFile} does not exist; run npm run build`,
    });
  });
});

describe('studio on its default runner', () => {
  it.skipIf(!built)('imports through worker threads and resolves backend.info in a worker', async () => {
    const base = await tempDir();
    const studio = await createStudio({
      host: 'browser',
      version: '1',
      stateDir: join(base, 'state'),
      projectsDir: join(base, 'projects'),
    });
    const ends: { name: string; payload: unknown }[] = [];
    const ended = new Promise<void>((resolve) =>
      studio.subscribe((name, payload) => {
        if (name === 'job.done' || name === 'job.failed') {
          ends.push({ name, payload });
          resolve();
        }
      }),
    );
    await studio.invoke('project.create', { path: 'p' });
    const started = await studio.invoke('dataset.import', { folder: images, size: 16, channels: 1 });
    expect(started).toEqual({ ok: true, value: { jobId: 'import-1', kind: 'import' } });
    await ended;
    expect(ends[0]?.name).toBe('job.done');
    expect((ends[0]?.payload as { result: { imported: number } }).result.imported).toBe(24);
    const info = await studio.invoke('backend.info', { preference: 'cpu' });
    expect(info).toMatchObject({ ok: true, value: { backend: 'cpu', device: 'cpu' } });
    await studio.shutdown();
  });
});
