import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { MessageChannel } from 'node:worker_threads';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { defaultConfig, DEFAULT_TRAIN_OPTIONS } from '../../src-main/engine/config.js';
import {
  decodeFrame,
  encodeFrame,
  localTrainingHost,
  portEndpoint,
  remoteTrainingHost,
  serveTraining,
  socketEndpoint,
  type HostEndpoint,
  type HostTrainHooks,
  type HostTrainResult,
  type TrainingHost,
  type TrainRequest,
} from '../../src-main/engine/host/index.js';
import { VaeModel } from '../../src-main/engine/model.js';
import type {
  BackendInfo,
  EpochMetrics,
  NamedArray,
  TrainOptions,
  TrainProgress,
  VaeConfig,
} from '../../src-main/engine/types.js';
import { UserError } from '../../src-main/util/errors.js';
import { bars } from '../helpers/tinyData.js';

const config: VaeConfig = { ...defaultConfig(16, 1), width: 4, latentDim: 3 };
// 36 training images in batches of 12: three steps per epoch, every one reported.
const options: TrainOptions = {
  ...DEFAULT_TRAIN_OPTIONS,
  epochs: 2,
  batchSize: 12,
  learningRate: 3e-3,
  seed: 5,
  valFraction: 0.25,
};

const request = (overrides: Partial<TrainRequest> = {}): TrainRequest => ({
  config,
  options,
  images: bars(48),
  backend: 'cpu',
  ...overrides,
});

/** The test's resolver: tfjs's cpu backend, whatever the preference. */
async function resolveCpu(): Promise<BackendInfo> {
  await tf.setBackend('cpu');
  return {
    backend: 'cpu',
    device: 'cpu',
    package: '@tensorflow/tfjs-backend-cpu',
    reason: 'cpu: the test asks for it',
    attempts: [{ backend: 'cpu', ok: true, detail: 'plain JavaScript' }],
  };
}

const local = localTrainingHost(resolveCpu);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Everything a run said, for comparing two runs. */
interface Recorded {
  result: HostTrainResult;
  progress: TrainProgress[];
  epochWeights: NamedArray[][];
}

async function record(host: TrainingHost, req: TrainRequest, hooks: HostTrainHooks = {}): Promise<Recorded> {
  const progress: TrainProgress[] = [];
  const epochWeights: NamedArray[][] = [];
  const result = await host.train(req, {
    ...hooks,
    onProgress: (p) => {
      progress.push(p);
      hooks.onProgress?.(p);
    },
    onEpoch: async (m, preview, state, weights) => {
      epochWeights.push(weights);
      await hooks.onEpoch?.(m, preview, state, weights);
    },
  });
  return { result, progress, epochWeights };
}

/** The numbers that must repeat exactly; timings never do. */
const losses = (history: EpochMetrics[]) =>
  history.map((m) => ({ epoch: m.epoch, train: m.train, val: m.val, beta: m.beta }));
const progressLosses = (progress: TrainProgress[]) =>
  progress.map((p) => ({ epoch: p.epoch, step: p.step, globalStep: p.globalStep, loss: p.loss }));

function expectSameRun(remote: Recorded, local: Recorded): void {
  expect(losses(remote.result.history)).toEqual(losses(local.result.history));
  expect(progressLosses(remote.progress)).toEqual(progressLosses(local.progress));
  expect(remote.result.weights).toEqual(local.result.weights);
  expect(remote.epochWeights).toEqual(local.epochWeights);
  expect(remote.result.state.optimizer).toEqual(local.result.state.optimizer);
  expect(remote.result.state.globalStep).toBe(local.result.state.globalStep);
  expect(remote.result.cancelled).toBe(false);
}

/** Both ends of an in-process MessageChannel, the far one served by the local host. */
function overPorts(): {
  remote: ReturnType<typeof remoteTrainingHost>;
  far: HostEndpoint;
  near: HostEndpoint;
} {
  const { port1, port2 } = new MessageChannel();
  const far = portEndpoint(port2);
  serveTraining(far, local);
  const near = portEndpoint(port1);
  return { remote: remoteTrainingHost(near), far, near };
}

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A WebSocket server on loopback whose connections are served by the local host, and a client to it. */
async function overSocket(): Promise<{
  remote: ReturnType<typeof remoteTrainingHost>;
  server: WebSocketServer;
}> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  server.on('connection', (socket) => serveTraining(socketEndpoint(socket), local));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  const socket = new WebSocket(`ws://127.0.0.1:${port}/train`);
  // The endpoint queues what is posted while the socket connects.
  const remote = remoteTrainingHost(socketEndpoint(socket));
  cleanups.push(() => remote.close());
  return { remote, server };
}

