/**
 * Picks the tfjs backend the engine runs on and says what it picked and why.
 *
 * The tfjs engine is one global per process, so this module is too: it caches one answer per preference and
 * re-activates it on later calls.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { UserError } from '../../util/errors.js';
import { BackendCache } from '../backendCache.js';
import { registerWasmKernels } from '../kernels/index.js';
import { BACKENDS, type BackendPreference } from '../../contract/settings/index.js';
import type { BackendAttempt, BackendInfo } from '../types.js';
import { activateDawnWebGpu, findDawnAdapter } from './dawn.js';
import { checkConv2d, installThreadedWasm, MAX_WASM_THREADS, type InstalledThreads } from './threadedWasm.js';

/**
 * Which backend to use (the settings spec's one list). 'auto' tries, in order, `@tensorflow/tfjs-node-gpu`
 * (CUDA), `@tensorflow/tfjs-node`, `webgpu` (only on a hardware adapter), `wasm`, `cpu`; 'tensorflow' accepts
 * only the two native packages; 'webgpu' only Dawn's WebGPU (any adapter, software ones included); 'wasm' and
 * 'cpu' only themselves.
 */
export type { BackendPreference };

/** Options of {@link resolveBackend}. */
export interface ResolveOptions {
  /**
   * XNNPACK threads for the wasm backend: 'auto' (the default) uses the machine's cores, up to
   * {@link MAX_WASM_THREADS}; 1 forces the package's single-threaded SIMD build (for comparisons). Overrides
   * `VAE_STUDIO_WASM_THREADS`. Only the call that first starts wasm in this process can apply it.
   */
  wasmThreads?: number | 'auto';
}

/** Environment variable that replaces an 'auto' preference (handy for benchmarks and bug reports). */
export const BACKEND_ENV_VAR = 'VAE_STUDIO_BACKEND';

/**
 * Environment variable for the wasm backend's thread count: 'auto' (the default), or a whole number; `1` forces
 * the single-threaded SIMD build, e.g. to compare against threads.
 */
export const WASM_THREADS_ENV_VAR = 'VAE_STUDIO_WASM_THREADS';

const PREFERENCES = BACKENDS;

const CUDA_NEEDS = 'CUDA 11.2 + cuDNN 8.1';

interface NativePackage {
  name: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node';
  installHint: string;
}

const NATIVE_PACKAGES: readonly NativePackage[] = [
  {
    name: '@tensorflow/tfjs-node-gpu',
    installHint: `npm install @tensorflow/tfjs-node-gpu (Linux x64) needs ${CUDA_NEEDS}`,
  },
  {
    name: '@tensorflow/tfjs-node',
    installHint: 'npm install @tensorflow/tfjs-node (downloads libtensorflow when installed)',
  },
];

/** What a successful attempt contributes to the report (a resolver's report names no host). */
type Found = Omit<BackendInfo, 'attempts' | 'reason' | 'host'> & { reason: string };
type TryResult = { ok: true; found: Found; detail: string } | { ok: false; detail: string };

const requireHere = createRequire(import.meta.url);

/** How many XNNPACK threads to ask for, and the words the reason gives for that count. */
interface ThreadPlan {
  threads: number;
  /** Follows the count: "2 threads, one per core", "2 threads, as VAE_STUDIO_WASM_THREADS=2 asks". */
  why: string;
}

/** Resolutions by effective preference. */
const cache = new BackendCache<BackendPreference, BackendInfo>();

/**
 * Chooses and activates a backend, then reports the choice. Cheap to call again: the answer is cached per
 * preference and only re-activated (`tf.setBackend`) if something switched backends since.
 *
 * When `preference` is 'auto' (the default) and `VAE_STUDIO_BACKEND` is set, the variable's value is used
 * instead. 'webgpu' runs on Dawn (the `webgpu` package) and names its adapter in {@link BackendInfo.adapter};
 * 'auto' takes it only on a hardware adapter. When wasm is chosen, the kernels it lacks for training are
 * registered first. Under Node, wasm runs its threaded SIMD build on the machine's cores
 * ({@link ResolveOptions.wasmThreads}, `VAE_STUDIO_WASM_THREADS`); if that build fails to start, the
 * single-threaded SIMD build is used and the reason says why.
 *
 * @throws UserError 'BACKEND_UNAVAILABLE' when no backend allowed by the preference works (the message lists every
 *   attempt and why it failed); UserError 'BACKEND_INVALID' when `VAE_STUDIO_BACKEND` holds an unknown value or
 *   the wasm thread count (option or `VAE_STUDIO_WASM_THREADS`) is not 'auto' or a whole number ≥ 1.
 */
