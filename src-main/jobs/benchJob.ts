import {
  type BackendInfo,
  referenceConfig,
  type ReferenceArch,
  trainingFlopsPerImage,
  VaeModel,
  benchmarkTraining,
  profileTraining,
} from '../engine/index.js';
import { kernelProfile, simdCeiling, type KernelProfile } from './bench/kernelProfile.js';
import { nativeTraining, resolveBackend, type BackendPreference } from '../engine/node/index.js';

export type BenchArch = ReferenceArch;

export interface BenchJobInput {
  arch?: BenchArch;
  batchSize?: number;
  steps?: number;
  warmup?: number;
  backend?: BackendPreference;
  /** Also profile tfjs's own steps kernel by kernel (even where ONNX Runtime ran the timed ones). */
  profile?: boolean;
}

export interface BenchJobResult {
  arch: BenchArch;
  backend: BackendInfo;
  batchSize: number;
  steps: number;
  parameters: number;
  imagesPerSec: number;
  msPerStep: number;
  /** The work of one training image (engine/config.ts `trainingFlopsPerImage`); × imagesPerSec is the rate. */
  gflopPerImage: number;
  /**
   * What ran the training steps when not tfjs ("ONNX Runtime 1.30.0, 2 threads"), as training on this backend
   * would; null when tfjs did.
   */
  native: string | null;
  /** tfjs's kernels per step, with `profile`. */
  profile?: KernelProfile;
}

/** Training throughput of a standard architecture (../shared/bench/ARCHITECTURES.md) on random data. */
export async function runBenchmark(input: BenchJobInput = {}): Promise<BenchJobResult> {
  const { arch = 'std28', batchSize = 64, steps = 20, warmup = 3 } = input;
  const backend = await resolveBackend(input.backend ?? 'auto');
  const config = referenceConfig(arch);
  const model = VaeModel.create(config, 0);
  const native = await nativeTraining(config, 0);
  try {
    const { imagesPerSec, msPerStep } = await benchmarkTraining(model, {
      batchSize,
      steps,
      warmup,
      seed: 0,
      native,
    });
    const { parameterCount: parameters } = model;
    let profile: KernelProfile | undefined;
    if (input.profile) {
      const profiled = Math.max(1, Math.min(steps, 5));
      const { calls, wallMs } = await profileTraining(model, {
        batchSize,
        steps: profiled,
        warmup: 1,
        seed: 0,
      });
      // The 128-bit SIMD ceiling is wasm's; other backends' kernels are read without one.
      const ceiling = backend.backend === 'wasm' ? simdCeiling(backend.threads) : null;
      profile = kernelProfile(calls, profiled, wallMs, ceiling);
    }
    return {
      arch,
      backend,
      batchSize,
      steps,
      parameters,
      imagesPerSec,
      msPerStep,
      gflopPerImage: trainingFlopsPerImage(config) / 1e9,
      native: native?.runtime ?? null,
      ...(profile ? { profile } : {}),
    };
  } finally {
    native?.dispose();
    model.dispose();
  }
}