describe('the socket framing', () => {
  it('keeps typed arrays, buffers, non-finite numbers and plain data intact', () => {
    const message = {
      f32: new Float32Array([1.5, -0, 3e-38]),
      f64: new Float64Array([Math.PI]),
      u8: new Uint8Array([0, 255, 7]),
      view: new Uint8Array([9, 8, 7, 6, 5]).subarray(1, 4),
      buffer: Buffer.from([1, 2, 3]),
      raw: new Uint16Array([65535, 2]).buffer,
      numbers: [NaN, Infinity, -Infinity, 0.1],
      nested: { name: 'encoder/conv0/kernel', shape: [4, 4, 1, 4], empty: new Int32Array(0) },
      nothing: null,
    };
    const back = decodeFrame(encodeFrame(message)) as typeof message;
    expect(back.f32).toBeInstanceOf(Float32Array);
    expect([...back.f32]).toEqual([1.5, -0, new Float32Array([3e-38])[0]]);
    expect(Object.is(back.f32[1], -0)).toBe(true);
    expect([...back.f64]).toEqual([Math.PI]);
    expect([...back.u8]).toEqual([0, 255, 7]);
    expect([...back.view]).toEqual([8, 7, 6]);
    expect(back.buffer).toBeInstanceOf(Uint8Array);
    expect([...back.buffer]).toEqual([1, 2, 3]);
    expect([...new Uint16Array(back.raw)]).toEqual([65535, 2]);
    expect(back.numbers).toEqual([NaN, Infinity, -Infinity, 0.1]);
    expect(back.nested.shape).toEqual([4, 4, 1, 4]);
    expect(back.nested.empty).toBeInstanceOf(Int32Array);
    expect(back.nested.empty).toHaveLength(0);
    expect(back.nothing).toBeNull();
  });
});