export async function resolveBackend(
  preference: BackendPreference = 'auto',
  options: ResolveOptions = {},
): Promise<BackendInfo> {
  const { effective, note } = applyEnvOverride(preference);
  // Checked before anything is tried, so that a mistyped thread count is an error and not a silent fallback.
  const plan =
    !cache.has(effective) && (effective === 'auto' || effective === 'wasm')
      ? planWasmThreads(options.wasmThreads)
      : undefined;
  const choice = await cache.get(effective, () => resolveUncached(effective, plan));
  // Copy, so a caller mutating its answer cannot change the cached one.
  return {
    ...choice,
    reason: note === undefined ? choice.reason : `${note}; ${choice.reason}`,
    attempts: choice.attempts.map((a) => ({ ...a })),
  };
}

function applyEnvOverride(preference: BackendPreference): { effective: BackendPreference; note?: string } {
  if (preference !== 'auto') return { effective: preference };
  const raw = process.env[BACKEND_ENV_VAR]?.trim().toLowerCase();
  if (raw === undefined || raw === '' || raw === 'auto') return { effective: 'auto' };
  if (!isPreference(raw)) {
    throw new UserError(
      'BACKEND_INVALID',
      `${BACKEND_ENV_VAR}=${raw} is not a backend; use one of ${PREFERENCES.join(', ')}`,
    );
  }
  return { effective: raw, note: `${BACKEND_ENV_VAR}=${raw} overrides 'auto'` };
}

/** The option, else the environment variable, else 'auto': one per core this process may use, at most 8. */
function planWasmThreads(option: number | 'auto' | undefined): ThreadPlan {
  let asked: number | 'auto';
  let source: string;
  if (option !== undefined) {
    asked = option;
    source = `the wasmThreads option (${option})`;
  } else {
    const raw = process.env[WASM_THREADS_ENV_VAR]?.trim().toLowerCase();
    asked =
      raw === undefined || raw === '' || raw === 'auto' ? 'auto' : /^\d+$/.test(raw) ? Number(raw) : NaN;
    source = `${WASM_THREADS_ENV_VAR}=${raw}`;
  }
  if (asked === 'auto') {
    const cores = availableParallelism();
    if (cores === 1) return { threads: 1, why: 'this process has 1 core' };
    if (cores > MAX_WASM_THREADS) {
      return { threads: MAX_WASM_THREADS, why: `the build's most, for ${cores} cores` };
    }
    return { threads: cores, why: 'one per core' };
  }
  if (!Number.isInteger(asked) || asked < 1) {
    throw new UserError(
      'BACKEND_INVALID',
      `${source} is not a thread count; use 'auto' or a whole number (1 forces the single-threaded build)`,
    );
  }
  if (asked === 1) return { threads: 1, why: `${source} asks for one` };
  if (asked > MAX_WASM_THREADS) {
    return { threads: MAX_WASM_THREADS, why: `the build's most (${source} asks for ${asked})` };
  }
  return { threads: asked, why: `as ${source} asks` };
}

function isPreference(value: string): value is BackendPreference {
  return (PREFERENCES as readonly string[]).includes(value);
}

async function resolveUncached(preference: BackendPreference, plan?: ThreadPlan): Promise<BackendInfo> {
  const attempts: BackendAttempt[] = [];
  const steps: { label: string; attempt: () => Promise<TryResult> }[] = [];
  if (preference === 'auto' || preference === 'tensorflow') {
    for (const pkg of NATIVE_PACKAGES) steps.push({ label: pkg.name, attempt: () => tryNative(pkg) });
  }
  if (preference === 'auto' || preference === 'webgpu') {
    steps.push({ label: 'webgpu', attempt: () => tryWebGpu(preference === 'auto') });
  }
  if (preference === 'auto' || preference === 'wasm') {
    steps.push({ label: 'wasm', attempt: () => tryWasm(plan ?? planWasmThreads(undefined)) });
  }
  if (preference === 'auto' || preference === 'cpu') steps.push({ label: 'cpu', attempt: tryCpu });

  for (const step of steps) {
    let result: TryResult;
    try {
      result = await step.attempt();
    } catch (err) {
      result = { ok: false, detail: `failed: ${firstLine(err)}` };
    }
    attempts.push({ backend: step.label, ok: result.ok, detail: result.detail });
    if (result.ok) {
      const skipped = attempts.filter((a) => !a.ok).map((a) => `${a.backend}: ${a.detail}`);
      const reason =
        skipped.length === 0 ? result.found.reason : `${result.found.reason} (${skipped.join('; ')})`;
      return { ...result.found, reason, attempts };
    }
  }
  const tried = attempts.map((a) => `${a.backend}: ${a.detail}`).join('; ');
  throw new UserError('BACKEND_UNAVAILABLE', `no '${preference}' backend could be started. Tried ${tried}`);
}

