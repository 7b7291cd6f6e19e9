import { describe, expect, it } from 'vitest';
import {
  busyWarning,
  othersShare,
  readCpuSnapshot,
  BUSY_WARN_SHARE,
} from '../../src-main/jobs/bench/index.js';

describe("other processes' share of the CPU", () => {
  it('is the busy ticks minus ours and our children’s, over all ticks of the CPUs', () => {
    // 2 CPUs × 10 s × 100 ticks/s = 2,000 ticks; 1,500 busy, of which we and our children used 800.
    const before = { busy: 10_000, total: 50_000, own: 300 };
    const after = { busy: 11_500, total: 52_000, own: 1_100 };
    expect(othersShare(before, after)).toBeCloseTo(700 / 2000, 12);
  });

  it('stays within 0 and 1 (counters read a tick apart), and is null when no time passed', () => {
    const before = { busy: 100, total: 1000, own: 0 };
    expect(othersShare(before, { busy: 150, total: 1100, own: 60 })).toBe(0);
    expect(othersShare(before, { busy: 400, total: 1100, own: 0 })).toBe(1);
    expect(othersShare(before, before)).toBeNull();
  });

  it('warns in words above 10 %, and falls back to the load at the start where there is no share', () => {
    expect(BUSY_WARN_SHARE).toBe(0.1);
    expect(busyWarning(0.35, 0, 2)).toBe(
      'other processes used 35 % of the CPU during the run; figures may be low, run again on a quiet machine',
    );
    expect(busyWarning(0.04, 3.5, 2)).toBeNull();
    expect(busyWarning(null, 1.2, 2)).toBe(
      'the 1-minute load was 1.20 at the start, so another process was busy; figures may be low, run again on a quiet machine',
    );
    expect(busyWarning(null, 0.15, 2)).toBeNull();
  });

  it.runIf(process.platform === 'linux')('reads counters on Linux that grow with time', async () => {
    const a = readCpuSnapshot();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const b = readCpuSnapshot();
    expect(a).not.toBeNull();
    expect(b!.total).toBeGreaterThanOrEqual(a!.total);
    expect(a!.busy).toBeLessThanOrEqual(a!.total);
    expect(a!.own).toBeGreaterThan(0);
  });
});
