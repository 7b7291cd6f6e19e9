import {
  type BackendInfo,
  referenceConfig,
  type ReferenceArch,
  VaeModel,
  benchmarkTraining,
} from '../engine/index.js';
import { resolveBackend, type BackendPreference } from '../engine/node/index.js';

export type BenchArch = ReferenceArch;

export interface BenchJobInput {
  arch?: BenchArch;
  batchSize?: number;
  steps?: number;
  warmup?: number;
  backend?: BackendPreference;
}

export interface BenchJobResult {
  arch: BenchArch;
  backend: BackendInfo;
  batchSize: number;
  steps: number;
  parameters: number;
  imagesPerSec: number;
  msPerStep: number;
}

/** Training throughput of a standard architecture (../shared/bench/ARCHITECTURES.md) on random data. */
export async function runBenchmark(input: BenchJobInput = {}): Promise<BenchJobResult> {
  const { arch = 'std28', batchSize = 64, steps = 20, warmup = 3 } = input;
  const backend = await resolveBackend(input.backend ?? 'auto');
  const config = referenceConfig(arch);
  const model = VaeModel.create(config, 0);
  try {
    const { imagesPerSec, msPerStep } = await benchmarkTraining(model, { batchSize, steps, warmup, seed: 0 });
    return { arch, backend, batchSize, steps, parameters: model.parameterCount, imagesPerSec, msPerStep };
  } finally {
    model.dispose();
  }
}
