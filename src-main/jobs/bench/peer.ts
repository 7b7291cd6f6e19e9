/**
 * The PyTorch peer: `test/peer/torch_vae.py` (a byte-identical copy of the reference in ../shared/bench) run by
 * a system Python in a child process, and the one JSON line it prints last. Its `bench` without `--threads`
 * tries every thread count from 1 to the cores and reports the best (PyTorch's OpenMP is often slower on all
 * cores of a small VM than on one); with `--threads n` it runs just n.
 */
import { existsSync } from 'node:fs';
import { join, relative, isAbsolute } from 'node:path';
import { z } from 'zod';
import { UserError } from '../../util/errors.js';
import { findPackage } from '../../util/packageInfo.js';
import { howItEnded, lastJsonLine, spawnCollect } from './childRun.js';

/** How to start the peer. */
export interface PeerSettings {
  /** Python interpreter, e.g. /usr/bin/python3 (Debian's python3-torch installs there). */
  python: string;
  /** Path of torch_vae.py. */
  script: string;
  /**
   * torch threads (`--threads`). Unset: `bench` tries 1..cores and reports the best, `fit` uses all cores.
   * The suite ignores it and passes each count of its own sweep.
   */
  threads?: number;
}

/** What `torch_vae.py bench` measured. */
export interface PeerBench {
  /** e.g. "pytorch 1.13.0a0". */
  peer: string;
  device: string;
  /** The thread count of {@link imagesPerSec}: the one asked for, else the best of those tried. */
  threads: number;
  arch: string;
  batch: number;
  imagesPerSec: number;
  /** Images/s at each thread count tried (a peer older than the sweep does not say). */
  byThreads?: Record<number, number>;
}

/** What `torch_vae.py fit` measured. */
export interface PeerFit {
  peer: string;
  arch: string;
  epochs: number;
  /** Seconds of the training loop alone (loading and evaluation excluded). */
  trainSeconds: number;
  /** Test −ELBO, nats per image (β = 1, one z sample per image). */
  testNegElbo: number;
  nTrain: number;
  nTest: number;
}

/** A peer run: its figures, or why there are none, in words a user can act on. */
export type PeerOutcome<T> = { ok: true; value: T } | { ok: false; reason: string };

const benchLine = z.object({
  peer: z.string(),
  device: z.string(),
  threads: z.number().int(),
  arch: z.string(),
  batch: z.number().int(),
  train_images_per_s: z.number(),
  // JSON keys are strings: {"1": 188.6, "2": 90.9}.
  by_threads: z.record(z.string().regex(/^\d+$/), z.number()).optional(),
});

const fitLine = z.object({
  peer: z.string(),
  arch: z.string(),
  epochs: z.number().int(),
  train_s: z.number(),
  test_neg_elbo_nats: z.number(),
  n_train: z.number().int(),
  n_test: z.number().int(),
});

const PEER = 'the PyTorch peer';

function check<T>(schema: z.ZodType<T>, value: unknown, mode: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(
      'PEER_OUTPUT',
      `the PyTorch peer's ${mode} line lacks ${issue ? issue.path.join('.') || 'fields' : 'fields'}: ${JSON.stringify(value).slice(0, 200)}`,
    );
  }
  return parsed.data;
}

/**
 * Reads the JSON line `torch_vae.py bench` prints last.
 * @throws UserError PEER_OUTPUT when the last line is missing, not JSON, or lacks a field.
 */
export function parsePeerBench(stdout: string): PeerBench {
  const v = check(benchLine, lastJsonLine(stdout, PEER, 'PEER_OUTPUT'), 'bench');
  return {
    peer: v.peer,
    device: v.device,
    threads: v.threads,
    arch: v.arch,
    batch: v.batch,
    imagesPerSec: v.train_images_per_s,
    ...(v.by_threads
      ? {
          byThreads: Object.fromEntries(
            Object.entries(v.by_threads).map(([threads, rate]) => [Number(threads), rate]),
          ),
        }
      : {}),
  };
}

