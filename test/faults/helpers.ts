import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCheckpoint, readPointer } from '../../src-main/project/checkpoint.js';
import type { ProjectLayout } from '../../src-main/project/index.js';

/** The built CLI (`npm run build`), run as a user runs it. */
export const CLI = fileURLToPath(new URL('../../bin/vae-studio.js', import.meta.url));
export const BUILT_CLI = fileURLToPath(new URL('../../out/main/cli/index.js', import.meta.url));

/** A tiny model on the cpu backend: seconds per run. */
export const TINY = ['--latent', '2', '--width', '4', '--batch', '8', '--val', '0', '--backend', 'cpu'];

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `vae-studio <args>` in a child process with extra environment variables. */
export function cli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, VAE_STUDIO_FAULT: '', VAE_STUDIO_FAULT_LOG: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Runs `jobs` at most `limit` at a time (the CI machine has two cores). */
export async function inParallel<T>(
  items: T[],
  limit: number,
  job: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await job(items[next++]!);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

/** `count` kill points spread over 1…`total` (all of them when there are few). */
export function spread(total: number, count: number): number[] {
  if (total <= count) return Array.from({ length: total }, (_, i) => i + 1);
  const picks = new Set<number>();
  for (let i = 0; i < count; i++) picks.add(1 + Math.round((i * (total - 1)) / (count - 1)));
  return [...picks];
}

/** Every file or folder under `root` whose name marks a write that was not finished, and a left-over lock. */
export async function temporaryFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (
        entry.name.startsWith('.tmp-') ||
        entry.name.endsWith('.tmp') ||
        entry.name.endsWith('.incoming') ||
        entry.name.startsWith('.lock')
      ) {
        found.push(path);
      }
      if (entry.isDirectory()) await walk(path);
    }
  };
  await walk(root);
  return found;
}

/** The sha256 of every whole model the project can still name: current, or in an archive (training or import). */
export async function findableModels(layout: ProjectLayout): Promise<Set<string>> {
  const shas = new Set<string>();
  const pointers = [layout.latestPointer];
  for (const [dir, sub] of [
    [layout.archiveDir, ''],
    [layout.projectArchiveDir, 'checkpoints'],
  ] as const) {
    let names: string[] = [];
    try {
      names = await readdir(dir);
    } catch {
      // no archive
    }
    for (const name of names) pointers.push(join(dir, name, sub, 'latest.json'));
  }
  for (const file of pointers) {
    const pointer = await readPointer(layout, file);
    if (pointer.kind !== 'ok') continue;
    try {
      shas.add((await loadCheckpoint(pointer.dir)).meta.weightsSha256);
    } catch {
      // not whole: not findable
    }
  }
  return shas;
}

/** The epochs of a checkpoint's history, which must be 1…epoch without a gap. */
export async function historyEpochs(dir: string): Promise<number[]> {
  const meta = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as {
    history: { epoch: number }[];
  };
  return meta.history.map((m) => m.epoch);
}
