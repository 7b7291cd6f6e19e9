import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { expect, test, type Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { defaultConfig, DEFAULT_TRAIN_OPTIONS } from '../../src-main/engine/config.js';
import {
  localTrainingHost,
  remoteTrainingHost,
  TRAINING_PORT_MESSAGE,
  socketEndpoint,
  type HostTrainHooks,
  type HostTrainResult,
  type RemoteTrainingHost,
  type TrainingHost,
  type TrainRequest,
} from '../../src-main/engine/host/index.js';
import type { BackendInfo, TrainOptions, TrainProgress, VaeConfig } from '../../src-main/engine/types.js';
import { bars } from '../helpers/tinyData.js';

/**
 * The compute page (out/compute, built by `npx vite build -c vite.compute.config.ts`) in Debian's Chromium with
 * WebGPU on SwiftShader, Chromium's software Vulkan: this test process serves the page and a WebSocket, drives
 * the page's engine through remoteTrainingHost as the desktop app drives its hidden window, and checks its
 * training against the same training on tfjs's cpu backend here.
 */
const chromium = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const PAGE_DIR = 'out/compute';
const browserMissing = !existsSync(chromium);
if (browserMissing && process.env.VAE_STUDIO_REQUIRE_E2E) {
  throw new Error(`no Chromium at ${chromium}: apt-get install chromium, or set CHROME_PATH`);
}
test.skip(browserMissing, `no Chromium at ${chromium}: apt-get install chromium, or set CHROME_PATH`);
test.describe.configure({ mode: 'serial' });

// The browser project's --disable-gpu would turn WebGPU off: this file launches its own Chromium. Headless
// Chromium on a machine without a GPU offers WebGPU only through SwiftShader, and only when asked.
test.use({
  launchOptions: {
    executablePath: chromium,
    args: [
      '--no-sandbox',
      '--enable-unsafe-webgpu',
      '--use-webgpu-adapter=swiftshader',
      '--use-angle=swiftshader',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  },
});

const config: VaeConfig = { ...defaultConfig(16, 1), width: 4, latentDim: 3 };
// 36 training images in batches of 12 and 12 held out: three steps and a validation pass per epoch.
const options: TrainOptions = {
  ...DEFAULT_TRAIN_OPTIONS,
  epochs: 2,
  batchSize: 12,
  learningRate: 3e-3,
  seed: 5,
  valFraction: 0.25,
};

const request = (backend: string): TrainRequest => ({ config, options, images: bars(48), backend });

async function resolveCpu(): Promise<BackendInfo> {
  await tf.setBackend('cpu');
  return {
    backend: 'cpu',
    device: 'cpu',
    package: '@tensorflow/tfjs-backend-cpu',
    reason: 'cpu: the reference',
    attempts: [{ backend: 'cpu', ok: true, detail: 'plain JavaScript' }],
  };
}

async function record(
  host: TrainingHost,
  req: TrainRequest,
  hooks: HostTrainHooks = {},
): Promise<{ result: HostTrainResult; progress: TrainProgress[] }> {
  const progress: TrainProgress[] = [];
  const result = await host.train(req, {
    ...hooks,
    onProgress: (p) => {
      progress.push(p);
      hooks.onProgress?.(p);
    },
  });
  return { result, progress };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.map': 'application/json',
};

/** out/compute over HTTP on loopback (a secure context, as WebGPU needs), and a WebSocket at /training. */
async function serveComputePage(): Promise<{ server: Server; sockets: WebSocketServer; origin: string }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(
      /^[/\\]+/,
      '',
    );
    if (path.startsWith('..')) return void res.writeHead(403).end();
    readFile(join(PAGE_DIR, path)).then(
      (body) =>
        res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  const sockets = new WebSocketServer({ server, path: '/training' });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, sockets, origin: `127.0.0.1:${port}` };
}

let served: Awaited<ReturnType<typeof serveComputePage>>;
let page: Page;
let remote: RemoteTrainingHost;
let reference: Awaited<ReturnType<typeof record>>;
const pageErrors: string[] = [];
const pageWarnings: string[] = [];

test.beforeAll(async ({ browser }) => {
  if (!existsSync(join(PAGE_DIR, 'compute.html'))) {
    throw new Error(
      `${PAGE_DIR}/compute.html is missing: build the page with npx vite build -c vite.compute.config.ts`,
    );
  }
  await tf.setBackend('cpu');
  reference = await record(localTrainingHost(resolveCpu), request('cpu'));
  served = await serveComputePage();
  page = await browser.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
    if (message.type() === 'warning') pageWarnings.push(message.text());
  });
  const connected = new Promise<WebSocket>((resolve) => served.sockets.once('connection', resolve));
  await page.goto(`http://${served.origin}/compute.html?ws=ws://${served.origin}/training`);
  remote = remoteTrainingHost(socketEndpoint(await connected));
});

