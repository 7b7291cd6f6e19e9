/**
 * Where the desktop app trains: in the job's utility process (tfjs-node-gpu, tfjs-node, wasm, cpu) or in the
 * hidden compute window (WebGPU, then WebGL, through Chromium). Pure decisions, so they are tested without
 * Electron; computeWindow.ts and main.ts supply the facts.
 */
import type { BackendInfo } from '../engine/index.js';

/** Backends only a Chromium renderer has in the app (Dawn cannot run inside Electron's Node). */
const RENDERER_BACKENDS = new Set(['webgpu', 'webgl']);

/** Where one job trains, and the sentence that says why. */
export interface TrainingRoute {
  where: 'process' | 'compute-window';
  why: string;
}

/** What the choice needs to know, asked only when needed. */
export interface RouteFacts {
  /** Whether `@tensorflow/tfjs-node-gpu` (CUDA) is installed for the job processes. */
  cudaPackageInstalled(): boolean;
  /** What the compute window offers for 'auto'; rejects when it cannot start. */
  describeComputeWindow(): Promise<BackendInfo>;
}

/**
 * The route for a backend preference:
 * - 'webgpu' and 'webgl' → the compute window (the only place the app has them);
 * - 'tensorflow', 'wasm', 'cpu' → the job process;
 * - 'auto' → the job process when tfjs-node-gpu is installed (CUDA comes first, as everywhere); otherwise the
 *   compute window when it has a hardware GPU adapter; otherwise the job process (its multi-threaded wasm beats a
 *   software adapter such as SwiftShader).
 */
export async function chooseTrainingRoute(preference: string, facts: RouteFacts): Promise<TrainingRoute> {
  if (RENDERER_BACKENDS.has(preference)) {
    return { where: 'compute-window', why: `${preference} was asked for; the app has it only in a renderer` };
  }
  if (preference !== 'auto') return { where: 'process', why: `${preference} was asked for` };
  if (facts.cudaPackageInstalled()) {
    return { where: 'process', why: '@tensorflow/tfjs-node-gpu is installed, and CUDA comes first' };
  }
  let info: BackendInfo;
  try {
    info = await facts.describeComputeWindow();
  } catch (error) {
    const cause = error instanceof Error ? error.message : String(error);
    return { where: 'process', why: `the compute window could not start (${cause})` };
  }
  const on = `${info.backend}${info.adapter ? ` on ${info.adapter}` : ''}`;
  if (info.device === 'gpu') return { where: 'compute-window', why: `the compute window has ${on}` };
  return { where: 'process', why: `the compute window has only ${on}, a software GPU; wasm is faster` };
}

/**
 * Caches the compute window's 'auto' answer for the app's lifetime (the adapter does not change while it runs);
 * a failure is not cached, so a later job tries again.
 */
export function cachedDescription(describe: () => Promise<BackendInfo>): () => Promise<BackendInfo> {
  let answer: Promise<BackendInfo> | null = null;
  return () => {
    answer ??= describe().catch((error: unknown) => {
      answer = null;
      throw error;
    });
    return answer;
  };
}