/** Loads a native package; it registers and activates the 'tensorflow' backend as a side effect of loading. */
async function tryNative(pkg: NativePackage): Promise<TryResult> {
  if (tf.findBackend('tensorflow') === null) {
    let resolved: string;
    try {
      resolved = requireHere.resolve(pkg.name);
    } catch {
      return { ok: false, detail: `package not installed: ${pkg.installHint}` };
    }
    const mismatch = versionMismatch(pkg.name);
    if (mismatch !== undefined) return { ok: false, detail: mismatch };
    try {
      // Loaded at run time so the project builds and runs without the optional native packages.
      requireHere(resolved);
    } catch (err) {
      forgetOrphanKernels();
      return { ok: false, detail: describeNativeLoadError(pkg.name, err) };
    }
  }
  const instance = tf.findBackend('tensorflow') as NativeBackendFlags | null;
  if (instance === null) {
    return {
      ok: false,
      detail:
        `loaded, but its 'tensorflow' backend is not visible to this process's @tensorflow/tfjs-core ` +
        `${tf.version_core}: it loaded a second copy of tfjs-core; install matching versions`,
    };
  }
  const isGpuPackage = instance.isGPUPackage === true;
  if (pkg.name === '@tensorflow/tfjs-node-gpu' && !isGpuPackage) {
    return {
      ok: false,
      detail: 'the CPU package @tensorflow/tfjs-node already owns the tensorflow backend here',
    };
  }
  if (!(await tf.setBackend('tensorflow')))
    return { ok: false, detail: 'loaded, but the backend failed to start' };
  // A trivial op proves the native library actually executes (not just that the JS loaded).
  const three = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0]);
  if (three !== 3) return { ok: false, detail: `loaded, but 1 + 2 gave ${three}` };

  const onGpu = instance.isUsingGpuDevice === true;
  const what = onGpu
    ? 'libtensorflow with CUDA on the GPU'
    : isGpuPackage
      ? `libtensorflow on the CPU: the CUDA build loaded but TensorFlow found no usable GPU (${CUDA_NEEDS})`
      : 'libtensorflow on the CPU';
  return {
    ok: true,
    detail: what,
    found: {
      backend: tf.getBackend(),
      device: onGpu ? 'gpu' : 'cpu',
      package: isGpuPackage ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node',
      reason: `${isGpuPackage ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node'}: ${what}`,
    },
  };
}

/** Fields the tfjs-node backend instance carries (not in tfjs-core's types). */
interface NativeBackendFlags {
  isGPUPackage?: boolean;
  isUsingGpuDevice?: boolean;
}

/**
 * A native package must pair with our tfjs-core version: a different one brings its own tfjs-core, whose kernels
 * and tensors do not mix with ours.
 */
function versionMismatch(name: string): string | undefined {
  let version: unknown;
  try {
    version = (requireHere(`${name}/package.json`) as { version?: unknown }).version;
  } catch {
    return undefined; // cannot tell; the visibility check after loading still catches a split tfjs-core
  }
  if (typeof version !== 'string' || version === tf.version_core) return undefined;
  return `version ${version} does not match @tensorflow/tfjs-core ${tf.version_core}: npm install ${name}@${tf.version_core}`;
}

/**
 * tfjs-node registers its kernels for 'tensorflow' before it loads the native addon, so a failed load leaves them
 * behind; drop them, or the next package's registration prints hundreds of "already registered" warnings.
 */
function forgetOrphanKernels(): void {
  if (tf.findBackend('tensorflow') !== null) return;
  for (const kernel of tf.getKernelsForBackend('tensorflow'))
    tf.unregisterKernel(kernel.kernelName, 'tensorflow');
}

/**
 * Turns the error a native package threw while loading into a cause and a fix.
 * Exported for tests; the packages themselves cannot be installed on the build machines.
 */
export function describeNativeLoadError(name: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const cuda = /\b(lib(?:cudart|cublas|cublasLt|cudnn|cufft|curand|cusolver|cusparse|nvinfer)[\w.-]*)/.exec(
    message,
  );
  if (cuda !== null) {
    return `installed but CUDA libraries are missing (${cuda[1]}): ${name} needs ${CUDA_NEEDS} on the library path`;
  }
  if (/tfjs_binding\.node|napi-v\d/.test(message)) {
    return (
      `installed but its native addon is missing (its install script, which downloads libtensorflow, did not run ` +
      `or failed): allow install scripts and run npm rebuild ${name}`
    );
  }
  if (/libtensorflow/.test(message)) {
    return `installed but libtensorflow could not be loaded (${firstLine(err)}): run npm rebuild ${name}`;
  }
  const missing = /Cannot find module '([^']+)'/.exec(message);
  if (missing !== null) return `installed but its dependency ${missing[1]} is missing: reinstall ${name}`;
  return `installed but failed to load: ${firstLine(err)}`;
}

