/**
 * The desktop app's path to the compute window, as far as it runs without Electron: the utility-process runner
 * sends a training port beside the `run` message, and the real compiled job worker, in a Node child that emulates
 * Electron's utility process, receives it as `event.ports[0]` shaped like a MessagePortMain (listeners get
 * `{ data }`, only ports can be transferred) and trains through it. The far end of the port is served here by
 * `serveTraining` with a host that calls itself 'renderer', standing in for the compute page.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUtilityProcessRunner, type JobProcess } from '../../src-main/electron/utilityProcessRunner.js';
import { resolveBackend, type BackendPreference } from '../../src-main/engine/node/index.js';
import { localTrainingHost, portEndpoint, serveTraining } from '../../src-main/engine/host/index.js';
import { defaultWorkerFile } from '../../src-main/worker/index.js';
import { tempDir, writeSquares } from '../helpers/tinyData.js';

const workerFile = defaultWorkerFile();
const built = existsSync(workerFile);

/**
 * Electron's `process.parentPort`, plus one emulated MessagePortMain whose traffic rides the IPC channel tagged
 * `port`: a `run` sent with a port arrives with `ports: [port]`.
 */
const PARENT_PORT_HOST = `
import { pathToFileURL } from 'node:url';
const portListeners = new Set();
const port = {
  on(event, handler) { if (event === 'message') portListeners.add(handler); return this; },
  off(event, handler) { portListeners.delete(handler); return this; },
  start() {},
  postMessage(message, transfer) {
    if (transfer && transfer.length > 0) throw new Error('a MessagePortMain transfers only ports');
    process.send({ port: message });
  },
  close() { process.send({ portClosed: true }); },
};
const queued = [];
let deliver = null;
process.on('message', (data) => {
  if (data && 'port' in data) { portListeners.forEach((h) => h({ data: data.port })); return; }
  const event = data && data.withPort ? { data: data.message, ports: [port] } : { data, ports: [] };
  deliver ? deliver(event) : queued.push(event);
});
const handlers = [];
process.parentPort = {
  on(event, handler) {
    if (event !== 'message') return this;
    handlers.push(handler);
    deliver = (event) => handlers.forEach((h) => h(event));
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

/** The main side's end of the emulated port: a MessagePortMain look-alike linked to one child once sent. */
class EmulatedMainPort extends EventEmitter {
  child: ChildProcess | null = null;
  closedByChild = false;
  start(): void {}
  postMessage(message: unknown): void {
    this.child?.send({ port: message });
  }
  close(): void {
    this.emit('close');
  }
}

let host: string;
let images: string;
const children: ChildProcess[] = [];
const described: string[] = [];
const trained: number[] = [];

/** What main.ts passes as `fork`; port traffic is kept away from the runner's protocol listener. */
function forkEmulatedUtilityProcess(): JobProcess {
  const child = fork(host, [], {
    env: { ...process.env, VAE_JOB_WORKER: workerFile },
    serialization: 'advanced',
    stdio: 'inherit',
  });
  children.push(child);
  let linked: EmulatedMainPort | null = null;
  child.on('message', (message: { port?: unknown; portClosed?: boolean }) => {
    if (linked && 'port' in message) linked.emit('message', { data: message.port });
    if (linked && message.portClosed) linked.closedByChild = true;
  });
  return {
    postMessage: (message, transfer) => {
      const port = transfer?.[0];
      if (port instanceof EmulatedMainPort) {
        port.child = child;
        linked = port;
        child.send({ withPort: true, message });
      } else child.send(message);
    },
    on(event: 'message' | 'exit', listener: (value: never) => void) {
      if (event === 'exit') child.on('exit', (code) => (listener as (code: number) => void)(code ?? -1));
      else
        child.on('message', (message: object) => {
          if (!('port' in message) && !('portClosed' in message)) (listener as (m: unknown) => void)(message);
        });
      return this;
    },
    kill: () => child.kill(),
  };
}

/** A port whose far end is served here, as the compute page would serve it (host kind 'renderer'). */
function computeWindowPort(): EmulatedMainPort {
  const port = new EmulatedMainPort();
  const local = localTrainingHost(
    (preference) => resolveBackend(preference as BackendPreference | undefined),
    'renderer',
  );
  serveTraining(portEndpoint(port, { emitterMessages: 'event', transfersBuffers: false }), {
    describe: (preference) => {
      described.push(preference ?? 'auto');
      return local.describe(preference);
    },
    train: (request, hooks) => {
      trained.push(request.images.count);
      return local.train(request, hooks);
    },
  });
  return port;
}

beforeAll(async () => {
  const dir = await tempDir('vae-utility-port-');
  host = join(dir, 'parentPortHost.mjs');
  await writeFile(host, PARENT_PORT_HOST);
  images = join(dir, 'images');
  await writeSquares(images, 16);
});

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill();
});

describe.skipIf(!built)('a utility process that trains through the compute window port', () => {
  it('answers backend-info and trains there, writing the files itself and closing the port after', async () => {
    const ports: EmulatedMainPort[] = [];
    const runner = createUtilityProcessRunner({
      fork: forkEmulatedUtilityProcess,
      trainingPort: () => {
        const port = computeWindowPort();
        ports.push(port);
        return Promise.resolve(port);
      },
    });
    const info = await runner.start('backend-info', { preference: 'wasm' }, () => undefined).result;
    expect(info).toMatchObject({ host: 'renderer', backend: 'wasm' });
    expect(described).toEqual(['wasm']);

    const project = join(await tempDir(), 'project');
    await runner.start(
      'import',
      { folder: images, project, size: 16, channels: 1, fit: 'cover' },
      () => undefined,
    ).result;
    expect(ports).toHaveLength(1);
    const epochs: number[] = [];
    const result = await runner.start(
      'train',
      {
        project,
        backend: 'wasm',
        settings: { latentDim: 2, width: 4, epochs: 2, batchSize: 8, valFraction: 0 },
      },
      (e) => e.name === 'training.epoch' && epochs.push(e.payload.metrics.epoch),
    ).result;
    expect(result.backend).toMatchObject({ host: 'renderer', backend: 'wasm' });
    expect(trained).toEqual([16]);
    expect(epochs).toEqual([1, 2]);
    expect(await readdir(join(project, 'checkpoints'))).toEqual(
      expect.arrayContaining(['epoch-0001', 'epoch-0002', 'latest.json']),
    );
    expect(ports.map((p) => p.closedByChild)).toEqual([true, true]);
    await runner.shutdown();
  });
});