/**
 * Reads the JSON line `torch_vae.py fit` prints last.
 * @throws UserError PEER_OUTPUT when the last line is missing, not JSON, or lacks a field.
 */
export function parsePeerFit(stdout: string): PeerFit {
  const v = check(fitLine, lastJsonLine(stdout, PEER, 'PEER_OUTPUT'), 'fit');
  return {
    peer: v.peer,
    arch: v.arch,
    epochs: v.epochs,
    trainSeconds: v.train_s,
    testNegElbo: v.test_neg_elbo_nats,
    nTrain: v.n_train,
    nTest: v.n_test,
  };
}

/** Arguments of a `torch_vae.py bench` run matching ours: same architecture, latent, batch and timed steps. */
export function peerBenchArgs(o: {
  arch: string;
  batch: number;
  steps: number;
  latent: number;
  threads?: number | undefined;
}): string[] {
  return [
    'bench',
    '--arch',
    o.arch,
    '--batch',
    String(o.batch),
    '--steps',
    String(o.steps),
    '--latent',
    String(o.latent),
    '--device',
    'cpu',
    ...threadArgs(o.threads),
  ];
}

function threadArgs(threads: number | undefined): string[] {
  return threads === undefined ? [] : ['--threads', String(threads)];
}

/** Arguments of a `torch_vae.py fit` run matching our training run. */
export function peerFitArgs(o: {
  arch: string;
  latent: number;
  batch: number;
  learningRate: number;
  epochs: number;
  seed: number;
  train: string;
  test: string;
  threads?: number | undefined;
}): string[] {
  return [
    'fit',
    '--arch',
    o.arch,
    '--latent',
    String(o.latent),
    '--batch',
    String(o.batch),
    '--lr',
    String(o.learningRate),
    '--epochs',
    String(o.epochs),
    '--seed',
    String(o.seed),
    '--device',
    'cpu',
    ...threadArgs(o.threads),
    '--train',
    o.train,
    '--test',
    o.test,
  ];
}

/** The command line of a peer run as a user would type it (script path relative to the working folder). */
export function peerCommand(settings: PeerSettings, args: readonly string[]): string {
  const rel = relative(process.cwd(), settings.script);
  const script = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : settings.script;
  return [settings.python, script, ...args].map(shellWord).join(' ');
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Default peer: {@link defaultPython} running the script from this checkout's test/peer/. */
export function defaultPeerSettings(): PeerSettings {
  return {
    python: defaultPython(),
    script: join(findPackage()?.root ?? process.cwd(), 'test', 'peer', 'torch_vae.py'),
  };
}

/** /usr/bin/python3 when it exists (where Debian's python3-torch is), else `python3` on the PATH. */
export function defaultPython(): string {
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

/**
 * Runs the peer with `args` and parses its last line with `parse`. Never throws for an expected failure
 * (no Python, no torch, a crash, odd output): the outcome says why instead. Aborting `signal` kills the child.
 */
export async function runPeer<T>(
  settings: PeerSettings,
  args: readonly string[],
  parse: (stdout: string) => T,
  signal?: AbortSignal,
): Promise<PeerOutcome<T>> {
  if (!existsSync(settings.script)) {
    return {
      ok: false,
      reason: `${settings.script} not found (the peer script ships with the source repository, in test/peer/)`,
    };
  }
  const run = await spawnCollect(settings.python, [settings.script, ...args], signal);
  if (run.spawnError) {
    return {
      ok: false,
      reason:
        run.spawnError.code === 'ENOENT'
          ? `${settings.python} not found`
          : `${settings.python} could not start (${run.spawnError.message})`,
    };
  }
  if (run.code !== 0) {
    return { ok: false, reason: `${settings.python} ${args[0] ?? ''} ${howItEnded(run)}` };
  }
  try {
    return { ok: true, value: parse(run.stdout) };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}
