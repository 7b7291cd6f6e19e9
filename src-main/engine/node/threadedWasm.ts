/**
 * Starts tfjs-backend-wasm's threaded SIMD build under Node, which the package itself will not do.
 *
 * The package's `init()` (backend_wasm.ts) turns the threaded build off whenever `IS_NODE` (tensorflow/tfjs#3830),
 * and could not start it anyway: its Emscripten `locateFile` hands the pthread worker script over as a `blob:` URL
 * and `mainScriptUrlOrBlob` as a Blob, and Node's `worker_threads` only start workers from files
 * (ERR_WORKER_PATH). Everything else the build needs ships in the package's `wasm-out/` folder: the Emscripten
 * glue (`tfjs-backend-wasm-threaded-simd.js`, a CommonJS factory), the worker's source (exported as a string by
 * `tfjs-backend-wasm-threaded-simd.worker.js`) and the `.wasm`. So this module runs the glue itself, with the
 * three hooks Emscripten documents for this:
 *
 * - `locateFile`: the worker source written to a file in a private `mkdtemp` folder under `os.tmpdir()`;
 * - `mainScriptUrlOrBlob`: a copy of the glue in the same folder, which each worker `importScripts` (reads and
 *   evaluates) to become a pthread;
 * - `instantiateWasm`: instantiates the `.wasm` with one import replaced. backend.cc caps the XNNPACK pool at
 *   `emscripten_num_logical_cores() / 2` (read once, when the module starts), i.e. one thread on a 2-core
 *   machine whatever `setThreadsCount` asks (tensorflow/tfjs#8513); the replacement reports twice the threads
 *   wanted, so the cap is the count asked for.
 *
 * The finished module goes into the package's own exported `BackendWasm`, so every wasm kernel (the package's and
 * ours) runs unchanged. Nothing in node_modules is modified. The temporary folder is removed as soon as the
 * workers have loaded (they read their files once, at start), and the pool workers XNNPACK did not take are
 * ended: it starts its threads once, in `init_with_threads_count`, and never asks for another.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

/**
 * The most threads the threaded build can run: the glue starts a pool of 8 pthread workers (PTHREAD_POOL_SIZE)
 * and backend.cc caps XNNPACK at 8 threads (the caller plus 7 workers). Asking for more would need a worker beyond
 * the pool, started while the main thread waits for it, which deadlocks.
 */
export const MAX_WASM_THREADS = 8;

/** How long the module and its 8 workers may take to start (about 0.1 s on the build machines). */
const DEFAULT_START_TIMEOUT_MS = 30_000;

const WASM_OUT = '@tensorflow/tfjs-backend-wasm/wasm-out';
const GLUE = 'tfjs-backend-wasm-threaded-simd.js';
const WORKER_SOURCE = 'tfjs-backend-wasm-threaded-simd.worker.js';
const BINARY = 'tfjs-backend-wasm-threaded-simd.wasm';

const requireHere = createRequire(import.meta.url);

/** The Emscripten module BackendWasm takes. */
type WasmModule = ConstructorParameters<typeof BackendWasm>[0];

/** The part of Emscripten's pthread bookkeeping (`Module.PThread`) this module uses. */
interface PThreadPool {
  unusedWorkers: Worker[];
  runningWorkers: Worker[];
  terminateAllThreads(): void;
}

/** A worker as the glue decorates it: it calls `onerror` from its 'error' listener (and rethrows). */
type GlueWorker = Worker & { onerror?: (error: unknown) => void };

/**
 * The little of the WebAssembly JS API used here (this project's `lib` has no DOM and @types/node 20 does not
 * declare the namespace).
 */
type WasmImports = Record<string, Record<string, unknown> | undefined>;
interface WasmInstantiated {
  instance: object;
  module: object;
}
const wasmApi = (
  globalThis as unknown as {
    WebAssembly: { instantiate(bytes: Uint8Array, imports: WasmImports): Promise<WasmInstantiated> };
  }
).WebAssembly;

type Instantiated = (instance: object, module: object) => void;

/** The Module object handed to the glue's factory; the glue fills in the rest (PThread, cwrap, HEAP views…). */
interface FactoryConfig {
  locateFile(path: string, prefix: string): string;
  mainScriptUrlOrBlob: string;
  instantiateWasm(imports: WasmImports, receive: Instantiated): object;
  PThread?: PThreadPool;
}

type GlueFactory = (config: FactoryConfig) => Promise<unknown>;

