import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { importFolder, scanFolder } from '../../src-main/dataset/index.js';
import { escapeInvalidUtf8 } from '../../src-main/dataset/scan.js';
import { tempDir } from '../helpers/tinyData.js';

/** A path inside `folder` whose last names are raw bytes (Latin-1 é = 0xE9, 0xFF: not UTF-8). */
function bytePath(folder: string, ...names: number[][]): Buffer {
  return Buffer.concat([
    Buffer.from(folder),
    ...names.map((n) => Buffer.concat([Buffer.from('/'), Buffer.from(n)])),
  ]);
}

const CAFE = [...Buffer.from('caf'), 0xe9, ...Buffer.from('.png')];
const FOLDER = [...Buffer.from('ph'), 0xff, ...Buffer.from('to')];

async function png(value: number): Promise<Buffer> {
  return sharp(Buffer.alloc(8 * 8, value), { raw: { width: 8, height: 8, channels: 1 } })
    .png()
    .toBuffer();
}

describe('file names that are not UTF-8', () => {
  it('shows the bytes that are not UTF-8 as \\xHH and keeps the rest', () => {
    expect(escapeInvalidUtf8(Buffer.from(CAFE))).toBe('caf\\xE9.png');
    expect(escapeInvalidUtf8(Buffer.from('naïve €.png'))).toBe('naïve €.png');
    expect(escapeInvalidUtf8(Buffer.from([0xe2, 0x82]))).toBe('\\xE2\\x82');
  });

  it('are scanned with a Buffer path that reaches the file, in a folder whose name is not UTF-8 too', async () => {
    const dir = await tempDir();
    writeFileSync(bytePath(dir, CAFE), await png(10));
    mkdirSync(bytePath(dir, FOLDER));
    writeFileSync(bytePath(dir, FOLDER, CAFE), await png(20));
    const scan = await scanFolder(dir);
    expect(scan.skipped).toEqual([]);
    expect(scan.files.map((f) => [f.path, f.label])).toEqual([
      ['caf\\xE9.png', ''],
      ['ph\\xFFto/caf\\xE9.png', 'ph\\xFFto'],
    ]);
    expect(scan.files[0]!.absPath).toEqual(bytePath(dir, CAFE));
  });

  it('are imported, not skipped as "file disappeared"', async () => {
    const dir = await tempDir();
    const src = join(dir, 'src');
    await mkdir(src);
    writeFileSync(bytePath(src, CAFE), await png(10));
    writeFileSync(join(src, 'plain.png'), await png(200));
    const report = await importFolder(src, join(dir, 'ds'), { size: 8, channels: 1, fit: 'fill' });
    expect(report.skipped).toEqual([]);
    expect(report.imported).toBe(2);
  });
});
