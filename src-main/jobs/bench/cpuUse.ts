/**
 * Was the machine quiet while the benchmark ran? On Linux: the share of the CPUs this process may use that other
 * processes kept busy, from /proc/stat and /proc/self/stat before and after. Elsewhere: the 1-minute load
 * average at the start (Windows reports 0, so it never warns there).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';

/** CPU time counters at one moment, all in clock ticks (USER_HZ), so no tick rate is needed. */
export interface CpuSnapshot {
  /** Busy ticks (user, nice, system, irq, softirq, steal) of the CPUs this process may run on, summed. */
  busy: number;
  /** All ticks of those CPUs, idle and iowait included: wall time × CPUs. */
  total: number;
  /** This process's user + system ticks and those of its children it has waited for (utime … cstime). */
  own: number;
}

/** What the run's report says about the machine's other work. */
export interface CpuUse {
  /** 1-minute load average before the run and after it (the latter includes the run's own last minute). */
  loadBefore: number;
  loadAfter: number;
  /** Share 0–1 of the CPUs' time other processes used during the run; null where it cannot be measured. */
  othersShare: number | null;
  /** A sentence for the report when the figures may be low, else null. */
  warning: string | null;
}

/** Above this share of the CPUs (or this 1-minute load per core, where no share is measured), the run warns. */
export const BUSY_WARN_SHARE = 0.1;

/**
 * Share 0–1 of the CPUs' time that other processes used between two snapshots: the CPUs' busy ticks minus
 * ours and our children's, over all their ticks. Steal (the hypervisor giving the core to another machine)
 * counts as busy: it takes time from the run all the same. Null when no time passed.
 */
export function othersShare(before: CpuSnapshot, after: CpuSnapshot): number | null {
  const total = after.total - before.total;
  if (total <= 0) return null;
  const others = after.busy - before.busy - (after.own - before.own);
  return Math.min(1, Math.max(0, others / total));
}

/**
 * The warning for a run on a busy machine, or null: from the measured share when there is one, else from the
 * load average at the start.
 */
export function busyWarning(share: number | null, loadBefore: number, cores: number): string | null {
  const advice = 'figures may be low, run again on a quiet machine';
  if (share !== null) {
    return share > BUSY_WARN_SHARE
      ? `other processes used ${Math.round(share * 100)} % of the CPU during the run; ${advice}`
      : null;
  }
  return loadBefore / Math.max(1, cores) > BUSY_WARN_SHARE
    ? `the 1-minute load was ${loadBefore.toFixed(2)} at the start, so another process was busy; ${advice}`
    : null;
}

/** Counters of /proc/stat's per-CPU lines for `cpus` (all when null) and of /proc/self/stat; null off Linux. */
export function readCpuSnapshot(cpus: ReadonlySet<number> | null = allowedCpus()): CpuSnapshot | null {
  if (process.platform !== 'linux') return null;
  try {
    let busy = 0;
    let total = 0;
    for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
      const m = /^cpu(\d+)\s+(.*)$/.exec(line);
      if (!m || (cpus && !cpus.has(Number(m[1])))) continue;
      // user nice system idle iowait irq softirq steal [guest guest_nice: already inside user and nice]
      const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = m[2]!
        .trim()
        .split(/\s+/)
        .map(Number);
      busy += user + nice + system + irq + softirq + steal;
      total += user + nice + system + idle + iowait + irq + softirq + steal;
    }
    // The command name (field 2) is in parentheses and may hold spaces; utime is field 14.
    const self = readFileSync('/proc/self/stat', 'utf8');
    const fields = self.slice(self.lastIndexOf(')') + 2).split(' ');
    const [utime = 0, stime = 0, cutime = 0, cstime = 0] = fields.slice(11, 15).map(Number);
    return total > 0 ? { busy, total, own: utime + stime + cutime + cstime } : null;
  } catch {
    return null;
  }
}

/** The CPUs this process may run on (/proc/self/status's Cpus_allowed_list, e.g. "0-1,4"); null if unknown. */
function allowedCpus(): Set<number> | null {
  try {
    const m = /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (!m) return null;
    const cpus = new Set<number>();
    for (const part of m[1]!.split(',')) {
      const [from, to = from] = part.split('-').map(Number);
      for (let c = from!; c <= to!; c++) cpus.add(c);
    }
    return cpus;
  } catch {
    return null;
  }
}

/** Starts watching the machine; `stop()` after the run gives {@link CpuUse}. */
export function watchCpuUse(): { stop(): CpuUse } {
  const loadBefore = loadavg()[0] ?? 0;
  const cpus = allowedCpus();
  const before = readCpuSnapshot(cpus);
  return {
    stop(): CpuUse {
      const after = readCpuSnapshot(cpus);
      const share = before && after ? othersShare(before, after) : null;
      return {
        loadBefore,
        loadAfter: loadavg()[0] ?? 0,
        othersShare: share,
        warning: busyWarning(share, loadBefore, availableParallelism()),
      };
    },
  };
}