/** Emscripten's `cwrap`: a JavaScript function calling an exported C function. */
type Cwrap = (
  name: string,
  returnType: 'number' | null,
  argTypes: 'number'[],
) => (...args: number[]) => unknown;

export interface ThreadedWasmOptions {
  /** Default 30 s. */
  startTimeoutMs?: number;
  /** Replaces the pthread worker's source (tests use it to make a worker fail). */
  workerSource?: string;
}

export interface ThreadedWasm {
  backend: BackendWasm;
  /** XNNPACK's own count (`get_threads_count`), the calling thread included. */
  threads: number;
}

/** The priority @tensorflow/tfjs-backend-wasm registers 'wasm' with (its base.ts). */
const WASM_PRIORITY = 2;

type BackendFactory = ReturnType<typeof tf.findBackendFactory>;

export interface InstalledThreads {
  /** XNNPACK's own thread count. */
  threads: number;
  /** True when an earlier call had installed it already (this call changed nothing). */
  reused: boolean;
  /** Gives 'wasm' back to the package's factory (its single-threaded build), disposing the threaded backend. */
  restore: () => void;
}

/** What {@link installThreadedWasm} put in place, while it is in place. */
let installed: { factory: BackendFactory; threads: number; restore: () => void } | undefined;

/**
 * Replaces the package's 'wasm' registration, whose `init()` would start the single-threaded build, with the
 * threaded build on `threads` threads; `tf.setBackend('wasm')` then activates it. Throws, changing nothing, when
 * it cannot: not Node, wasm already started single-threaded, or {@link startThreadedWasm} failed. Called again
 * while its backend is registered, it answers with that one, whatever `threads` says.
 */
export async function installThreadedWasm(
  threads: number,
  options: ThreadedWasmOptions = {},
): Promise<InstalledThreads> {
  if (installed !== undefined && tf.findBackendFactory('wasm') === installed.factory) {
    return { threads: installed.threads, reused: true, restore: installed.restore };
  }
  installed = undefined;
  // Browsers get the package's own threaded build when the page is cross-origin isolated.
  if (!tf.env().getBool('IS_NODE')) throw new Error('only started this way under Node');
  if (tf.findBackend('wasm') !== null) throw new Error('the wasm backend had already been started');
  const original = tf.findBackendFactory('wasm') as BackendFactory | null | undefined;
  if (original === null || original === undefined) {
    throw new Error("@tensorflow/tfjs-backend-wasm registered no 'wasm' backend");
  }
  const first = await startThreadedWasm(threads, options);
  let prepared: ThreadedWasm | undefined = first;
  const factory = async () => {
    // The prepared backend the first time; a fresh module should tfjs dispose of it and ask again.
    const use = prepared ?? (await startThreadedWasm(threads, options));
    prepared = undefined;
    return use.backend;
  };
  const restore = () => {
    if (installed?.factory === factory) installed = undefined;
    if (tf.findBackendFactory('wasm') !== factory) return;
    tf.removeBackend('wasm');
    tf.registerBackend('wasm', original, WASM_PRIORITY);
  };
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', factory, WASM_PRIORITY);
  installed = { factory, threads: first.threads, restore };
  return { threads: first.threads, reused: false, restore };
}

/**
 * Starts the threaded SIMD build with `threads` XNNPACK threads (2…{@link MAX_WASM_THREADS}) and returns a ready
 * `BackendWasm` on it, not yet registered with tfjs. Rejects, leaving no worker running and no file behind, if
 * anything fails; the caller then uses the package's single-threaded build.
 */
