/**
 * The benchmark reports as text: a few fact lines, one Markdown table and the commands, so a run's output can
 * be pasted into docs/benchmarks.md as it is.
 */
import type { CpuUse } from './cpuUse.js';
import type { ElboParityResult } from './elbo.js';
import type { MachineFacts } from './machine.js';
import type { BenchSuiteResult, SuitePeer, SuiteRow } from './suite.js';
import { relativeSpread, threadWords, type SettingFigures } from './threadSweep.js';

/** Images per second with thousands separators and one decimal, e.g. "1,234.5"; "—" for none. */
export function formatRate(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '—';
  return value.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

/** ours / peer, or null without a positive peer figure. */
export function ratioOf(ours: number, peer: number | null): number | null {
  return peer !== null && peer > 0 && Number.isFinite(ours) ? ours / peer : null;
}

/** A ratio as "1.52×"; "—" for none. */
export function formatRatio(value: number | null): string {
  return value === null || !Number.isFinite(value) ? '—' : `${value.toFixed(2)}×`;
}

/** A GitHub-flavoured Markdown table; `right` marks right-aligned (numeric) columns. */
export function markdownTable(header: string[], rows: string[][], right: boolean[] = []): string[] {
  const cell = (s: string): string => s.replace(/\|/g, '\\|');
  const line = (cells: string[]): string => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), line(header.map((_, i) => (right[i] ? '---:' : '---'))), ...rows.map(line)];
}

