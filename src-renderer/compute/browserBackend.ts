/**
 * Picks the tfjs backend of the compute page and says what it picked and why: WebGPU, then WebGL 2, then the
 * plain-JavaScript cpu backend. A hardware GPU wins over a software one (SwiftShader, llvmpipe), whichever API
 * it speaks; among software ones WebGPU comes first. The browser twin of engine/node/backend.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import type { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import {
  BackendCache,
  registerWebGpuKernelFixes,
  UserError,
  type BackendAttempt,
  type BackendInfo,
} from '../../src-main/engine/index.js';

/** What the page can be asked for: 'auto' (the order above) or one backend only. */
export type BrowserBackendPreference = 'auto' | 'webgpu' | 'webgl' | 'cpu';

export const BROWSER_BACKENDS: readonly BrowserBackendPreference[] = ['auto', 'webgpu', 'webgl', 'cpu'];

/** A backend that started, before the choice between several is made. */
interface Started {
  report: Omit<BackendInfo, 'attempts'>;
  /** Runs on real GPU hardware (not a software rasteriser). */
  hardware: boolean;
}

type TryResult = { ok: true; started: Started; detail: string } | { ok: false; detail: string };

/** Names of software GPUs: the arithmetic runs on the CPU however the API looks. */
const SOFTWARE_GPU = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render|warp/i;

const cache = new BackendCache<BrowserBackendPreference, BackendInfo>();

/**
 * Activates the backend `preference` asks for and reports it, with the GPU adapter in words. Cached per
 * preference; a later call only re-activates it. Calls are serialised, since each switches tfjs's one global
 * backend.
 *
 * @throws UserError 'BACKEND_INVALID' for a preference this page does not know ('wasm' and 'tensorflow' are
 *   Node's); 'BACKEND_UNAVAILABLE' when nothing the preference allows starts (the message lists every attempt).
 */
export async function resolveBrowserBackend(preference: string | undefined): Promise<BackendInfo> {
  const wanted = (preference ?? 'auto').trim().toLowerCase();
  if (!isBrowserPreference(wanted)) {
    throw new UserError(
      'BACKEND_INVALID',
      `the compute page has no '${wanted}' backend; choose one of ${BROWSER_BACKENDS.join(', ')}`,
    );
  }
  const report = await cache.get(wanted, () => resolveUncached(wanted));
  return { ...report, attempts: report.attempts.map((a) => ({ ...a })) };
}

function isBrowserPreference(value: string): value is BrowserBackendPreference {
  return (BROWSER_BACKENDS as readonly string[]).includes(value);
}

async function resolveUncached(preference: BrowserBackendPreference): Promise<BackendInfo> {
  const steps: { label: string; attempt: () => Promise<TryResult> }[] = [];
  if (preference === 'auto' || preference === 'webgpu') steps.push({ label: 'webgpu', attempt: tryWebGpu });
  if (preference === 'auto' || preference === 'webgl') steps.push({ label: 'webgl', attempt: tryWebGl });
  if (preference === 'auto' || preference === 'cpu') steps.push({ label: 'cpu', attempt: tryCpu });

  const attempts: BackendAttempt[] = [];
  // The first software GPU that started: used if no hardware one follows.
  let software: Started | undefined;
  for (const step of steps) {
    // On 'auto' a software GPU beats plain JavaScript: once one started, cpu is not worth trying.
    if (step.label === 'cpu' && software !== undefined) break;
    let result: TryResult;
    try {
      result = await step.attempt();
    } catch (err) {
      result = { ok: false, detail: `failed: ${firstLine(err)}` };
    }
    attempts.push({ backend: step.label, ok: result.ok, detail: result.detail });
    if (!result.ok) continue;
    // On 'auto' a software GPU is kept in reserve while a hardware one may still come.
    if (result.started.hardware || preference !== 'auto' || step.label === 'cpu') {
      return finish(result.started, attempts);
    }
    software ??= result.started;
  }
  if (software !== undefined) return finish(software, attempts, 'no hardware GPU was offered');
  const tried = attempts.map((a) => `${a.backend}: ${a.detail}`).join('; ');
  throw new UserError('BACKEND_UNAVAILABLE', `no '${preference}' backend could be started. Tried ${tried}`);
}

/** Activates the chosen backend (another may have been tried since) and writes the reason. */
async function finish(chosen: Started, attempts: BackendAttempt[], why?: string): Promise<BackendInfo> {
  if (tf.getBackend() !== chosen.report.backend && !(await tf.setBackend(chosen.report.backend))) {
    throw new UserError('BACKEND_UNAVAILABLE', `the ${chosen.report.backend} backend would not start again`);
  }
  const skipped = attempts
    .filter((a) => a.backend !== chosen.report.backend)
    .map((a) => `${a.backend}: ${a.detail}`);
  const notes = [...(why ? [why] : []), ...skipped];
  const reason = notes.length === 0 ? chosen.report.reason : `${chosen.report.reason} (${notes.join('; ')})`;
  return { ...chosen.report, reason, attempts };
}