export async function startThreadedWasm(
  threads: number,
  options: ThreadedWasmOptions = {},
): Promise<ThreadedWasm> {
  if (!Number.isInteger(threads) || threads < 2 || threads > MAX_WASM_THREADS) {
    throw new Error(`the threaded build takes 2 to ${MAX_WASM_THREADS} threads, not ${threads}`);
  }
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics.wait !== 'function') {
    throw new Error('this runtime has no SharedArrayBuffer/Atomics.wait, which WebAssembly threads need');
  }
  const gluePath = requireHere.resolve(`${WASM_OUT}/${GLUE}`);
  const binaryPath = join(dirname(gluePath), BINARY);
  const workerSource = options.workerSource ?? readWorkerSource();
  const factory = requireHere(gluePath) as unknown;
  if (typeof factory !== 'function') throw new Error(`${GLUE} does not export the module factory`);

  const folder = mkdtempSync(join(tmpdir(), 'vae-studio-wasm-'));
  const workerFile = join(folder, 'pthread-worker.cjs');
  const mainScript = join(folder, GLUE);
  const hadWorker = Object.hasOwn(globalThis, 'Worker');
  const previousWorker: unknown = (globalThis as { Worker?: unknown }).Worker;
  let config: FactoryConfig | undefined;
  try {
    // A .cjs name: the folder has no package.json, but a stray one above it must not make this an ES module.
    writeFileSync(workerFile, workerSource, { mode: 0o600 });
    writeFileSync(mainScript, readFileSync(gluePath), { mode: 0o600 });
    const started = await startModule(factory as GlueFactory, {
      workerFile,
      mainScript,
      binaryPath,
      threads,
      timeoutMs: options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
      onConfig: (c) => (config = c),
    });
    return createBackend(started, threads);
  } catch (err) {
    config?.PThread?.terminateAllThreads();
    throw err;
  } finally {
    // The workers have read both files by now (or will never need them).
    rmSync(folder, { recursive: true, force: true });
    // The glue sets `global.Worker = require('worker_threads').Worker` and only uses it to grow its pool, which
    // the thread cap rules out; leave the process's globals as they were.
    if (hadWorker) (globalThis as { Worker?: unknown }).Worker = previousWorker;
    else delete (globalThis as { Worker?: unknown }).Worker;
  }
}

/**
 * The worker source as the package's own `init()` uses it: `wasm-out/…worker.js` exports it as a template literal,
 * which turned the `"\n"` in the worker's error printer into a real newline inside a string literal; escape it
 * back, as the package does before making its Blob.
 */
function readWorkerSource(): string {
  const exported = requireHere(`${WASM_OUT}/${WORKER_SOURCE}`) as { wasmWorkerContents?: unknown };
  const source = exported.wasmWorkerContents;
  if (typeof source !== 'string' || !source.includes('importScripts')) {
    throw new Error(`${WORKER_SOURCE} does not export the pthread worker source`);
  }
  return source.replace(/\n/g, '\\n');
}

interface StartParams {
  workerFile: string;
  mainScript: string;
  binaryPath: string;
  threads: number;
  timeoutMs: number;
  onConfig(config: FactoryConfig): void;
}

/** Runs the glue's factory and waits until the module and all its pool workers are loaded. */
function startModule(factory: GlueFactory, p: StartParams): Promise<FactoryConfig> {
  return new Promise<FactoryConfig>((resolve, reject) => {
    // Errors before the start succeeds fail it (and are swallowed); after, they are the glue's to handle.
    let state: 'starting' | 'started' | 'failed' = 'starting';
    const fail = (why: string) => {
      if (state !== 'starting') return;
      state = 'failed';
      clearTimeout(timer);
      reject(new Error(why));
    };
    const timer = setTimeout(
      () => fail(`the module and its pthread workers did not start within ${p.timeoutMs / 1000} s`),
      p.timeoutMs,
    );
    timer.unref();

    const config: FactoryConfig = {
      locateFile: (path, prefix) => {
        if (path.endsWith('.worker.js')) return p.workerFile;
        if (path.endsWith('.wasm')) return p.binaryPath;
        return prefix + path;
      },
      mainScriptUrlOrBlob: p.mainScript,
      instantiateWasm: (imports, receive) => {
        instantiate(imports, p.binaryPath, p.threads).then(
          ({ instance, module }) => {
            if (state !== 'starting') return;
            // Posts each pool worker its 'load' message and gives it the glue's message and error handlers.
            receive(instance, module);
            // Until the module is up, a worker's error fails the start (and so falls back to one thread)
            // instead of being rethrown by the glue, which would end the process.
            for (const worker of pool(config)) {
              const glueOnError = (worker as GlueWorker).onerror;
              (worker as GlueWorker).onerror = (error: unknown) => {
                if (state === 'started') glueOnError?.call(worker, error);
                else fail(`a pthread worker failed while loading: ${describe(error)}`);
              };
            }
          },
          (err: unknown) => fail(`the threaded .wasm did not instantiate: ${describe(err)}`),
        );
        return {};
      },
    };
    p.onConfig(config);

    let ready: Promise<unknown>;
    try {
      ready = factory(config);
    } catch (err) {
      fail(`the threaded module failed to start: ${describe(err)}`);
      return;
    }
    // The factory has created the pool's workers synchronously. Listen before any of their events can arrive:
    // an 'error' with no listener would be thrown, and the glue attaches its own only once the .wasm is compiled.
    for (const worker of pool(config)) {
      worker.on('error', (error: unknown) =>
        fail(`a pthread worker failed while loading: ${describe(error)}`),
      );
      worker.once('exit', (code: number) => fail(`a pthread worker exited with code ${code} while loading`));
    }
    ready.then(
      () => {
        if (state !== 'starting') return;
        state = 'started';
        clearTimeout(timer);
        resolve(config);
      },
      (err: unknown) => fail(`the threaded module aborted: ${describe(err)}`),
    );
  });
}

