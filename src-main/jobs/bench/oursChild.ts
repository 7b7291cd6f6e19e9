/**
 * Our training benchmark in a child process: `vae-studio bench --arch … --json`, the way a user runs it. The wasm
 * thread count can only be set before the backend starts in a process (`VAE_STUDIO_WASM_THREADS`), so each
 * figure of a thread sweep needs its own process.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { ONNX_ENV_VAR, ONNX_THREADS_ENV_VAR, WASM_THREADS_ENV_VAR } from '../../engine/node/index.js';
import { UserError } from '../../util/errors.js';
import { findPackage } from '../../util/packageInfo.js';
import type { BenchArch } from '../benchJob.js';
import { howItEnded, lastJsonLine, spawnCollect } from './childRun.js';

/** How to start our CLI. */
export interface OursSettings {
  /** The Node binary, normally this process's own. */
  node: string;
  /** Path of bin/vae-studio.js (it needs the built out/main). */
  script: string;
}

/** What one `vae-studio bench --arch` child measured. */
export interface OursBench {
  imagesPerSec: number;
  msPerStep: number;
  parameters: number;
  /** The backend it ran on, and its XNNPACK threads (wasm only; fewer than asked if the threaded build failed). */
  backend: string;
  threads: number | null;
  /** What ran the steps instead of the backend ("ONNX Runtime 1.30.0, 2 threads"), or null. */
  native: string | null;
}

/** The CLI's `--json` result line (`reporter.result('bench', …)` of a single-architecture run). */
const resultLine = z.object({
  event: z.literal('result'),
  command: z.literal('bench'),
  imagesPerSec: z.number(),
  msPerStep: z.number(),
  parameters: z.number().int(),
  backend: z.object({ backend: z.string(), threads: z.number().int().optional() }),
  native: z.string().nullable().optional(),
});

/** This package's bin/vae-studio.js under this process's Node. */
export function defaultOursSettings(): OursSettings {
  return {
    node: process.execPath,
    script: join(findPackage()?.root ?? process.cwd(), 'bin', 'vae-studio.js'),
  };
}

/** The arguments after `vae-studio`, without `--json`: what a user types to reproduce the figure. */
export function oursBenchArgs(o: {
  arch: BenchArch;
  batch: number;
  steps: number;
  warmup: number;
  backend: string;
}): string[] {
  return [
    'bench',
    '--arch',
    o.arch,
    '--batch',
    String(o.batch),
    '--steps',
    String(o.steps),
    '--warmup',
    String(o.warmup),
    '--backend',
    o.backend,
  ];
}

/**
 * Which training steps a child runs: `native`, what training uses (ONNX Runtime where it pays), or `tfjs`, the
 * backend's own gradients (`VAE_STUDIO_ONNX=off`).
 */
export type OursSteps = 'native' | 'tfjs';

/** The variables of a child at `threads` (wasm's and ONNX Runtime's; none for a backend without threads). */
function childVariables(threads: number | null, steps: OursSteps): [string, string][] {
  const vars: [string, string][] = [];
  if (threads !== null) vars.push([WASM_THREADS_ENV_VAR, String(threads)]);
  if (steps === 'tfjs') vars.push([ONNX_ENV_VAR, 'off']);
  else if (threads !== null) vars.push([ONNX_THREADS_ENV_VAR, String(threads)]);
  return vars;
}

/** "VAE_STUDIO_WASM_THREADS=2 VAE_STUDIO_ONNX_THREADS=2 vae-studio bench --arch …" */
export function oursCommand(
  args: readonly string[],
  threads: number | null,
  steps: OursSteps = 'native',
): string {
  const vars = childVariables(threads, steps).map(([k, v]) => `${k}=${v} `);
  return `${vars.join('')}vae-studio ${args.join(' ')}`;
}

/**
 * Reads the CLI's last line, its `--json` result.
 * @throws UserError BENCH_CHILD when it is missing, not JSON, or not a bench result.
 */
export function parseOursBench(stdout: string): OursBench {
  const parsed = resultLine.safeParse(lastJsonLine(stdout, 'vae-studio bench', 'BENCH_CHILD'));
  if (!parsed.success) {
    throw new UserError(
      'BENCH_CHILD',
      `vae-studio bench's last line is not a bench result: ${stdout.trim().split('\n').at(-1)?.slice(0, 200) ?? ''}`,
    );
  }
  const v = parsed.data;
  return {
    imagesPerSec: v.imagesPerSec,
    msPerStep: v.msPerStep,
    parameters: v.parameters,
    backend: v.backend.backend,
    threads: v.backend.threads ?? null,
    native: v.native ?? null,
  };
}

/**
 * Runs `vae-studio <args> --json` in a child, on `threads` threads when it is a number (wasm's and ONNX Runtime's),
 * with the `steps` it asks for.
 * @throws UserError BENCH_CHILD when the child cannot start, fails, or prints no result.
 */
export async function runOursChild(
  settings: OursSettings,
  args: readonly string[],
  threads: number | null,
  signal?: AbortSignal,
  steps: OursSteps = 'native',
): Promise<OursBench> {
  const env = { ...process.env };
  for (const k of [WASM_THREADS_ENV_VAR, ONNX_THREADS_ENV_VAR, ONNX_ENV_VAR]) delete env[k];
  for (const [k, v] of childVariables(threads, steps)) env[k] = v;
  const run = await spawnCollect(settings.node, [settings.script, ...args, '--json'], signal, env);
  if (run.spawnError) {
    throw new UserError('BENCH_CHILD', `${settings.node} could not start (${run.spawnError.message})`);
  }
  if (run.code !== 0) {
    throw new UserError('BENCH_CHILD', `${oursCommand(args, threads, steps)} ${howItEnded(run)}`);
  }
  return parseOursBench(run.stdout);
}
