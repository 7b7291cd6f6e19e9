import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveBackend, type BackendPreference } from '../../src-main/engine/node/index.js';
import {
  localTrainingHost,
  portEndpoint,
  serveTraining,
  type TrainRequest,
} from '../../src-main/engine/host/index.js';
import { CancelledError } from '../../src-main/util/errors.js';
import { defaultWorkerFile, ThreadRunner, type TrainingPortSource } from '../../src-main/worker/index.js';
import { tempDir, writeSquares } from '../helpers/tinyData.js';

const built = existsSync(defaultWorkerFile());

/**
 * A stand-in for the desktop app's compute window: this test's thread serves training over one end of a
 * MessageChannel per job, as host kind 'renderer', and records what it was asked.
 */
class FakeComputeWindow {
  readonly requests: { images: number; backend: string | undefined }[] = [];
  readonly described: string[] = [];
  private readonly stops: (() => void)[] = [];

  connect(): MessagePort {
    const { port1, port2 } = new MessageChannel();
    const local = localTrainingHost(
      (preference) => resolveBackend(preference as BackendPreference | undefined),
      'renderer',
    );
    const host = {
      describe: (preference?: string) => {
        this.described.push(preference ?? 'auto');
        return local.describe(preference);
      },
      train: (request: TrainRequest, hooks?: Parameters<typeof local.train>[1]) => {
        this.requests.push({ images: request.images.count, backend: request.backend });
        return local.train(request, hooks);
      },
    };
    this.stops.push(serveTraining(portEndpoint(port2, { name: 'fake compute port' }), host));
    return port1;
  }

  stop(): void {
    for (const stop of this.stops) stop();
  }
}

let images: string;
let compute: FakeComputeWindow;
beforeAll(async () => {
  images = join(await tempDir(), 'images');
  await writeSquares(images, 24);
});
afterEach(() => compute?.stop());

async function importedProject(runner: ThreadRunner): Promise<string> {
  const project = join(await tempDir(), 'project');
  await runner.start(
    'import',
    { folder: images, project, size: 16, channels: 1, fit: 'cover' },
    () => undefined,
  ).result;
  return project;
}

const trainInput = (project: string) => ({
  project,
  backend: 'wasm' as const,
  settings: { latentDim: 2, width: 4, epochs: 2, batchSize: 8, valFraction: 0, seed: 3 },
});

describe.skipIf(!built)('a job worker that trains through a training port (the compute window path)', () => {
  it('trains over the port: the far side gets the images, the worker writes the files, losses equal a local run', async () => {
    compute = new FakeComputeWindow();
    const asked: string[] = [];
    const portFor: TrainingPortSource<MessagePort> = (kind) => {
      asked.push(kind);
      return Promise.resolve(compute.connect());
    };
    const remote = new ThreadRunner({ trainingPort: portFor });
    const local = new ThreadRunner();
    const project = await importedProject(local);
    const other = await importedProject(local);

    const told: string[] = [];
    const viaPort = await remote.start('train', trainInput(project), (e) => {
      if (e.name === 'training.run') told.push(`${e.payload.backend.backend} in ${e.payload.backend.host}`);
    }).result;
    // The compute window trains on tfjs; a Node worker would take ONNX Runtime's steps where it loads, which agree
    // to 1e-6, not to the bit (test/engine/node/onnxTraining.test.ts). Off here, for the bit-for-bit comparison;
    // a worker thread copies the environment when it starts.
    process.env.VAE_STUDIO_ONNX = 'off';
    const inWorkerJob = local.start('train', trainInput(other), () => undefined);
    delete process.env.VAE_STUDIO_ONNX;
    const inWorker = await inWorkerJob.result;

    expect(asked).toEqual(['train']);
    expect(compute.requests).toEqual([{ images: 24, backend: 'wasm' }]);
    expect(viaPort.backend).toMatchObject({ host: 'renderer', backend: 'wasm' });
    expect(inWorker.backend).toMatchObject({ host: 'node', backend: 'wasm' });
    expect(told).toEqual(['wasm in renderer']);
    // The same data, seed and backend: the same training, wherever it ran.
    expect(viaPort.history.map((m) => m.train.negElbo)).toEqual(inWorker.history.map((m) => m.train.negElbo));
    // Files stay on the job's side: checkpoints and previews were written by the worker into the project.
    const checkpoints = await readdir(join(project, 'checkpoints'));
    expect(checkpoints).toEqual(expect.arrayContaining(['epoch-0001', 'epoch-0002', 'latest.json']));
    expect((await readdir(join(project, 'previews'))).filter((f) => f.endsWith('.png'))).toHaveLength(4);
    await Promise.all([remote.shutdown(), local.shutdown()]);
  });

  it('answers backend-info from the far side', async () => {
    compute = new FakeComputeWindow();
    const runner = new ThreadRunner({ trainingPort: () => Promise.resolve(compute.connect()) });
    const info = await runner.start('backend-info', { preference: 'wasm' }, () => undefined).result;
    expect(info).toMatchObject({ host: 'renderer', backend: 'wasm' });
    expect(compute.described).toEqual(['wasm']);
  });

  it('asks for no port for other jobs, fails a job whose port cannot be had, and a cancel before the port stops it', async () => {
    const asked: string[] = [];
    let release: (port: MessagePort | null) => void = () => undefined;
    const runner = new ThreadRunner({
      trainingPort: (kind) => {
        asked.push(kind);
        if (asked.length === 1) return Promise.reject(new Error('the compute page did not load: ERR_FAILED'));
        return new Promise((resolve) => (release = resolve));
      },
    });
    const project = await importedProject(runner);
    expect(asked).toEqual([]);

    await expect(runner.start('train', trainInput(project), () => undefined).result).rejects.toThrow(
      'the compute page did not load: ERR_FAILED',
    );

    const job = runner.start('train', trainInput(project), () => undefined);
    job.cancel();
    const { port1, port2 } = new MessageChannel();
    let closed = false;
    port2.on('close', () => (closed = true));
    release(port1);
    await expect(job.result).rejects.toBeInstanceOf(CancelledError);
    await new Promise((r) => setTimeout(r, 50));
    expect(closed).toBe(true);
    port2.close();
  });
});
