import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tinyData.js';

const ROOT = join(import.meta.dirname, '..', '..');
/** A child that reaches the points a, b, a, b, … and prints each name before reaching it. */
const CHILD = `
  const { faultPoint } = await import(${JSON.stringify(join(ROOT, 'out/main/util/faultPoint.js'))});
  for (let i = 0; i < 3; i++) for (const p of ['a', 'b']) { process.stdout.write(p); faultPoint(p); }
`;

function runChild(env: Record<string, string>) {
  return spawnSync(process.execPath, ['--input-type=module', '-e', CHILD], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
}

describe('fault points', () => {
  it('do nothing unless asked', () => {
    const run = runChild({});
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('ababab');
  });

  it('kill the process at the n-th point reached, of any name or of one', () => {
    const any = runChild({ VAE_STUDIO_FAULT: '*:3' });
    expect(any.signal).toBe('SIGKILL');
    expect(any.stdout).toBe('aba');
    const named = runChild({ VAE_STUDIO_FAULT: 'b:2' });
    expect(named.signal).toBe('SIGKILL');
    expect(named.stdout).toBe('abab');
  });

  it('record every point reached when asked, so a test can count them first', async () => {
    const log = join(await tempDir(), 'points.log');
    expect(runChild({ VAE_STUDIO_FAULT_LOG: log }).status).toBe(0);
    expect((await readFile(log, 'utf8')).trim().split('\n')).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
  });
});