function pool(config: FactoryConfig): Worker[] {
  const threads = config.PThread;
  return threads === undefined ? [] : [...threads.unusedWorkers, ...threads.runningWorkers];
}

async function instantiate(
  imports: WasmImports,
  binaryPath: string,
  threads: number,
): Promise<WasmInstantiated> {
  const env = imports['env'];
  if (env === undefined || typeof env['emscripten_num_logical_cores'] !== 'function') {
    throw new Error('the glue no longer imports emscripten_num_logical_cores; cannot set the thread cap');
  }
  // backend.cc: num_cores = emscripten_num_logical_cores() / 2, and the pool gets min(asked, num_cores, 8).
  const patchedEnv = { ...env, emscripten_num_logical_cores: () => 2 * threads };
  const bytes = await readFile(binaryPath);
  return wasmApi.instantiate(bytes, { ...imports, env: patchedEnv });
}

/** Wraps the module as the package's `init()` does, then lets the package's BackendWasm start XNNPACK on it. */
function createBackend(config: FactoryConfig, threads: number): ThreadedWasm {
  const module = config as unknown as WasmModule & { cwrap: Cwrap; PThread: PThreadPool };
  const cwrap = module.cwrap;
  module.tfjs = {
    init: cwrap('init', null, []),
    initWithThreadsCount: cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: cwrap('get_threads_count', 'number', []),
    registerTensor: cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: cwrap('dispose_data', null, ['number']),
    dispose: cwrap('dispose', null, []),
  } as WasmModule['tfjs'];
  // BackendWasm's constructor reads the package's module-level count; put the default back for anyone after us.
  setThreadsCount(threads);
  let backend: BackendWasm;
  try {
    backend = new BackendWasm(module);
  } finally {
    setThreadsCount(-1);
  }
  // XNNPACK's pool threads wait for work for ever and Emscripten ref()s a worker while its thread runs; unref
  // them so that they never keep the process (or the job worker) alive. Idle pool workers are unref'd already.
  for (const worker of module.PThread.runningWorkers) worker.unref();
  // XNNPACK started all the threads it will ever use; the rest of the pool (8 − threads + 1 workers, each a V8
  // isolate of about 9 MB) would idle for ever.
  for (const worker of module.PThread.unusedWorkers.splice(0)) void worker.terminate();
  return { backend, threads: module.tfjs.getThreadsCount() };
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n', 1)[0] ?? err.message;
  if (typeof err === 'object' && err !== null && 'message' in err) return String(err.message);
  return String(err);
}

/**
 * One small XNNPACK convolution on the active backend against a plain-JavaScript reference: proves that the
 * threads run and agree before training relies on them. Returns what went wrong, or undefined.
 */
export function checkConv2d(): string | undefined {
  const [n, h, w, c, k, o] = [1, 12, 12, 8, 3, 16];
  const x = Float32Array.from({ length: n * h * w * c }, (_, i) => Math.sin(i * 0.37));
  const f = Float32Array.from({ length: k * k * c * o }, (_, i) => Math.cos(i * 0.11));
  const got = tf.tidy(() =>
    tf.conv2d(tf.tensor4d(x, [n, h, w, c]), tf.tensor4d(f, [k, k, c, o]), 1, 'same').dataSync(),
  );
  let worst = 0;
  for (let y = 0; y < h; y++) {
    for (let xx = 0; xx < w; xx++) {
      for (let oc = 0; oc < o; oc++) {
        let sum = 0;
        for (let ky = 0; ky < k; ky++) {
          for (let kx = 0; kx < k; kx++) {
            const iy = y + ky - 1;
            const ix = xx + kx - 1;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            for (let ic = 0; ic < c; ic++) {
              sum += (x[(iy * w + ix) * c + ic] ?? 0) * (f[((ky * k + kx) * c + ic) * o + oc] ?? 0);
            }
          }
        }
        worst = Math.max(worst, Math.abs((got[(y * w + xx) * o + oc] ?? NaN) - sum));
      }
    }
  }
  // Sums of up to 72 products of magnitude ≤ 1 in float32: 1e-3 is generous, a wrong result is off by ≥ 0.1.
  return worst <= 1e-3 ? undefined : `a check convolution was off by ${worst.toPrecision(3)}`;
}
