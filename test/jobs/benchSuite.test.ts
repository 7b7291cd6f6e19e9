import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBenchSuite, type OursSettings, type PeerSettings } from '../../src-main/jobs/bench/index.js';
import type { JobEvent } from '../../src-main/jobs/index.js';
import { tempDir } from '../helpers/tinyData.js';

// A handful of images for the import, generation and feature rows: orchestration, not speed.
const tiny = {
  backend: 'wasm' as const,
  batchSize: 2,
  steps: { std28: 1, std64: 1 },
  warmup: 0,
  importImages: 6,
  generateImages: 3,
  featureImages: 40,
};

/**
 * Figures the fakes answer with, by side, architecture and thread count, one per call in turn, so the best
 * setting, medians and ranges are known: ours is best at 2 threads, PyTorch at 1 (as on the 2-core Xeon).
 */
const RATES = {
  // Ours with ONNX Runtime's steps (what training uses on wasm), then with tfjs's own (VAE_STUDIO_ONNX=off).
  native: {
    std28: { 1: [2000, 1950, 2100], 2: [1660, 1600, 1700] },
    std64: { 1: [171, 165, 175], 2: [190, 183, 198] },
  },
  ours: {
    std28: { 1: [601, 590, 610], 2: [814, 800, 830] },
    std64: { 1: [46.7, 45, 48], 2: [74.1, 70.1, 76] },
  },
  peer: {
    std28: { 1: [1846, 1800, 1850], 2: [649, 600, 700] },
    std64: { 1: [188.6, 185, 190], 2: [90.9, 59, 103] },
  },
};

/**
 * A script node runs in place of Python or of our CLI: it answers like `torch_vae.py bench` or like
 * `vae-studio bench --arch … --json` at the thread count it is given (`--threads`, VAE_STUDIO_WASM_THREADS),
 * and appends what it ran to a log, so the order of the runs can be checked.
 */
const FAKE = `import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
const [side, dir] = [SIDE, DIR];
const a = process.argv.slice(2);
const get = (k) => a[a.indexOf(k) + 1];
const arch = get('--arch');
const threads = side === 'peer' ? Number(get('--threads')) : Number(process.env.VAE_STUDIO_WASM_THREADS);
const tfjs = process.env.VAE_STUDIO_ONNX === 'off';
const onnxThreads = process.env.VAE_STUDIO_ONNX_THREADS;
if (side === 'ours' && !tfjs && onnxThreads !== String(threads)) throw new Error('ONNX Runtime threads ' + onnxThreads);
const key = (side === 'ours' && !tfjs ? 'native' : side) + ' ' + arch + ' ' + threads;
const countsFile = dir + '/counts.json';
const counts = existsSync(countsFile) ? JSON.parse(readFileSync(countsFile, 'utf8')) : {};
const n = counts[key] ?? 0;
counts[key] = n + 1;
writeFileSync(countsFile, JSON.stringify(counts));
appendFileSync(dir + '/order.log', key + '\\n');
const table = RATES[side === 'ours' && !tfjs ? 'native' : side][arch][threads];
const rate = table[n % table.length];
if (side === 'peer') {
  console.log(JSON.stringify({ peer: 'pytorch fake', device: get('--device'), threads, arch,
    batch: Number(get('--batch')), train_images_per_s: rate, by_threads: { [threads]: rate } }));
} else {
  console.log(JSON.stringify({ event: 'log', message: 'a line before the result' }));
  console.log(JSON.stringify({ event: 'result', command: 'bench', arch, imagesPerSec: rate, msPerStep: 2000 / rate,
    parameters: arch === 'std28' ? 220385 : 1777411, backend: { backend: 'wasm', device: 'cpu', threads },
    native: tfjs ? null : 'ONNX Runtime fake, ' + threads + (threads === 1 ? ' thread' : ' threads') }));
}
`;

async function fakeScript(dir: string, side: 'ours' | 'peer'): Promise<string> {
  const script = join(dir, `fake_${side}.mjs`);
  await writeFile(
    script,
    `const SIDE = ${JSON.stringify(side)}; const DIR = ${JSON.stringify(dir)}; const RATES = ${JSON.stringify(RATES)};\n${FAKE}`,
  );
  return script;
}

let dir: string;
let fakePeer: PeerSettings;
let fakeOurs: OursSettings;
beforeAll(async () => {
  dir = await tempDir();
  fakePeer = { python: process.execPath, script: await fakeScript(dir, 'peer') };
  fakeOurs = { node: process.execPath, script: await fakeScript(dir, 'ours') };
});

