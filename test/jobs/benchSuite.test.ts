import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBenchSuite, type PeerSettings } from '../../src-main/jobs/bench/index.js';
import type { JobEvent } from '../../src-main/jobs/index.js';
import { tempDir } from '../helpers/tinyData.js';

// Tiny runs on wasm (1 step of batch 2 per architecture, a handful of images): orchestration, not speed.
const tiny = {
  backend: 'wasm' as const,
  batchSize: 2,
  steps: { std28: 1, std64: 1 },
  warmup: 0,
  importImages: 6,
  generateImages: 3,
  featureImages: 40,
};

/** node standing in for Python, running a script that answers like `torch_vae.py bench` (latent echoed back). */
let fakePeer: PeerSettings;
beforeAll(async () => {
  const script = join(await tempDir(), 'fake_torch_vae.mjs');
  await writeFile(
    script,
    `const a = process.argv.slice(2);
const get = (k) => a[a.indexOf(k) + 1];
const rate = get('--arch') === 'std28' ? 4 : 0.5;
console.log(JSON.stringify({ peer: 'pytorch fake', device: get('--device'), threads: 2, arch: get('--arch'),
  batch: Number(get('--batch')), train_images_per_s: rate }));
`,
  );
  fakePeer = { python: process.execPath, script };
});

describe('the benchmark suite', () => {
  it('measures training, import and generation, and runs the peer with the same steps', async () => {
    const events: JobEvent[] = [];
    const result = await runBenchSuite(
      { ...tiny, peer: fakePeer, invocation: 'vae-studio bench --suite' },
      {
        emit: (e) => events.push(e),
      },
    );
    expect(result.rows.map((r) => r.id)).toEqual([
      'train-std28',
      'train-std64',
      'import',
      'generate',
      'features',
    ]);
    expect(result.peer).toMatchObject({
      available: true,
      version: 'pytorch fake',
      device: 'cpu',
      threads: 2,
    });
    const [std28, std64, imported, generated, features] = result.rows;
    expect(std28!.peer).toBe(4);
    expect(std64!.peer).toBe(0.5);
    for (const r of [std28!, std64!]) {
      expect(r.ours).toBeGreaterThan(0);
      expect(r.ratio).toBeCloseTo(r.ours / r.peer!, 12);
    }
    expect(std28!.commands).toEqual([
      'vae-studio bench --arch std28 --batch 2 --steps 1 --warmup 0 --backend wasm',
      expect.stringMatching(
        /fake_torch_vae\.mjs bench --arch std28 --batch 2 --steps 1 --latent 16 --device cpu$/,
      ),
    ]);
    expect(std64!.commands[1]).toMatch(/--arch std64 --batch 2 --steps 1 --latent 32 --device cpu$/);
    expect(imported!.peer).toBeNull();
    expect(imported!.notes).toMatch(/^6 imported in /);
    expect(generated!.notes).toMatch(/^3 written in /);
    expect(generated!.ours).toBeGreaterThan(0);
    expect(features!.what).toBe('quality features, 40 64×64×3 images');
    expect(features!.notes).toMatch(/^384-d, 96×96 input, /);
    expect(features!.ours).toBeGreaterThan(0);
    expect(result.machine).toMatchObject({ backend: 'wasm', threads: expect.any(Number) as number });
    expect(result.invocation).toBe('vae-studio bench --suite');
    expect(events.some((e) => e.name === 'dataset.importProgress')).toBe(true);
    expect(events.some((e) => e.name === 'generation.progress')).toBe(true);
  });

  it('without torch records why once, skips the peer, and still measures ours', async () => {
    const result = await runBenchSuite({ ...tiny, peer: { ...fakePeer, python: '/nonexistent/python3' } });
    expect(result.peer).toEqual({ available: false, reason: '/nonexistent/python3 not found' });
    expect(result.rows.map((r) => r.peer)).toEqual([null, null, null, null, null]);
    expect(result.rows.every((r) => r.ours > 0)).toBe(true);
    expect(result.rows[1]!.commands).toHaveLength(1);
  });
});
