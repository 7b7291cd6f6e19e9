import { readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { kernelFlops, type KernelCall } from '../../engine/index.js';

/** One kernel's share of a profiled training step. */
export interface KernelRow {
  kernel: string;
  callsPerStep: number;
  msPerStep: number;
  /** Of the step's wall time. */
  share: number;
  /** 0 for kernels that do no products (element-wise, reductions, copies). */
  gflopPerStep: number;
  gflopPerSec: number | null;
  /** Of {@link SimdCeiling.gflopPerSec}; null without a ceiling or without products. */
  ofCeiling: number | null;
}

/**
 * What 128-bit SIMD without fused multiply-add can do at most on the threads used: two 4-wide multiplies and two
 * 4-wide adds per cycle and core (AMD's Zen has the four pipes for it; cores with two FP ports, such as Intel's,
 * reach half), at the clock the OS reports. An upper bound to read fractions against, not a measurement.
 */
export interface SimdCeiling {
  threads: number;
  ghz: number;
  gflopPerSec: number;
}

export interface KernelProfile {
  steps: number;
  wallMsPerStep: number;
  /** Wall time not spent inside a kernel: JavaScript between kernels, tensor bookkeeping, reads. */
  outsideMsPerStep: number;
  gflopPerStep: number;
  ceiling: SimdCeiling | null;
  kernels: KernelRow[];
}

/** The ceiling for `threads` threads at the first CPU's reported clock; null where the OS reports none. */
export function simdCeiling(threads: number | undefined): SimdCeiling | null {
  const mhz = cpus()[0]?.speed || cpuinfoMhz();
  if (!(mhz > 0)) return null;
  const t = Math.min(threads ?? 1, availableParallelism());
  const ghz = mhz / 1000;
  return { threads: t, ghz, gflopPerSec: t * ghz * FLOP_PER_CYCLE };
}

/** Two 4-wide multiplies and two 4-wide adds. */
const FLOP_PER_CYCLE = 16;

/** Linux's "cpu MHz" where Node's os.cpus() reports 0 (VMs without cpufreq); 0 where there is none. */
function cpuinfoMhz(): number {
  try {
    const m = /^cpu MHz\s*:\s*([\d.]+)/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Calls grouped by kernel, per step, the slowest first. */
export function kernelProfile(
  calls: KernelCall[],
  steps: number,
  wallMs: number,
  ceiling: SimdCeiling | null,
): KernelProfile {
  const by = new Map<string, { calls: number; ms: number; flops: number }>();
  // An op with a custom gradient ("fusedConv2d__op") is recorded around its own kernels: counting it would count
  // their time twice.
  for (const c of calls.filter((call) => !call.name.endsWith('__op'))) {
    const row = by.get(c.name) ?? { calls: 0, ms: 0, flops: 0 };
    row.calls++;
    row.ms += c.ms;
    row.flops += kernelFlops(c.name, c.inputShapes, c.outputShapes);
    by.set(c.name, row);
  }
  const wallMsPerStep = wallMs / steps;
  const kernels: KernelRow[] = [...by.entries()]
    .map(([kernel, r]) => {
      const msPerStep = r.ms / steps;
      const gflopPerStep = r.flops / steps / 1e9;
      const gflopPerSec = gflopPerStep > 0 && msPerStep > 0 ? gflopPerStep / (msPerStep / 1000) : null;
      return {
        kernel,
        callsPerStep: r.calls / steps,
        msPerStep,
        share: msPerStep / wallMsPerStep,
        gflopPerStep,
        gflopPerSec,
        ofCeiling: gflopPerSec !== null && ceiling ? gflopPerSec / ceiling.gflopPerSec : null,
      };
    })
    .sort((a, b) => b.msPerStep - a.msPerStep);
  const inKernels = kernels.reduce((a, k) => a + k.msPerStep, 0);
  return {
    steps,
    wallMsPerStep,
    outsideMsPerStep: Math.max(0, wallMsPerStep - inKernels),
    gflopPerStep: kernels.reduce((a, k) => a + k.gflopPerStep, 0),
    ceiling,
    kernels,
  };
}

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

/** The profile as a Markdown table, the slowest kernels first, the rest summed in one line. */
export function formatKernelProfile(p: KernelProfile, what: string, top = 12): string[] {
  const lines = [
    `tfjs kernels of ${what}, ${p.steps} ${p.steps === 1 ? 'step' : 'steps'} profiled: ${p.wallMsPerStep.toFixed(0)} ms/step, ` +
      `${p.gflopPerStep.toFixed(2)} GFLOP/step in products, ` +
      `${(p.gflopPerStep / (p.wallMsPerStep / 1000)).toFixed(1)} GFLOP/s over the whole step`,
  ];
  if (p.ceiling) {
    lines.push(
      `ceiling: ${p.ceiling.threads} ${p.ceiling.threads === 1 ? 'thread' : 'threads'} × ${p.ceiling.ghz.toFixed(2)} GHz × ${FLOP_PER_CYCLE} FLOP/cycle ` +
        `(128-bit SIMD without FMA, at most two multiplies and two adds of 4 lanes per cycle) = ${p.ceiling.gflopPerSec.toFixed(1)} GFLOP/s`,
    );
  }
  lines.push(
    '',
    '| kernel | calls/step | ms/step | share of the step | GFLOP/step | GFLOP/s | of the ceiling |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  const shown = p.kernels.slice(0, top);
  for (const k of shown) {
    lines.push(
      `| ${k.kernel} | ${k.callsPerStep.toFixed(0)} | ${k.msPerStep.toFixed(1)} | ${pct(k.share)} | ` +
        `${k.gflopPerStep > 0 ? k.gflopPerStep.toFixed(3) : '—'} | ${k.gflopPerSec?.toFixed(1) ?? '—'} | ` +
        `${k.ofCeiling !== null ? pct(k.ofCeiling) : '—'} |`,
    );
  }
  const rest = p.kernels.slice(top);
  if (rest.length > 0) {
    const ms = rest.reduce((a, k) => a + k.msPerStep, 0);
    lines.push(
      `| ${rest.length} other kernels | — | ${ms.toFixed(1)} | ${pct(ms / p.wallMsPerStep)} | — | — | — |`,
    );
  }
  lines.push(
    `| outside kernels | — | ${p.outsideMsPerStep.toFixed(1)} | ${pct(p.outsideMsPerStep / p.wallMsPerStep)} | — | — | — |`,
  );
  return lines;
}