test.afterAll(async () => {
  remote?.close();
  await page?.close();
  served?.sockets.close();
  await new Promise<void>((resolve) => (served ? served.server.close(() => resolve()) : resolve()));
});

/** |a − b| ≤ 1e-3 · |b| for every pair. */
function expectClose(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) => {
    const b = expected[i]!;
    expect(Math.abs(a - b), `value ${i}: ${a} vs ${b}`).toBeLessThanOrEqual(1e-3 * Math.abs(b));
  });
}

function expectSameLosses(run: Awaited<ReturnType<typeof record>>): void {
  expect(run.result.cancelled).toBe(false);
  expect(run.result.history).toHaveLength(options.epochs);
  expectClose(
    run.progress.map((p) => p.loss.negElbo),
    reference.progress.map((p) => p.loss.negElbo),
  );
  const terms = (r: HostTrainResult) =>
    r.history.flatMap((m) => [m.train.reconstruction, m.train.kl, m.val!.reconstruction, m.val!.kl]);
  expectClose(terms(run.result), terms(reference.result));
  // The weights the page sends back are the trained ones, close to the cpu's.
  const flat = (r: HostTrainResult) => r.weights.flatMap((w) => [...w.values]);
  const diff = Math.max(...flat(run.result).map((v, i) => Math.abs(v - flat(reference.result)[i]!)));
  expect(diff).toBeLessThan(1e-3);
}

test("the page's host says it runs WebGPU on SwiftShader, and why", async () => {
  const info = await remote.describe('webgpu');
  expect(info).toMatchObject({
    host: 'browser',
    backend: 'webgpu',
    package: '@tensorflow/tfjs-backend-webgpu',
  });
  expect(info.adapter).toMatch(/swiftshader/i);
  // A software adapter: the arithmetic runs on the CPU, and the reason says so.
  expect(info.device).toBe('cpu');
  expect(info.reason).toMatch(/^webgpu: WebGPU on google swiftshader.*software adapter/);
  // 'auto' finds no hardware GPU here either, so it keeps WebGPU on SwiftShader and says why.
  const auto = await remote.describe('auto');
  expect(auto.backend).toBe('webgpu');
  expect(auto.reason).toMatch(/no hardware GPU was offered/);
  expect(auto.attempts.map((a) => a.backend)).toEqual(['webgpu', 'webgl']);
  await expect(remote.describe('wasm')).rejects.toMatchObject({ code: 'BACKEND_INVALID' });
});

test('training on WebGPU in the page gives the losses of cpu training in Node', async () => {
  const t0 = performance.now();
  const run = await record(remote, request('webgpu'));
  console.log(
    `webgpu (SwiftShader): 2 epochs of 3 steps in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  expectSameLosses(run);
  expect(pageErrors).toEqual([]);
  // tfjs warns on the first synchronous GPU read: the training path must have none.
  expect(pageWarnings.filter((w) => /synchronously reading/.test(w))).toEqual([]);
});

test('training on WebGL in the page gives the same losses too', async () => {
  const info = await remote.describe('webgl');
  expect(info.backend).toBe('webgl');
  expect(info.adapter).toMatch(/swiftshader/i);
  const run = await record(remote, request('webgl'));
  expectSameLosses(run);
});

test('a cancel reaches the page and stops its run after the current step', async () => {
  const controller = new AbortController();
  const run = await record(remote, request('webgpu'), {
    signal: controller.signal,
    onProgress: (p) => {
      if (p.globalStep === 1) controller.abort();
    },
  });
  expect(run.result.cancelled).toBe(true);
  expect(run.result.history).toHaveLength(0);
  expect(run.progress.length).toBeLessThanOrEqual(2);
  expect(pageErrors).toEqual([]);
});

test('the page also serves over a MessagePort posted to its window, as the desktop app hands it one', async () => {
  // What the compute window's preload does with the port the main process sends: post it to the page.
  const answer = await page.evaluate(async (portMessage) => {
    type Port = {
      postMessage(message: unknown): void;
      addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
      start(): void;
      close(): void;
    };
    const view = globalThis as unknown as {
      MessageChannel: new () => { port1: Port; port2: Port };
      postMessage(message: unknown, targetOrigin: string, transfer: Port[]): void;
      location: { origin: string };
    };
    const { port1, port2 } = new view.MessageChannel();
    const reply = new Promise<unknown>((resolve) =>
      port1.addEventListener('message', (e) => resolve(e.data)),
    );
    port1.start();
    view.postMessage(portMessage, view.location.origin, [port2]);
    port1.postMessage({ type: 'describe', id: 7, backend: 'webgpu' });
    const data = await reply;
    port1.close();
    return data;
  }, TRAINING_PORT_MESSAGE);
  expect(answer).toMatchObject({
    type: 'info',
    id: 7,
    info: { host: 'renderer', backend: 'webgpu', package: '@tensorflow/tfjs-backend-webgpu' },
  });
});
