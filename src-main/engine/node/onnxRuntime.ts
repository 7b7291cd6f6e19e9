/**
 * ONNX Runtime for Node (`onnxruntime-node`, an optional dependency whose npm package carries its CPU binaries for
 * Linux, macOS and Windows): native, multi-threaded CPU inference, several times the wasm backend's speed on the
 * same graph (docs/benchmarks.md). Loaded once, on first use; where it is missing or will not load, the callers
 * fall back to tfjs, which always works. `VAE_STUDIO_ONNX=off` turns it off.
 */
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import type * as Ort from 'onnxruntime-node';
import { log } from '../../util/log.js';
import { onnxModelBytes, type OnnxGraph } from '../onnx/onnxModel.js';

export type OnnxRuntimeModule = typeof Ort;
export type OnnxSession = Ort.InferenceSession;

/** Set to `off` (or 0, false, no) to keep every computation on tfjs. */
export const ONNX_ENV_VAR = 'VAE_STUDIO_ONNX';
/** Threads ONNX Runtime computes on (a whole number ≥ 1); one per core when unset. */
export const ONNX_THREADS_ENV_VAR = 'VAE_STUDIO_ONNX_THREADS';

/** ONNX Runtime loaded and proven: the module, and what runs it in words ("ONNX Runtime 1.30.0, 2 threads"). */
export interface OnnxReady {
  ok: true;
  ort: OnnxRuntimeModule;
  version: string;
  threads: number;
  runtime: string;
}

export type OnnxAvailability = OnnxReady | { ok: false; reason: string };

let loading: Promise<OnnxAvailability> | null = null;

/**
 * Whether work should leave tfjs for ONNX Runtime: when tfjs runs on WebAssembly or plain JavaScript. A GPU
 * backend, or native TensorFlow, keeps the work.
 */
function nativeCpuPays(): boolean {
  let backend: string;
  try {
    backend = tf.getBackend();
  } catch {
    return false; // no backend started yet: nothing to compare with
  }
  return backend === 'wasm' || backend === 'cpu';
}

/**
 * ONNX Runtime for work (inference, or training's gradients) that would otherwise run on tfjs's CPU backends
 * ({@link nativeCpuPays}); null where tfjs keeps it, saying why in the log when ONNX Runtime is the reason.
 */
export async function onnxInPlaceOfTfjs(what: string): Promise<OnnxReady | null> {
  if (!nativeCpuPays()) return null;
  const available = await onnxRuntime();
  if (available.ok) return available;
  log.info('engine', `${what} on tfjs: ${available.reason}`);
  return null;
}

/** Whether ONNX Runtime can run here, and the module when it can; asked once per process. */
export function onnxRuntime(): Promise<OnnxAvailability> {
  const setting = (process.env[ONNX_ENV_VAR] ?? '').trim().toLowerCase();
  if (['off', '0', 'false', 'no'].includes(setting)) {
    return Promise.resolve({ ok: false, reason: `${ONNX_ENV_VAR}=${setting} turns ONNX Runtime off` });
  }
  loading ??= load();
  return loading;
}

async function load(): Promise<OnnxAvailability> {
  try {
    const ort = await import('onnxruntime-node');
    const version = ort.env.versions.node ?? ort.env.versions.common ?? 'unknown';
    const threads = onnxThreads();
    const available: OnnxReady = {
      ok: true,
      ort,
      version,
      threads,
      runtime: `ONNX Runtime ${version}, ${threads} ${threads === 1 ? 'thread' : 'threads'}`,
    };
    // The module can load without its native library, and a host can refuse the buffers it hands back (Electron's
    // V8 memory cage refuses external ones): one tiny run proves both, or the callers take tfjs.
    const probe = await createOnnxSession(available, {
      name: 'probe',
      nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }],
      initializers: [],
      inputs: [{ name: 'x', shape: [1] }],
      outputs: [{ name: 'y', shape: [1] }],
    });
    try {
      const out = await probe.run({ x: new ort.Tensor('float32', Float32Array.from([2]), [1]) });
      if (out.y?.data[0] !== 2) throw new Error('a test run gave a wrong answer');
    } finally {
      await probe.release();
    }
    return available;
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0]! : String(err);
    return { ok: false, reason: `onnxruntime-node did not load: ${message}` };
  }
}

/** {@link ONNX_THREADS_ENV_VAR} when it holds a whole number ≥ 1, else one thread per core. */
function onnxThreads(): number {
  const given = Number((process.env[ONNX_THREADS_ENV_VAR] ?? '').trim());
  return Number.isInteger(given) && given >= 1 ? given : availableParallelism();
}

/** A CPU session of `graph`, on {@link onnxThreads} threads. */
export async function createOnnxSession(available: OnnxReady, graph: OnnxGraph): Promise<OnnxSession> {
  return available.ort.InferenceSession.create(onnxModelBytes(graph), {
    executionProviders: ['cpu'],
    intraOpNumThreads: available.threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    // Errors still reject; ORT's warnings (graph tidying) are for its developers, not our users' terminals.
    logSeverityLevel: 3,
  });
}
