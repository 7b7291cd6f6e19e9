import { describe, expect, it } from 'vitest';
import { formatKernelProfile, kernelProfile } from '../../src-main/jobs/bench/kernelProfile.js';

const conv = {
  name: 'Conv2D',
  inputShapes: [
    [64, 32, 32, 32],
    [4, 4, 32, 64],
  ],
  outputShapes: [[64, 16, 16, 64]],
};
const FLOPS = 2 * (64 * 16 * 16 * 64) * (4 * 4 * 32); // 1.07 GFLOP

describe('kernelProfile', () => {
  it('groups calls by kernel per step, leaves out op wrappers, and keeps the time between kernels', () => {
    const calls = [
      { ...conv, ms: 3 },
      { ...conv, ms: 5 },
      { name: 'Relu', inputShapes: [[64, 16, 16, 64]], outputShapes: [[64, 16, 16, 64]], ms: 1 },
      // Recorded around the Conv2D calls it wraps: not counted again.
      { name: 'fusedConv2d__op', inputShapes: [], outputShapes: [], ms: 8 },
    ];
    const ceiling = { threads: 2, ghz: 1, gflopPerSec: 500 };
    const p = kernelProfile(calls, 2, 10, ceiling);
    expect(p.kernels.map((k) => k.kernel)).toEqual(['Conv2D', 'Relu']);
    const [c, relu] = p.kernels;
    expect(c).toMatchObject({ callsPerStep: 1, msPerStep: 4, share: 0.8 });
    expect(c!.gflopPerStep).toBeCloseTo(FLOPS / 1e9, 15);
    expect(c!.gflopPerSec).toBeCloseTo(FLOPS / 1e9 / 0.004, 9);
    expect(c!.ofCeiling).toBeCloseTo(FLOPS / 1e9 / 0.004 / 500, 9);
    expect(relu).toMatchObject({ msPerStep: 0.5, gflopPerStep: 0, gflopPerSec: null, ofCeiling: null });
    expect(p.wallMsPerStep).toBe(5);
    expect(p.outsideMsPerStep).toBeCloseTo(0.5, 12);

    const lines = formatKernelProfile(p, 'a test step', 1);
    expect(lines[0]).toBe(
      'tfjs kernels of a test step, 2 steps profiled: 5 ms/step, 1.07 GFLOP/step in products, 214.7 GFLOP/s over the whole step',
    );
    expect(lines[1]).toMatch(/^ceiling: 2 threads × 1\.00 GHz × 16 FLOP\/cycle .* = 500\.0 GFLOP\/s$/);
    expect(lines).toContain('| Conv2D | 1 | 4.0 | 80.0 % | 1.074 | 268.4 | 53.7 % |');
    expect(lines).toContain('| 1 other kernels | — | 0.5 | 10.0 % | — | — | — |');
    expect(lines.at(-1)).toBe('| outside kernels | — | 0.5 | 10.0 % | — | — | — |');
  });
});