describe('the benchmark suite', () => {
  it('sweeps both sides over the thread counts in alternating pairs and takes each side’s best median', async () => {
    const events: JobEvent[] = [];
    const result = await runBenchSuite(
      {
        ...tiny,
        threads: [2, 1, 2],
        repeats: 3,
        ours: fakeOurs,
        peer: fakePeer,
        invocation: 'vae-studio bench --suite',
      },
      { emit: (e) => events.push(e) },
    );
    // ONNX Runtime loads here, so each architecture has a row of training's steps and one of tfjs's own.
    expect(result.rows.map((r) => r.id)).toEqual([
      'train-std28',
      'train-std28-tfjs',
      'train-std64',
      'train-std64-tfjs',
      'import',
      'generate',
      'features',
      'features-native',
    ]);
    expect(result.sweep).toEqual({ threads: [1, 2], repeats: 3 });
    expect(result.peer).toMatchObject({
      available: true,
      version: 'pytorch fake',
      device: 'cpu',
      threads: [1, 2],
    });
    const [nativeStd28, std28, nativeStd64, std64, imported, generated, features, native] = result.rows;

    expect(nativeStd64!.what).toBe('training std64, batch 2, ONNX Runtime fake');
    expect(nativeStd64!.ours).toBe(190);
    expect(nativeStd64!.ratio).toBeCloseTo(190 / 188.6, 12);
    expect(nativeStd28!.ours).toBe(2000);
    expect(nativeStd28!.sweep!.oursBest.threads).toBe(1);
    expect(nativeStd28!.commands[0]).toBe(
      'VAE_STUDIO_WASM_THREADS=1 VAE_STUDIO_ONNX_THREADS=1 vae-studio bench --arch std28 --batch 2 --steps 1 --warmup 0 --backend wasm',
    );
    expect(std64!.what).toBe('training std64, batch 2, tfjs wasm');

    expect(std64!.ours).toBe(74.1);
    expect(std64!.peer).toBe(188.6);
    expect(std64!.ratio).toBeCloseTo(74.1 / 188.6, 12);
    expect(std64!.sweep!.oursBest).toEqual({
      threads: 2,
      runs: [74.1, 70.1, 76],
      median: 74.1,
      min: 70.1,
      max: 76,
    });
    expect(std64!.sweep!.peerBest).toEqual({
      threads: 1,
      runs: [188.6, 185, 190],
      median: 188.6,
      min: 185,
      max: 190,
    });
    expect(std64!.sweep!.peer!.find((s) => s.threads === 2)).toMatchObject({
      median: 90.9,
      min: 59,
      max: 103,
    });
    expect(std64!.notes).toBe(
      'ours best at 2 threads (median of 3, 70.1–76.0); PyTorch best at 1 thread (median of 3, 185.0–190.0); ' +
        '27 ms/step, 1,777,411 parameters, 24.0 GFLOP/s',
    );
    expect(std28!.ours).toBe(814);
    expect(std28!.peer).toBe(1846);

    expect(std28!.commands).toEqual([
      'VAE_STUDIO_WASM_THREADS=2 VAE_STUDIO_ONNX=off vae-studio bench --arch std28 --batch 2 --steps 1 --warmup 0 --backend wasm',
      expect.stringMatching(
        /fake_peer\.mjs bench --arch std28 --batch 2 --steps 1 --latent 16 --device cpu --threads 1$/,
      ),
    ]);
    expect(std64!.commands[1]).toMatch(
      /--arch std64 --batch 2 --steps 1 --latent 32 --device cpu --threads 1$/,
    );

    const order = (await readFile(join(dir, 'order.log'), 'utf8')).trim().split('\n');
    // prettier-ignore
    expect(order.slice(0, 24)).toEqual([
      'native std28 1', 'peer std28 1', 'native std28 2', 'peer std28 2',
      'peer std28 1', 'native std28 1', 'peer std28 2', 'native std28 2',
      'native std28 1', 'peer std28 1', 'native std28 2', 'peer std28 2',
      'ours std28 1', 'peer std28 1', 'ours std28 2', 'peer std28 2',
      'peer std28 1', 'ours std28 1', 'peer std28 2', 'ours std28 2',
      'ours std28 1', 'peer std28 1', 'ours std28 2', 'peer std28 2',
    ]);
    expect(order).toHaveLength(48);

    expect(imported!.peer).toBeNull();
    expect(imported!.notes).toMatch(/^6 imported in /);
    expect(generated!.notes).toMatch(/^3 written in /);
    expect(generated!.ours).toBeGreaterThan(0);
    expect(features!.what).toBe('quality features, 40 64×64×3 images, tfjs wasm');
    expect(features!.notes).toMatch(/^384-d, 96×96 input, /);
    // The same images on ONNX Runtime, which the quality report uses where it loads.
    expect(native!.what).toMatch(
      /^quality features, 40 64×64×3 images, ONNX Runtime 1\.\d+\.\d+, \d+ threads?$/,
    );
    expect(native!.ours).toBeGreaterThan(0);
    expect(result.machine).toMatchObject({ backend: 'wasm', threads: expect.any(Number) as number });
    expect(result.invocation).toBe('vae-studio bench --suite');
    expect(result.cpu.loadBefore).toBeGreaterThanOrEqual(0);
    // The machine is shared: whether it warns depends on the others, but a warning is always this sentence.
    if (result.cpu.warning !== null) {
      expect(result.cpu.warning).toMatch(
        /^(other processes used \d+ % of the CPU during the run|the 1-minute load)/,
      );
    }
    const logs = events.flatMap((e) => (e.name === 'job.log' ? [e.payload.message] : []));
    expect(logs).toContain('ours std64 on tfjs wasm, 2 threads, repeat 3/3: 76.0 images/s');
    expect(logs).toContain('ours std64 on ONNX Runtime fake, 2 threads, repeat 1/3: 190.0 images/s');
    expect(logs).toContain('PyTorch std64, 2 threads, repeat 2/3: 59.0 images/s');
    expect(events.some((e) => e.name === 'dataset.importProgress')).toBe(true);
  });

  it('without torch records why once, skips the peer, and still measures ours', async () => {
    const result = await runBenchSuite({
      ...tiny,
      threads: [1],
      repeats: 1,
      ours: fakeOurs,
      peer: { ...fakePeer, python: '/nonexistent/python3' },
    });
    expect(result.peer).toEqual({ available: false, reason: '/nonexistent/python3 not found' });
    expect(result.rows.map((r) => r.peer)).toEqual([null, null, null, null, null, null, null, null]);
    expect(result.rows.every((r) => r.ours > 0)).toBe(true);
    expect(result.rows[2]!.commands).toEqual([
      'VAE_STUDIO_WASM_THREADS=1 VAE_STUDIO_ONNX_THREADS=1 vae-studio bench --arch std64 --batch 2 --steps 1 --warmup 0 --backend wasm',
    ]);
    expect(result.rows[2]!.sweep!.peer).toBeNull();
  });

  it('fails with BENCH_CHILD and the child’s last words when our training child fails', async () => {
    const broken = join(dir, 'broken.mjs');
    await writeFile(broken, `process.stderr.write('vae-studio: no such backend\\n'); process.exit(1);\n`);
    await expect(
      runBenchSuite({
        ...tiny,
        threads: [1],
        repeats: 1,
        ours: { node: process.execPath, script: broken },
        peer: null,
      }),
    ).rejects.toMatchObject({
      code: 'BENCH_CHILD',
      message:
        'VAE_STUDIO_WASM_THREADS=1 VAE_STUDIO_ONNX_THREADS=1 vae-studio bench --arch std28 --batch 2 --steps 1 --warmup 0 --backend wasm ' +
        'exited with code 1: vae-studio: no such backend',
    });
  });
});

const built = existsSync(fileURLToPath(new URL('../../out/main/cli/index.js', import.meta.url)));

describe.skipIf(!built)('the suite with our real CLI (needs the build)', () => {
  it('gets our figure from `vae-studio bench --arch … --json` at the thread count asked for', async () => {
    const result = await runBenchSuite({ ...tiny, threads: [1], repeats: 1, peer: fakePeer });
    const std28 = result.rows[0]!;
    expect(std28.ours).toBeGreaterThan(0);
    expect(std28.sweep!.ours.map((s) => s.threads)).toEqual([1]);
    expect(std28.notes).toMatch(
      /^ours best at 1 thread \(median of 1\); PyTorch best at 1 thread \(median of 1\); [\d.]+ m?s\/step, 220,385 parameters, [\d.]+ GFLOP\/s$/,
    );
    expect(std28.notes).not.toContain('ran on');
  });
});
