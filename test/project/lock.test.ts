import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { acquireProjectLock, openOrCreateProject, withProjectLock } from '../../src-main/project/index.js';
import { tempDir } from '../helpers/tinyData.js';

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('the project writer lock', () => {
  it('names its holder in .lock and refuses a second writer with a message naming it', async () => {
    const { layout } = await openOrCreateProject(await tempDir());
    const lock = await acquireProjectLock(layout, 'training');
    const held = JSON.parse(await readFile(layout.lockFile, 'utf8')) as Record<string, unknown>;
    expect(held).toMatchObject({ pid: process.pid, host: hostname(), command: 'VAE Studio app: training' });
    const err = await acquireProjectLock(layout, 'import').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PROJECT_BUSY' });
    expect((err as Error).message).toMatch(
      new RegExp(
        `is being written by VAE Studio app: training \\(pid ${process.pid} on host .+, since \\d\\d:\\d\\d\\); wait for it to finish or stop it$`,
      ),
    );
    await lock.release();
    expect(existsSync(layout.lockFile)).toBe(false);
  });

  it('takes over a lock whose holder died, and releases on failure', async () => {
    const { layout } = await openOrCreateProject(await tempDir());
    const stale = {
      pid: deadPid(),
      host: hostname(),
      command: 'vae-studio train',
      startedAt: new Date().toISOString(),
      token: 'x',
    };
    await writeFile(layout.lockFile, JSON.stringify(stale));
    await expect(
      withProjectLock(layout, 'training', async () => {
        const now = JSON.parse(await readFile(layout.lockFile, 'utf8')) as { pid: number };
        expect(now.pid).toBe(process.pid);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(existsSync(layout.lockFile)).toBe(false);
  });

  it('treats a holder on another host as live', async () => {
    const { layout } = await openOrCreateProject(await tempDir());
    const other = {
      pid: deadPid(),
      host: 'elsewhere',
      command: 'vae-studio import',
      startedAt: '2020-01-02T03:04:00Z',
      token: 'y',
    };
    await writeFile(layout.lockFile, JSON.stringify(other));
    await expect(acquireProjectLock(layout, 'training')).rejects.toThrow(
      /being written by vae-studio import \(pid \d+ on host elsewhere, since 2020-01-0\d \d\d:\d\d\)/,
    );
  });
});