/**
 * Dawn's WebGPU. With `hardwareOnly` ('auto') a software adapter is skipped: SwiftShader runs the shaders on the
 * CPU, slower than wasm on the same cores.
 */
async function tryWebGpu(hardwareOnly: boolean): Promise<TryResult> {
  const probe = await findDawnAdapter({ isolated: hardwareOnly });
  if (!probe.ok) return { ok: false, detail: probe.detail };
  const { name, hardware } = probe.adapter;
  if (hardwareOnly && !hardware) {
    return {
      ok: false,
      detail: `skipped ${name}: a software adapter, slower than wasm on the same cores (choose webgpu to use it anyway)`,
    };
  }
  const wrong = await activateDawnWebGpu();
  if (wrong !== undefined) return { ok: false, detail: `${name}: ${wrong}` };
  const detail = hardware
    ? `Dawn WebGPU on ${name}`
    : `Dawn WebGPU on ${name}: a software adapter, slower than wasm on the same cores`;
  return {
    ok: true,
    detail,
    found: {
      backend: tf.getBackend(),
      device: hardware ? 'gpu' : 'cpu',
      package: '@tensorflow/tfjs-backend-webgpu',
      reason: `webgpu: ${detail}`,
      adapter: name,
    },
  };
}

async function tryWasm(plan: ThreadPlan): Promise<TryResult> {
  // Before the first gradient: without Conv2DBackpropFilter no conv net can train on wasm.
  registerWasmKernels();
  // Why this is not the threaded build; undefined while it is.
  let single: string | undefined;
  if (plan.threads < 2) {
    single = plan.why;
  } else {
    const unused = (what: string) =>
      `the threaded build (${plan.threads} threads) could not be used (${what}), so this is the single-threaded one`;
    let installed: InstalledThreads | undefined;
    try {
      installed = await installThreadedWasm(plan.threads);
    } catch (err) {
      single = unused(firstLine(err));
    }
    if (installed !== undefined) {
      // Threads must never cost the backend: if anything is wrong, the package's own build goes back.
      const wrong = (await tf.setBackend('wasm')) ? checkConv2d() : 'it would not activate';
      if (wrong !== undefined) {
        installed.restore();
        single = unused(`failed its check: ${wrong}`);
      } else if (installed.reused && installed.threads !== plan.threads) {
        plan = { threads: installed.threads, why: 'as this process first started wasm with' };
      }
    }
  }
  if (single !== undefined && !(await tf.setBackend('wasm'))) {
    return { ok: false, detail: 'the WebAssembly module failed to initialise (see the warning above)' };
  }
  const threads = getThreadsCount();
  const count = `${threads} thread${threads === 1 ? '' : 's'}`;
  let detail: string;
  if (single === undefined) {
    detail = `XNNPACK threaded SIMD build, ${count}, ${plan.why}`;
  } else {
    const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
    const build = simd ? 'SIMD build' : 'plain build (this runtime has no WebAssembly SIMD)';
    detail = `XNNPACK ${build}, ${count}: ${single}`;
  }
  return {
    ok: true,
    detail,
    found: {
      backend: tf.getBackend(),
      device: 'cpu',
      package: '@tensorflow/tfjs-backend-wasm',
      reason: `wasm: ${detail}`,
      threads,
    },
  };
}

async function tryCpu(): Promise<TryResult> {
  if (!(await tf.setBackend('cpu'))) return { ok: false, detail: 'the cpu backend failed to initialise' };
  // The cpu backend prints a banner urging tfjs-node on its first tensor; the user chose cpu (or has nothing
  // better) and our own reason already says so, so the banner would only read like a warning.
  const cpuBackend = tf.backend() as unknown as { firstUse?: boolean };
  if ('firstUse' in cpuBackend) cpuBackend.firstUse = false;
  const detail = 'plain JavaScript kernels, single-threaded: slow, fine for tiny models and tests';
  return {
    ok: true,
    detail,
    found: {
      backend: tf.getBackend(),
      device: 'cpu',
      package: '@tensorflow/tfjs-backend-cpu',
      reason: `cpu: ${detail}`,
    },
  };
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n', 1)[0] ?? message;
}
