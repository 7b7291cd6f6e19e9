import { mkdir, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAppVersion, unpackedPath } from '../../src-main/electron/paths.js';
import { tempDir } from '../helpers/tinyData.js';

describe('the shell’s paths', () => {
  it('points a file inside app.asar at its unpacked copy, and leaves other paths alone', () => {
    const packed = ['opt', 'VAE Studio', 'resources', 'app.asar', 'docs', 'architecture.md'].join(sep);
    expect(unpackedPath(`${sep}${packed}`)).toBe(
      `${sep}${packed.replace(`app.asar${sep}`, `app.asar.unpacked${sep}`)}`,
    );
    const repo = join(sep, 'work', 'main', 'README.md');
    expect(unpackedPath(repo)).toBe(repo);
  });

  it('reads the app’s version from its package.json', async () => {
    const root = join(await tempDir('vae-paths-'), 'app');
    await mkdir(root);
    await writeFile(join(root, 'package.json'), JSON.stringify({ name: 'vae-studio', version: '1.2.3' }));
    expect(readAppVersion(root)).toBe('1.2.3');
  });
});
