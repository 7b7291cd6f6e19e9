/**
 * The utility-process runner against the real compiled job worker, across a real process boundary. Electron's
 * utilityProcess is not available under Node, so the child is a Node process given the `process.parentPort`
 * Electron gives a utility process: messages arrive as `{ data }` and are queued until a handler is registered.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createUtilityProcessRunner, type JobProcess } from '../../src-main/electron/utilityProcessRunner.js';
import type { JobEvent } from '../../src-main/jobs/index.js';
import { CancelledError, UserError } from '../../src-main/util/errors.js';
import { defaultWorkerFile } from '../../src-main/worker/index.js';
import { tempDir, writeSquares } from '../helpers/tinyData.js';

const workerFile = defaultWorkerFile();
const built = existsSync(workerFile);
if (!built)
  console.warn(`skipping the utility-process runner tests: ${workerFile} is missing (npm run build)`);

const PARENT_PORT_HOST = `
import { pathToFileURL } from 'node:url';
const queued = [];
let deliver = null;
process.on('message', (data) => (deliver ? deliver(data) : queued.push(data)));
const handlers = [];
process.parentPort = {
  on(event, handler) {
    if (event !== 'message') return this;
    handlers.push(handler);
    deliver = (data) => handlers.forEach((h) => h({ data, ports: [] }));
    queued.splice(0).forEach(deliver);
    return this;
  },
  removeAllListeners(event) {
    if (event === 'message') { handlers.length = 0; deliver = null; process.disconnect(); }
    return this;
  },
  postMessage(message) { process.send(message); },
};
await import(pathToFileURL(process.env.VAE_JOB_WORKER).href);
`;

let host: string;
let silentWorker: string;
let images: string;
const children: ChildProcess[] = [];

/** What main.ts passes as `fork`, with a Node child emulating the utility process. */
function forkEmulatedUtilityProcess(entry = workerFile): JobProcess {
  const child = fork(host, [], {
    env: { ...process.env, VAE_JOB_WORKER: entry },
    serialization: 'advanced',
    stdio: 'inherit',
  });
  children.push(child);
  return {
    postMessage: (message) => void child.send(message),
    on(event: 'message' | 'exit', listener: (value: never) => void) {
      if (event === 'exit') child.on('exit', (code) => (listener as (code: number) => void)(code ?? -1));
      else child.on('message', listener as (message: unknown) => void);
      return this;
    },
    kill: () => child.kill(),
  };
}

beforeAll(async () => {
  const dir = await tempDir('vae-utility-');
  host = join(dir, 'parentPortHost.mjs');
  await writeFile(host, PARENT_PORT_HOST);
  // A worker that never answers, so the process can be killed mid-job without a race.
  silentWorker = join(dir, 'silentWorker.mjs');
  await writeFile(silentWorker, 'setInterval(() => undefined, 1000);\n');
  images = join(dir, 'images');
  await writeSquares(images, 12);
});

describe.skipIf(!built)('the utility-process runner with the real job worker', () => {
  it('imports a folder in a child process: progress events arrive, then the result', async () => {
    const runner = createUtilityProcessRunner({ fork: () => forkEmulatedUtilityProcess() });
    const project = join(await tempDir(), 'project');
    const events: JobEvent[] = [];
    const result = await runner.start(
      'import',
      { folder: images, project, size: 16, channels: 1, fit: 'cover' },
      (event) => events.push(event),
    ).result;
    expect(result.imported).toBe(12);
    const phases = events.flatMap((e) => (e.name === 'dataset.importProgress' ? [e.payload.phase] : []));
    expect(phases[0]).toBe('scanning');
    expect(phases.at(-1)).toBe('done');
  });

  it('rebuilds the worker’s UserError with its code, and a cancel as a CancelledError', async () => {
    const runner = createUtilityProcessRunner({ fork: () => forkEmulatedUtilityProcess() });
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

    const cancelled = runner.start(
      'import',
      { folder: images, project: join(await tempDir(), 'p'), size: 16, channels: 1, fit: 'cover' },
      () => undefined,
    );
    cancelled.cancel();
    await expect(cancelled.result).rejects.toBeInstanceOf(CancelledError);
    await runner.shutdown();
  });

  it('rejects naming the exit code when the job’s process dies before answering', async () => {
    const runner = createUtilityProcessRunner({ fork: () => forkEmulatedUtilityProcess(silentWorker) });
    const job = runner.start('backend-info', { preference: 'cpu' }, () => undefined);
    const child = children.at(-1)!;
    await new Promise((resolve) => child.once('spawn', resolve));
    process.kill(child.pid!, 'SIGKILL');
    await expect(job.result).rejects.toThrow(
      /the backend-info job's process exited with code -?\d+ before it answered/,
    );
  });

  it('ends each job’s process once the job has answered', async () => {
    const runner = createUtilityProcessRunner({ fork: () => forkEmulatedUtilityProcess() });
    const choice = await runner.start('backend-info', { preference: 'cpu' }, () => undefined).result;
    expect(choice).toMatchObject({ backend: 'cpu' });
    const child = children.at(-1)!;
    if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
    expect(child.exitCode !== null || child.signalCode !== null).toBe(true);
  });
});