describe('a remote training host', () => {
  let reference: Recorded;
  beforeAll(async () => {
    reference = await record(local, request());
  });

  it('trains over a MessagePort exactly as the local host does: losses, progress, epoch and final weights', async () => {
    const { remote } = overPorts();
    cleanups.push(() => remote.close());
    expect(await remote.describe('cpu')).toEqual(await local.describe('cpu'));
    expect((await remote.describe('cpu')).host).toBe('node');
    const req = request();
    const run = await record(remote, req);
    // The pixels were moved to the far side, not copied.
    expect(req.images.pixels.byteLength).toBe(0);
    expect(run.result.history).toHaveLength(2);
    expect(run.progress).toHaveLength(6);
    expectSameRun(run, reference);
  });

  it("works over ports shaped like Electron's MessagePortMain: events with .data, no buffer transfers", async () => {
    /** Half of a fake MessageChannelMain: an EventEmitter whose 'message' listeners get `{ data, ports }`. */
    class MainPort extends EventEmitter {
      other!: MainPort;
      transfers: number[] = [];
      postMessage(message: unknown, transfer: unknown[]): void {
        this.transfers.push(transfer.length);
        const data = structuredClone(message);
        setImmediate(() => this.other.emit('message', { data, ports: [] }));
      }
      start(): void {}
      close(): void {
        this.emit('close');
        this.other.emit('close');
      }
    }
    const a = new MainPort();
    const b = new MainPort();
    a.other = b;
    b.other = a;
    const electronPort = { emitterMessages: 'event', transfersBuffers: false } as const;
    serveTraining(portEndpoint(b, electronPort), local);
    const remote = remoteTrainingHost(portEndpoint(a, electronPort));
    cleanups.push(() => remote.close());
    expect((await remote.describe('cpu')).backend).toBe('cpu');
    const run = await record(remote, request({ options: { ...options, epochs: 1 } }));
    expect(losses(run.result.history)).toEqual(losses(reference.result.history.slice(0, 1)));
    expect([...a.transfers, ...b.transfers].every((n) => n === 0)).toBe(true);
  });

  it('trains over a WebSocket exactly as the local host does', async () => {
    const { remote } = await overSocket();
    expect(await remote.describe()).toEqual(await local.describe());
    const run = await record(remote, request());
    expectSameRun(run, reference);
  });

  it('carries a conditional model’s class labels with the images, over a MessagePort and a WebSocket', async () => {
    // bars(): even images vertical, odd horizontal: their class.
    const labelled = (): TrainRequest => {
      const images = bars(48);
      images.labels = Uint16Array.from({ length: 48 }, (_, i) => i % 2);
      return request({ config: { ...config, conditional: true, classes: ['h', 'v'] }, images });
    };
    const here = await record(local, labelled());
    expect(here.result.weights.find((w) => w.name === 'decoder/dense/kernel')!.shape).toEqual([3 + 2, 128]);
    const { remote } = overPorts();
    cleanups.push(() => remote.close());
    expectSameRun(await record(remote, labelled()), here);
    const socket = await overSocket();
    expectSameRun(await record(socket.remote, labelled()), here);
    // Without the labels a conditional model does not train.
    const unlabelled = { ...labelled(), images: bars(48) };
    await expect(record(remote, unlabelled)).rejects.toMatchObject({
      code: 'DATASET_MISMATCH',
      message: 'the model is conditional on 2 classes, but none of the images carry a class label',
    });
  });

  it('resumes from weights and state sent over the channel as the local host does', async () => {
    const first = await record(local, request({ options: { ...options, epochs: 1 } }));
    const resume = (): TrainRequest => request({ weights: first.result.weights, state: first.result.state });
    const { remote } = overPorts();
    cleanups.push(() => remote.close());
    const resumed = await record(remote, resume());
    expect(resumed.result.history).toHaveLength(2);
    expect(losses(resumed.result.history)).toEqual(losses(reference.result.history));
    expect(resumed.result.weights).toEqual(reference.result.weights);
  });

  it('stops after the current step when cancelled, with cancelled: true and the last whole epoch', async () => {
    const { remote } = overPorts();
    cleanups.push(() => remote.close());
    // Cancelled inside epoch 2: epoch 1 stands, the partial epoch is dropped.
    const controller = new AbortController();
    let stepsAfterAbort = -1;
    const run = await record(remote, request(), {
      signal: controller.signal,
      onProgress: (p) => {
        if (controller.signal.aborted) stepsAfterAbort += 1;
        if (p.epoch === 2 && p.step === 1) {
          controller.abort();
          stepsAfterAbort = 0;
        }
      },
    });
    expect(run.result.cancelled).toBe(true);
    expect(run.result.history).toHaveLength(1);
    expect(losses(run.result.history)).toEqual(losses(reference.result.history.slice(0, 1)));
    expect(run.result.state.epoch).toBe(1);
    // At most the step already under way when the cancel arrived.
    expect(stepsAfterAbort).toBeGreaterThanOrEqual(0);
    expect(stepsAfterAbort).toBeLessThanOrEqual(1);
    expect(run.result.weights).toEqual(reference.epochWeights[0]);
  });

  it('cancels before the first step when the signal is already aborted', async () => {
    const { remote } = await overSocket();
    const run = await record(remote, request(), { signal: AbortSignal.abort() });
    expect(run.result.cancelled).toBe(true);
    expect(run.progress).toHaveLength(0);
    const fresh = VaeModel.create(config, options.seed);
    expect(run.result.weights).toEqual(fresh.getWeights());
    fresh.dispose();
  });

  it("rejects an invalid request with the far side's code and message", async () => {
    const wrongSize = (): TrainRequest => request({ images: bars(10, 8) });
    const localError = await local.train(wrongSize()).catch((e: unknown) => e);
    expect(localError).toBeInstanceOf(UserError);
    expect(localError).toMatchObject({ code: 'DATASET_MISMATCH' });

    for (const { remote } of [overPorts(), await overSocket()]) {
      cleanups.push(() => remote.close());
      const error = await remote.train(wrongSize()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect(error).toMatchObject({
        code: 'DATASET_MISMATCH',
        message: 'the images are 8×8×1 but the model takes 16×16×1',
      });
      expect((error as Error).message).toBe((localError as Error).message);
    }
    // A near side other than remoteTrainingHost: the far side checks the shape of what arrives.
    const { near, remote } = overPorts();
    cleanups.push(() => remote.close());
    const answer = new Promise<unknown>((resolve) =>
      near.subscribe({ onMessage: (m) => (m as { id?: number }).id === 99 && resolve(m) }),
    );
    near.postMessage({ type: 'train', id: 99, request: { ...request(), images: { count: 1, size: 16 } } });
    expect(await answer).toEqual({
      type: 'failed',
      id: 99,
      error: {
        name: 'UserError',
        code: 'INVALID_REQUEST',
        message: "the training request's images.pixels is not a Uint8Array",
      },
    });
    await expect(remote.train(request({ config: { ...config, latentDim: 0 } }))).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
    });
  });

  it('rejects with a clear message when the far port closes mid-run', async () => {
    const { remote, far } = overPorts();
    const error = await remote
      .train(request(), {
        onProgress: (p) => {
          if (p.globalStep === 2) far.close();
        },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ code: 'HOST_CLOSED' });
    expect((error as Error).message).toMatch(/^the training host closed: the message port was closed/);
    // And every later call says the same at once.
    await expect(remote.describe()).rejects.toMatchObject({ code: 'HOST_CLOSED' });
  });

  it('rejects with a clear message when the WebSocket drops mid-run', async () => {
    const { remote, server } = await overSocket();
    const error = await remote
      .train(request(), {
        onProgress: (p) => {
          if (p.globalStep === 2) for (const client of server.clients) client.terminate();
        },
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'HOST_CLOSED' });
    expect((error as Error).message).toMatch(/^the training host closed: the WebSocket closed \(code 1006/);
  });

  it("stops the far side's run with this side's error when an epoch listener throws", async () => {
    const { remote } = overPorts();
    cleanups.push(() => remote.close());
    const diskFull = new Error('disk full');
    const progress: TrainProgress[] = [];
    const error = await remote
      .train(request(), {
        onProgress: (p) => progress.push(p),
        onEpoch: () => {
          throw diskFull;
        },
      })
      .catch((e: unknown) => e);
    expect(error).toBe(diskFull);
    expect(progress.every((p) => p.epoch === 1)).toBe(true);
  });
});
