import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import type { BackendInfo } from '../../engine/index.js';

/** The facts a benchmark figure means nothing without. */
export interface MachineFacts {
  /** ISO 8601, when the run started. */
  date: string;
  /** Logical CPUs this process may use. */
  cores: number;
  cpuModel: string;
  platform: string;
  arch: string;
  memoryGiB: number;
  /** 1, 5 and 15-minute load averages at the start: a busy machine reads slower. */
  loadAverage: [number, number, number];
  /** `process.version`, e.g. "v20.20.0". */
  node: string;
  backend: string;
  device: string;
  /** XNNPACK threads (wasm only). */
  threads: number | null;
  /** The WebGPU adapter in words (webgpu only). */
  adapter?: string;
  /** Why this backend, in the engine's words. */
  backendReason: string;
}

/** Machine, Node and backend facts for a benchmark report. */
export function describeMachine(backend: BackendInfo, now = new Date()): MachineFacts {
  const [l1 = 0, l5 = 0, l15 = 0] = loadavg();
  const round2 = (x: number): number => Math.round(x * 100) / 100;
  return {
    date: now.toISOString(),
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() || 'unknown CPU',
    platform: process.platform,
    arch: process.arch,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadAverage: [round2(l1), round2(l5), round2(l15)],
    node: process.version,
    backend: backend.backend,
    device: backend.device,
    threads: backend.threads ?? null,
    ...(backend.adapter !== undefined ? { adapter: backend.adapter } : {}),
    backendReason: backend.reason,
  };
}
