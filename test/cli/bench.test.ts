import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const run = runCli;
// The suite runs our training as `bin/vae-studio.js bench --arch … --json` children, which need the build.
const built = existsSync(fileURLToPath(new URL('../../out/main/cli/index.js', import.meta.url)));

// One step of batch 2, a few images: the command's plumbing, not the machine's speed.
const TINY = [
  '--steps',
  '1',
  '--warmup',
  '0',
  '--batch',
  '2',
  '--images',
  '4',
  '--generate',
  '2',
  '--features',
  '8',
  '--threads',
  '1',
  '--repeats',
  '1',
  '--backend',
  'wasm',
];

/** One training step of std28 at batch 2 on wasm: `vae-studio bench --arch`'s plumbing. */
const ONE_STEP = 'bench --arch std28 --steps 1 --warmup 0 --batch 2 --backend wasm'.split(' ');

describe('vae-studio bench', () => {
  it('lists the suite and −ELBO modes in its help', async () => {
    const { code, stdout } = await run(['bench', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/--suite +one table/);
    expect(stdout).toMatch(/--elbo +test −ELBO/);
    expect(stdout).toMatch(/--python <path\|none>/);
    expect(stdout).toMatch(/--threads <n,n…> +--suite: thread counts both sides train at/);
    expect(stdout).toMatch(
      /--repeats <n> +--suite: alternating ours\/PyTorch runs per thread count.*\(default 3\)/,
    );
  });

  it('refuses options of another mode, and both modes at once, with exit 2', async () => {
    const both = await run(['bench', '--suite', '--elbo']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--suite and --elbo are separate runs');
    const stray = await run(['bench', '--arch', 'std28', '--epochs', '3']);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('--epochs does not apply to a single-architecture run');
    const suiteArch = await run(['bench', '--suite', '--arch', 'std64']);
    expect(suiteArch.code).toBe(2);
    expect(suiteArch.stderr).toContain('--arch does not apply to --suite');
    const peerThreads = await run(['bench', '--suite', '--peer-threads', '1']);
    expect(peerThreads.code).toBe(2);
    expect(peerThreads.stderr).toContain(
      '--peer-threads does not apply to --suite (use --threads, which sets both sides)',
    );
    const badThreads = await run(['bench', '--suite', '--threads', '1,two']);
    expect(badThreads.code).toBe(2);
    expect(badThreads.stderr).toContain(
      "--threads wants thread counts from 1 to 1024 separated by commas, e.g. 1,2; got '1,two'",
    );
  });

  it('still measures one architecture with --arch', async () => {
    const r = await run(ONE_STEP);
    expect(r.code).toBe(0);
    // Training's steps run on ONNX Runtime where it loads, else on tfjs's wasm: the line names which.
    expect(r.stdout).toMatch(
      /^std28 batch 2 on (wasm \(cpu, \d+ threads?\)|ONNX Runtime [\d.]+, \d+ threads? \(cpu\)): [\d.]+ training images\/s/,
    );
    expect(r.stderr).toBe('');
    process.env.VAE_STUDIO_ONNX = 'off';
    const tfjs = await run(ONE_STEP).finally(() => delete process.env.VAE_STUDIO_ONNX);
    expect(tfjs.code).toBe(0);
    expect(tfjs.stdout).toMatch(/^std28 batch 2 on wasm \(cpu, \d+ threads?\): [\d.]+ training images\/s/);
  });

  it("--profile adds tfjs's kernels of one step: time, share, GFLOP/s", async () => {
    const r = await run([...ONE_STEP, '--profile']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^tfjs kernels of one std28 training step of 2 on wasm \(\d+ threads?\), 1 step profiled: /,
      ),
    );
    // The filter gradients are counted from their shapes: 4 of them, with a GFLOP figure and a rate.
    expect(lines).toContainEqual(
      expect.stringMatching(/^\| Conv2DBackpropFilter \| 4 \| [\d.]+ \| [\d.]+ % \| 0\.\d{3} \| [\d.]+ \|/),
    );
    expect(lines.filter((l) => l.startsWith('| outside kernels |'))).toHaveLength(1);
  });

  it.skipIf(!built)(
    '--suite prints one table, and a line saying the peer is missing when there is no Python',
    async () => {
      const r = await run(['bench', '--suite', ...TINY, '--python', '/nonexistent/python3']);
      expect(r.code).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines[0]).toMatch(/^VAE Studio benchmark, \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
      expect(lines).toContain(
        '- PyTorch not available: /nonexistent/python3 not found. Only our figures are shown.',
      );
      const table = lines.filter((l) => l.startsWith('|'));
      // The main table (header, rule, 8 rows: training's steps on ONNX Runtime and on tfjs, features on both),
      // then the table by thread count (header, rule, 4 rows).
      expect(table).toHaveLength(16);
      expect(table[2]).toMatch(/^\| training std28, batch 2, ONNX Runtime [\d.]+ \| [\d,.]+ \| — \| — \|/);
      expect(table[3]).toMatch(/^\| training std28, batch 2, tfjs wasm \| [\d,.]+ \| — \| — \|/);
      expect(table[9]).toMatch(
        /^\| quality features, 8 64×64×3 images, ONNX Runtime [\d.]+, \d+ threads? \| [\d,.]+ \|/,
      );
      expect(r.stdout).toContain(
        '- training std28, batch 2, tfjs wasm: `VAE_STUDIO_WASM_THREADS=1 VAE_STUDIO_ONNX=off vae-studio bench --arch std28 --batch 2 --steps 1 --warmup 0 --backend wasm`',
      );
      expect(r.stdout).toContain(
        '- the whole table: `vae-studio bench --suite --batch 2 --steps 1 --warmup 0 --images 4 --generate 2 --features 8 --threads 1 --repeats 1 --python /nonexistent/python3 --backend wasm`',
      );
    },
  );

  it.skipIf(!built)('--suite --json prints events, then one result with the rows', async () => {
    const r = await run(['bench', '--suite', ...TINY, '--python', 'none', '--json']);
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.slice(0, -1).every((l) => l.event !== 'result')).toBe(true);
    const result = lines.at(-1) as { event: string; command: string; mode: string; rows: { id: string }[] };
    expect(result).toMatchObject({
      event: 'result',
      command: 'bench',
      mode: 'suite',
      peer: { available: false },
    });
    expect(result.rows.map((row) => row.id)).toEqual([
      'train-std28',
      'train-std28-tfjs',
      'train-std64',
      'train-std64-tfjs',
      'import',
      'generate',
      'features',
      'features-native',
    ]);
  });
});
