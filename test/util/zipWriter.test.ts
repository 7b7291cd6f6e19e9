import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ZipWriter } from '../../src-main/util/zipWriter.js';
import { readZip } from '../helpers/readZip.js';
import { tempDir } from '../helpers/tinyData.js';

async function zipOf(files: [string, Uint8Array][]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const zip = new ZipWriter((chunk) => {
    chunks.push(Buffer.from(chunk));
    return Promise.resolve();
  });
  for (const [name, data] of files) await zip.add(name, data, new Date(2025, 5, 1, 12, 30, 10));
  await zip.finish();
  return Buffer.concat(chunks);
}

function hasUnzip(): boolean {
  try {
    execFileSync('unzip', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('ZipWriter', () => {
  it('writes files in folders, byte for byte, with their CRC-32 and UTF-8 names', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 255]);
    const zip = await zipOf([
      ['run/cat/sample-s0-000000.png', png],
      ['run/manifest.jsonl', Buffer.from('{"file":"cat/sample-s0-000000.png"}\n')],
      ['run/käfer/leer.txt', Buffer.alloc(0)],
    ]);
    const entries = readZip(zip);
    expect(entries.map((e) => e.name)).toEqual([
      'run/cat/sample-s0-000000.png',
      'run/manifest.jsonl',
      'run/käfer/leer.txt',
    ]);
    expect(entries[0]!.data.equals(png)).toBe(true);
    expect(entries[1]!.data.toString()).toBe('{"file":"cat/sample-s0-000000.png"}\n');
    expect(entries[2]!.data.length).toBe(0);
  });

  it.runIf(hasUnzip())('is an archive the system’s unzip tests as sound', async () => {
    const zip = await zipOf([
      ['a/one.png', Buffer.from('one')],
      ['b/two.png', Buffer.from('two two')],
    ]);
    const file = join(await tempDir(), 'run.zip');
    await writeFile(file, zip);
    const listing = execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' });
    expect(listing.trim().split('\n')).toEqual(['a/one.png', 'b/two.png']);
    expect(execFileSync('unzip', ['-tq', file], { encoding: 'utf8' })).toMatch(/No errors detected/);
  });

  it('turns to zip64 past 65,535 entries, and every entry is still read back', async () => {
    const files: [string, Uint8Array][] = Array.from({ length: 65_600 }, (_, i) => [
      `f/${i}.txt`,
      Buffer.from(String(i)),
    ]);
    const entries = readZip(await zipOf(files));
    expect(entries).toHaveLength(65_600);
    expect(entries[65_599]).toMatchObject({ name: 'f/65599.txt' });
    expect(entries[65_599]!.data.toString()).toBe('65599');
  });

  it('refuses a name that would leave the folder it is unpacked in', async () => {
    const zip = new ZipWriter(() => Promise.resolve());
    await expect(zip.add('../evil.png', Buffer.from('x'))).rejects.toThrow(/not a name inside/);
    await expect(zip.add('/etc/passwd', Buffer.from('x'))).rejects.toThrow(/not a name inside/);
  });
});
