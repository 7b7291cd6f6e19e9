import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  parsePeerBench,
  parsePeerFit,
  peerBenchArgs,
  peerCommand,
  peerFitArgs,
  runPeer,
} from '../../src-main/jobs/bench/index.js';
import { tempDir } from '../helpers/tinyData.js';

// Lines captured from test/peer/torch_vae.py on the project's machine (PyTorch 1.13 from Debian).
const BENCH_STD28 =
  '{"peer": "pytorch 1.13.0a0", "device": "cpu", "threads": 2, "arch": "std28", "batch": 64, "train_images_per_s": 539.8}';
const BENCH_STD64 =
  '{"peer": "pytorch 1.13.0a0", "device": "cpu", "threads": 2, "arch": "std64", "batch": 64, "train_images_per_s": 35.7}';
const FIT_STD28 =
  '{"peer": "pytorch 1.13.0a0", "arch": "std28", "epochs": 1, "train_s": 1.2, "test_neg_elbo_nats": 338.48, "n_train": 640, "n_test": 200}';

describe('the peer output parser', () => {
  it('reads the bench line into camel-cased figures', () => {
    expect(parsePeerBench(BENCH_STD28 + '\n')).toEqual({
      peer: 'pytorch 1.13.0a0',
      device: 'cpu',
      threads: 2,
      arch: 'std28',
      batch: 64,
      imagesPerSec: 539.8,
    });
    expect(parsePeerBench(BENCH_STD64).imagesPerSec).toBe(35.7);
  });

  it("reads the sweep's figure at each thread count, keyed by number", () => {
    const swept =
      '{"peer": "pytorch 1.13.0a0", "device": "cpu", "threads": 1, "arch": "std64", "batch": 64, "train_images_per_s": 188.6, "by_threads": {"1": 188.6, "2": 90.9}}';
    expect(parsePeerBench(swept)).toMatchObject({
      threads: 1,
      imagesPerSec: 188.6,
      byThreads: { 1: 188.6, 2: 90.9 },
    });
    expect(parsePeerBench(BENCH_STD64)).not.toHaveProperty('byThreads');
    expect(() => parsePeerBench(swept.replace('"2": 90.9', '"two": 90.9'))).toThrow(
      /bench line lacks by_threads/,
    );
  });

  it('takes the last non-empty line, whatever came before it', () => {
    const out = `/usr/lib/python3/dist-packages/torch/x.py:1: UserWarning: something\n{"not": "this"}\n${BENCH_STD64}\n\n`;
    expect(parsePeerBench(out).arch).toBe('std64');
  });

  it('reads the fit line: test −ELBO, training seconds and image counts', () => {
    expect(parsePeerFit(FIT_STD28)).toEqual({
      peer: 'pytorch 1.13.0a0',
      arch: 'std28',
      epochs: 1,
      trainSeconds: 1.2,
      testNegElbo: 338.48,
      nTrain: 640,
      nTest: 200,
    });
  });

  it('fails with PEER_OUTPUT naming what is wrong: nothing, not JSON, a missing field', () => {
    expect(() => parsePeerBench('')).toThrow(expect.objectContaining({ code: 'PEER_OUTPUT' }));
    expect(() => parsePeerBench('\n  \n')).toThrow(/printed nothing/);
    expect(() => parsePeerBench('Traceback (most recent call last):')).toThrow(/not JSON: Traceback/);
    expect(() => parsePeerBench(FIT_STD28)).toThrow(/bench line lacks device/);
    expect(() => parsePeerFit(BENCH_STD28)).toThrow(/fit line lacks/);
  });
});

describe('peer command lines', () => {
  it('match our run: architecture, batch, timed steps, latent size, CPU', () => {
    expect(peerBenchArgs({ arch: 'std64', batch: 64, steps: 15, latent: 32 })).toEqual([
      'bench',
      '--arch',
      'std64',
      '--batch',
      '64',
      '--steps',
      '15',
      '--latent',
      '32',
      '--device',
      'cpu',
    ]);
    expect(peerBenchArgs({ arch: 'std28', batch: 64, steps: 1, latent: 16, threads: 1 }).slice(-2)).toEqual([
      '--threads',
      '1',
    ]);
    const fit = peerFitArgs({
      arch: 'std28',
      latent: 16,
      batch: 64,
      learningRate: 0.001,
      epochs: 5,
      seed: 0,
      train: '/d/train',
      test: '/d/test',
    });
    expect(fit.join(' ')).toBe(
      'fit --arch std28 --latent 16 --batch 64 --lr 0.001 --epochs 5 --seed 0 --device cpu --train /d/train --test /d/test',
    );
  });

  it('print the script relative to the working folder and quote odd words', () => {
    const script = join(process.cwd(), 'test', 'peer', 'torch_vae.py');
    expect(peerCommand({ python: '/usr/bin/python3', script }, ['fit', '--train', '/a b'])).toBe(
      "/usr/bin/python3 test/peer/torch_vae.py fit --train '/a b'",
    );
  });
});

/** A stand-in for Python: node running a script that behaves like torch_vae.py or like a broken install. */
async function fakeScript(body: string): Promise<string> {
  const file = join(await tempDir(), 'fake_peer.mjs');
  await writeFile(file, body);
  return file;
}

describe('runPeer', () => {
  it('runs the interpreter with the script and arguments and parses its last line', async () => {
    const script = await fakeScript(
      `const a = process.argv.slice(2);\nconsole.log('warming up');\nconsole.log(JSON.stringify({ peer: 'pytorch fake', device: 'cpu', threads: 3, arch: a[a.indexOf('--arch') + 1], batch: 64, train_images_per_s: 12.5 }));\n`,
    );
    const outcome = await runPeer(
      { python: process.execPath, script },
      peerBenchArgs({ arch: 'std64', batch: 64, steps: 1, latent: 32 }),
      parsePeerBench,
    );
    expect(outcome).toEqual({
      ok: true,
      value: {
        peer: 'pytorch fake',
        device: 'cpu',
        threads: 3,
        arch: 'std64',
        batch: 64,
        imagesPerSec: 12.5,
      },
    });
  });

  it("says why when torch is missing: the interpreter's last stderr line", async () => {
    const script = await fakeScript(
      `process.stderr.write("Traceback (most recent call last):\\nModuleNotFoundError: No module named 'torch'\\n");\nprocess.exit(1);\n`,
    );
    const outcome = await runPeer({ python: process.execPath, script }, ['bench'], parsePeerBench);
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.reason).toMatch(
      /exited with code 1: ModuleNotFoundError: No module named 'torch'$/,
    );
  });

  it('says why when there is no interpreter, no script, or odd output', async () => {
    const script = await fakeScript(`console.log('done');\n`);
    const noPython = await runPeer({ python: '/nonexistent/python3', script }, ['bench'], parsePeerBench);
    expect(noPython).toEqual({ ok: false, reason: '/nonexistent/python3 not found' });
    const noScript = await runPeer(
      { python: process.execPath, script: join(await tempDir(), 'gone.py') },
      ['bench'],
      parsePeerBench,
    );
    expect(!noScript.ok && noScript.reason).toMatch(/gone\.py not found/);
    const odd = await runPeer({ python: process.execPath, script }, ['bench'], parsePeerBench);
    expect(odd).toEqual({ ok: false, reason: "the PyTorch peer's last line is not JSON: done" });
  });
});