/** WebGPU: needs a secure context, an adapter, and tfjs's webgpu backend to start on it. */
async function tryWebGpu(): Promise<TryResult> {
  if (!('gpu' in navigator)) {
    return {
      ok: false,
      detail: isSecureContext
        ? 'this browser offers no WebGPU (navigator.gpu is missing)'
        : 'WebGPU needs a secure context (https, localhost or a file), and this page is not one',
    };
  }
  if (!tf.engine().registryFactory.webgpu) {
    return { ok: false, detail: 'the tfjs webgpu backend did not register' };
  }
  // The adapter tfjs itself asks for ('high-performance'), so the words describe the one that runs.
  const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null) {
    return {
      ok: false,
      detail: 'no WebGPU adapter: the GPU is blocklisted or WebGPU is off (chrome://gpu says which)',
    };
  }
  // Chromium ≥ 127 has `info` (with `isFallbackAdapter` since 134); older ones only `requestAdapterInfo()`.
  const withInfo = adapter as GPUAdapter & { info?: GPUAdapterInfo & { isFallbackAdapter?: boolean } };
  const info = withInfo.info ?? (await adapter.requestAdapterInfo());
  const fallback = withInfo.info?.isFallbackAdapter ?? adapter.isFallbackAdapter;
  const name = adapterName(info, fallback);
  const hardware = !fallback && !SOFTWARE_GPU.test(name);
  // tfjs-backend-webgpu 4.22 gets transposed products wrong on its split-K path (std28/std64 gradients).
  registerWebGpuKernelFixes();
  if (!(await tf.setBackend('webgpu'))) return { ok: false, detail: `${name}: the backend failed to start` };
  const wrong = await checkArithmetic();
  if (wrong !== undefined) return { ok: false, detail: `${name}: ${wrong}` };
  const detail = hardware
    ? `WebGPU on ${name}`
    : `WebGPU on ${name}, a software adapter: the shaders run on the CPU`;
  return startedOnGpu('webgpu', hardware, detail, name);
}

/** "nvidia ampere (NVIDIA GeForce RTX 3080)", "google swiftshader (fallback adapter)". */
function adapterName(info: GPUAdapterInfo, fallback: boolean): string {
  const words = [info.vendor, info.architecture].filter((w) => w !== '').join(' ') || 'an unnamed adapter';
  const extra = [info.description, info.device].filter((w) => w !== '');
  if (fallback) extra.push('fallback adapter');
  return extra.length > 0 ? `${words} (${extra.join(', ')})` : words;
}

/** WebGL 2 with float32 render targets: without them tfjs trains in half precision, which does not converge. */
async function tryWebGl(): Promise<TryResult> {
  if (!(await tf.setBackend('webgl'))) {
    return { ok: false, detail: 'no WebGL context: the GPU is off or blocklisted (chrome://gpu says which)' };
  }
  const gl = (tf.backend() as MathBackendWebGL).gpgpu.gl;
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  const version = tf.env().getNumber('WEBGL_VERSION');
  if (!tf.env().getBool('WEBGL_RENDER_FLOAT32_CAPABLE')) {
    return {
      ok: false,
      detail: `${renderer}: cannot render to float32 textures, so training would lose precision`,
    };
  }
  const wrong = await checkArithmetic();
  if (wrong !== undefined) return { ok: false, detail: `${renderer}: ${wrong}` };
  const hardware = !SOFTWARE_GPU.test(renderer);
  const detail = hardware
    ? `WebGL ${version} on ${renderer}`
    : `WebGL ${version} on ${renderer}, a software renderer: the shaders run on the CPU`;
  return startedOnGpu('webgl', hardware, detail, renderer);
}

/** A GPU backend that started: on a hardware adapter its device is the GPU, on a software one the CPU. */
function startedOnGpu(
  backend: 'webgpu' | 'webgl',
  hardware: boolean,
  detail: string,
  adapter: string,
): TryResult {
  return {
    ok: true,
    detail,
    started: {
      hardware,
      report: {
        backend,
        device: hardware ? 'gpu' : 'cpu',
        package: `@tensorflow/tfjs-backend-${backend}`,
        reason: `${backend}: ${detail}`,
        adapter,
      },
    },
  };
}

async function tryCpu(): Promise<TryResult> {
  if (!(await tf.setBackend('cpu'))) return { ok: false, detail: 'the cpu backend failed to start' };
  const detail = "plain JavaScript on this page's thread, the slowest choice";
  return {
    ok: true,
    detail,
    started: {
      hardware: false,
      report: {
        backend: 'cpu',
        device: 'cpu',
        package: '@tensorflow/tfjs-backend-cpu',
        reason: `cpu: ${detail}`,
      },
    },
  };
}

/** A small matrix product read back asynchronously: proves the backend computes, not only that it started. */
async function checkArithmetic(): Promise<string | undefined> {
  const product = tf.tidy(() =>
    tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6, 7, 8], [2, 2])),
  );
  try {
    const values = Array.from(await product.data());
    const expected = [19, 22, 43, 50];
    return values.every((v, i) => v === expected[i])
      ? undefined
      : `a 2×2 matrix product gave ${values.join(', ')}`;
  } finally {
    product.dispose();
  }
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0] ?? text;
}