/** "2026-11-23 04:55 UTC" from an ISO date. */
function shortDate(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function machineLines(m: MachineFacts): string[] {
  const threads = m.threads === null ? '' : `, ${m.threads} thread${m.threads === 1 ? '' : 's'}`;
  const adapter = m.adapter === undefined ? '' : `, ${m.adapter}`;
  return [
    `- machine: ${m.cores} cores, ${m.cpuModel}, ${m.platform} ${m.arch}, ${m.memoryGiB} GiB, ` +
      `load ${m.loadAverage.map((l) => l.toFixed(2)).join(' ')} at the start`,
    `- Node ${m.node}; backend ${m.backend} (${m.device}${adapter}${threads}): ${m.backendReason}`,
  ];
}

/** The line that says which peer ran and at which thread counts, or that none could and why. */
export function peerLine(peer: SuitePeer): string {
  if (peer.available) {
    return `- peer: ${peer.version} on ${peer.device} at ${threadWords(peer.threads)} (${peer.command})`;
  }
  return `- PyTorch not available: ${peer.reason}. Only our figures are shown.`;
}

/** How the training figures were taken, and how busy the machine was. */
function methodLines(r: BenchSuiteResult): string[] {
  const { threads, repeats } = r.sweep;
  return [
    `- training: both sides at ${threadWords(threads)}, ${repeats} alternating pair${repeats === 1 ? '' : 's'} ` +
      `per count; each side's figure is the median of its best thread count, ours/PyTorch the ratio of those`,
    cpuLine(r.cpu),
    ...(r.cpu.warning ? [`- WARNING: ${r.cpu.warning}`] : []),
  ];
}

/** "- load: 0.05 before, 1.93 after (1-minute); other processes used 3 % of the CPU during the run" */
export function cpuLine(cpu: CpuUse): string {
  const others =
    cpu.othersShare === null
      ? 'CPU use of other processes not measured here'
      : `other processes used ${Math.round(cpu.othersShare * 100)} % of the CPU during the run`;
  return `- load: ${cpu.loadBefore.toFixed(2)} before, ${cpu.loadAfter.toFixed(2)} after (1-minute); ${others}`;
}

/** "74.1 (70.1–76.0, 8 %)": median, range and relative spread; a single run is just its figure. */
function settingCell(s: SettingFigures | undefined, best: SettingFigures | null): string {
  if (!s) return '—';
  const mark = best && s.threads === best.threads ? ' (best)' : '';
  if (s.runs.length === 1) return `${formatRate(s.median)}${mark}`;
  const spread = Math.round(relativeSpread(s) * 100);
  return `${formatRate(s.median)} (${formatRate(s.min)}–${formatRate(s.max)}, ${spread} %)${mark}`;
}

/** Per thread count and side: the median of the repeats, their range and spread, the best marked. */
export function threadTable(backend: string, rows: readonly SuiteRow[]): string[] {
  const lines: string[][] = [];
  for (const row of rows) {
    const sweep = row.sweep;
    if (!sweep) continue;
    const arch = row.id.replace(/^train-/, '');
    const counts = [...new Set([...sweep.ours, ...(sweep.peer ?? [])].map((s) => s.threads))];
    for (const threads of counts) {
      lines.push([
        arch,
        threads === null ? `${backend}'s own` : String(threads),
        settingCell(
          sweep.ours.find((s) => s.threads === threads),
          sweep.oursBest,
        ),
        settingCell(
          sweep.peer?.find((s) => s.threads === threads),
          sweep.peerBest,
        ),
      ]);
    }
  }
  if (lines.length === 0) return [];
  return [
    'training by thread count: median images/s of the repeats (min–max, spread as % of the median):',
    '',
    ...markdownTable(['training', 'threads', `ours (${backend})`, 'PyTorch'], lines, [
      false,
      true,
      true,
      true,
    ]),
  ];
}

/** The suite's report: facts, the table (ours, PyTorch, ours/PyTorch per row), then the commands. */
export function formatSuiteReport(r: BenchSuiteResult): string[] {
  const table = markdownTable(
    ['what', `ours (${r.machine.backend}), images/s`, 'PyTorch, images/s', 'ours/PyTorch', 'notes'],
    r.rows.map((row) => [
      row.what,
      formatRate(row.ours),
      formatRate(row.peer),
      formatRatio(row.ratio),
      row.notes,
    ]),
    [false, true, true, true, false],
  );
  const byThreads = threadTable(r.machine.backend, r.rows);
  return [
    `VAE Studio benchmark, ${shortDate(r.machine.date)} (${r.seconds.toFixed(0)} s)`,
    ...machineLines(r.machine),
    peerLine(r.peer),
    ...methodLines(r),
    '',
    ...table,
    '',
    ...(byThreads.length ? [...byThreads, ''] : []),
    'commands (training: each side at its best thread count):',
    ...(r.invocation ? [`- the whole table: \`${r.invocation}\``] : []),
    ...r.rows.map((row) => `- ${row.what}: ${row.commands.map((c) => `\`${c}\``).join('; ')}`),
  ];
}

/** "+1.23 (+0.9 %)" */
function signedDifference(diff: number, of: number): string {
  const sign = diff >= 0 ? '+' : '−';
  const pct = (Math.abs(diff) / of) * 100;
  return `${sign}${Math.abs(diff).toFixed(2)} (${sign}${pct.toFixed(1)} %)`;
}

/** The −ELBO parity report: facts, a table of test −ELBO and training throughput, then the commands. */
export function formatElboReport(r: ElboParityResult): string[] {
  const s = r.settings;
  const p = r.peer;
  const table = markdownTable(
    ['', `ours (${r.machine.backend})`, p.available ? p.version : 'PyTorch', 'ours − PyTorch'],
    [
      [
        'test −ELBO, nats/image',
        r.ours.test.negElbo.toFixed(2),
        p.available ? p.testNegElbo.toFixed(2) : '—',
        p.available && r.difference !== null ? signedDifference(r.difference, p.testNegElbo) : '—',
      ],
      [
        'training, images/s',
        formatRate(r.ours.imagesPerSec),
        p.available ? formatRate(p.imagesPerSec) : '—',
        p.available ? `${formatRatio(r.ours.imagesPerSec / p.imagesPerSec)} (ratio)` : '—',
      ],
    ],
    [false, true, true, true],
  );
  return [
    `VAE Studio −ELBO parity, ${s.arch}, ${shortDate(r.machine.date)} (${r.seconds.toFixed(0)} s)`,
    ...machineLines(r.machine),
    p.available
      ? `- peer: ${p.version}, same run`
      : `- PyTorch not available: ${p.reason}. Only our figure is shown.`,
    `- data: ${s.trainImages.toLocaleString('en-US')} train + ${s.testImages.toLocaleString('en-US')} test 28×28 ` +
      `grayscale shape PNGs (drawn with seed 0), in flat folders read in sorted filename order` +
      (s.dir ? ` (kept in ${s.dir})` : ''),
    `- both: latent ${s.latentDim}, batch ${s.batchSize}, Adam lr ${s.learningRate}, β 1, ${s.epochs} epochs, ` +
      `seed ${s.seed}, all training images trained on (no validation split); test −ELBO with one z sample per image`,
    `- ours on the test folder: reconstruction ${r.ours.test.reconstruction.toFixed(2)}, KL ${r.ours.test.kl.toFixed(2)}, ` +
      `${r.ours.test.bitsPerDim.toFixed(4)} bits/dim; training time ${r.ours.trainSeconds.toFixed(1)} s ` +
      `(epoch previews included)` +
      (p.available ? `, the peer's ${p.trainSeconds.toFixed(1)} s (its loop only)` : ''),
    '',
    ...table,
    '',
    'commands (<data>: the data folder):',
    ...(r.invocation ? [`- the whole comparison: \`${r.invocation}\``] : []),
    ...r.ours.commands.map((c) => `- \`${c}\``),
    ...(p.command ? [`- \`${p.command}\``] : []),
  ];
}
