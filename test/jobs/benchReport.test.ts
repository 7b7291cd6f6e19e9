import { describe, expect, it } from 'vitest';
import {
  formatElboReport,
  formatRate,
  formatRatio,
  formatSuiteReport,
  markdownTable,
  ratioOf,
  type BenchSuiteResult,
  type ElboParityResult,
  type MachineFacts,
  type SuiteRow,
} from '../../src-main/jobs/bench/index.js';

const machine: MachineFacts = {
  date: '2026-11-23T10:15:42.123Z',
  cores: 2,
  cpuModel: 'AMD EPYC',
  platform: 'linux',
  arch: 'x64',
  memoryGiB: 23.5,
  loadAverage: [1.2, 0.5, 0.25],
  node: 'v20.20.2',
  backend: 'wasm',
  device: 'cpu',
  threads: 1,
  backendReason: 'wasm: XNNPACK SIMD build, 1 thread',
};

function row(id: SuiteRow['id'], ours: number, peer: number | null): SuiteRow {
  return {
    id,
    what: id,
    ours,
    peer,
    ratio: ratioOf(ours, peer),
    notes: `${id} notes`,
    commands: [`vae-studio ${id}`],
  };
}

function suite(peer: BenchSuiteResult['peer'], rows: SuiteRow[]): BenchSuiteResult {
  return { mode: 'suite', invocation: 'vae-studio bench --suite', machine, peer, rows, seconds: 83.4 };
}

describe('benchmark numbers', () => {
  it('are printed with separators and one decimal, ratios with two and ×, absences as —', () => {
    expect(formatRate(1234.56)).toBe('1,234.6');
    expect(formatRate(35.7)).toBe('35.7');
    expect(formatRate(null)).toBe('—');
    expect(formatRate(Number.NaN)).toBe('—');
    expect(formatRatio(1.5)).toBe('1.50×');
    expect(formatRatio(null)).toBe('—');
  });

  it('ratio is ours / PyTorch, and none without a positive peer figure', () => {
    expect(ratioOf(808, 404)).toBe(2);
    expect(ratioOf(30, 60)).toBe(0.5);
    expect(ratioOf(30, null)).toBeNull();
    expect(ratioOf(30, 0)).toBeNull();
  });

  it('markdown tables right-align numeric columns and escape pipes', () => {
    expect(markdownTable(['a', 'b'], [['x|y', '1']], [false, true])).toEqual([
      '| a | b |',
      '| --- | ---: |',
      '| x\\|y | 1 |',
    ]);
  });
});

describe('the suite report', () => {
  const rows = [
    row('train-std28', 808, 404),
    row('train-std64', 66.5, 33.25),
    row('import', 1200, null),
    row('generate', 950.25, null),
  ];

  it('has one table row per measurement with ours, PyTorch and ours/PyTorch', () => {
    const lines = formatSuiteReport(
      suite(
        { available: true, version: 'pytorch 1.13.0a0', device: 'cpu', threads: 2, command: 'py t.py' },
        rows,
      ),
    );
    expect(lines[0]).toBe('VAE Studio benchmark, 2026-11-23 10:15 UTC (83 s)');
    expect(lines).toContain('| what | ours (wasm), images/s | PyTorch, images/s | ours/PyTorch | notes |');
    expect(lines).toContain('| train-std28 | 808.0 | 404.0 | 2.00× | train-std28 notes |');
    expect(lines).toContain('| train-std64 | 66.5 | 33.3 | 2.00× | train-std64 notes |');
    expect(lines).toContain('| import | 1,200.0 | — | — | import notes |');
    expect(lines).toContain('| generate | 950.3 | — | — | generate notes |');
    expect(lines).toContain('- peer: pytorch 1.13.0a0 on cpu, 2 threads (py t.py)');
    expect(lines.filter((l) => l.startsWith('|'))).toHaveLength(6);
  });

  it('states the date, cores, CPU, Node, backend and threads, and every command', () => {
    const text = formatSuiteReport(
      suite({ available: true, version: 'pytorch 1.13.0a0', device: 'cpu', threads: 2, command: 'py' }, rows),
    ).join('\n');
    expect(text).toContain(
      '- machine: 2 cores, AMD EPYC, linux x64, 23.5 GiB, load 1.20 0.50 0.25 at the start',
    );
    expect(text).toContain(
      '- Node v20.20.2; backend wasm (cpu, 1 thread): wasm: XNNPACK SIMD build, 1 thread',
    );
    expect(text).toContain('- the whole table: `vae-studio bench --suite`');
    expect(text).toContain('- train-std64: `vae-studio train-std64`');
  });

  it('says in one line that PyTorch is not available, and why, and still shows our figures', () => {
    const lines = formatSuiteReport(
      suite({ available: false, reason: "No module named 'torch'" }, [
        row('train-std28', 808, null),
        row('train-std64', 66.5, null),
      ]),
    );
    expect(lines.filter((l) => l.includes('PyTorch not available'))).toEqual([
      "- PyTorch not available: No module named 'torch'. Only our figures are shown.",
    ]);
    expect(lines).toContain('| train-std28 | 808.0 | — | — | train-std28 notes |');
  });
});

describe('the −ELBO parity report', () => {
  const base: ElboParityResult = {
    mode: 'elbo',
    invocation: 'vae-studio bench --elbo',
    machine,
    settings: {
      arch: 'std28',
      latentDim: 16,
      batchSize: 64,
      learningRate: 0.001,
      epochs: 5,
      seed: 0,
      trainImages: 6000,
      testImages: 1000,
      dir: null,
    },
    ours: {
      test: { negElbo: 101.5, reconstruction: 90, kl: 11.5, bitsPerDim: 0.1868 },
      trainSeconds: 40,
      imagesPerSec: 750,
      commands: ['vae-studio train --project <data>/project'],
    },
    peer: {
      available: true,
      version: 'pytorch 1.13.0a0',
      testNegElbo: 100,
      trainSeconds: 60,
      imagesPerSec: 500,
      command: 'py t.py fit',
    },
    difference: 1.5,
    seconds: 130,
  };

  it('prints both test −ELBOs, their difference in nats and percent, and the throughput ratio', () => {
    const lines = formatElboReport(base);
    expect(lines).toContain('| test −ELBO, nats/image | 101.50 | 100.00 | +1.50 (+1.5 %) |');
    expect(lines).toContain('| training, images/s | 750.0 | 500.0 | 1.50× (ratio) |');
    expect(lines).toContain('- `py t.py fit`');
    const negative = formatElboReport({
      ...base,
      ours: { ...base.ours, test: { ...base.ours.test, negElbo: 98 } },
      difference: -2,
    });
    expect(negative).toContain('| test −ELBO, nats/image | 98.00 | 100.00 | −2.00 (−2.0 %) |');
  });

  it('without the peer prints our figure and the reason', () => {
    const lines = formatElboReport({
      ...base,
      peer: { available: false, reason: '/usr/bin/python3 not found', command: null },
      difference: null,
    });
    expect(lines).toContain('- PyTorch not available: /usr/bin/python3 not found. Only our figure is shown.');
    expect(lines).toContain('| test −ELBO, nats/image | 101.50 | — | — |');
  });
});
