import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { scanFolder } from '../../src-main/dataset/index.js';
import { makeTempDir } from './fixtures.js';

describe('scanFolder', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await makeTempDir()));
  afterEach(async () => cleanup());

  it('lists files sorted with first-level labels, and reports hidden entries, dangling links and loops', async () => {
    await mkdir(join(dir, 'b/deep/deeper'), { recursive: true });
    await mkdir(join(dir, 'a'));
    await mkdir(join(dir, '.git'));
    await writeFile(join(dir, '.git/HEAD'), 'x');
    await writeFile(join(dir, 'top.png'), 'x');
    await writeFile(join(dir, 'a/2.png'), 'x');
    await writeFile(join(dir, 'a/10.png'), 'x');
    await writeFile(join(dir, 'a/.DS_Store'), 'x');
    await writeFile(join(dir, 'b/deep/deeper/z.png'), 'x');
    await symlink(join(dir, 'missing.png'), join(dir, 'a/dangling.png'));
    await symlink(dir, join(dir, 'b/deep/loop'));
    await symlink(join(dir, 'a/2.png'), join(dir, 'b/link-to-file.png'));
    await symlink('self', join(dir, 'self'));

    const result = await scanFolder(dir);
    expect(result.root).toBe(dir);
    expect(result.files.map((f) => [f.path, f.label])).toEqual([
      ['a/10.png', 'a'],
      ['a/2.png', 'a'],
      ['b/deep/deeper/z.png', 'b'],
      ['b/link-to-file.png', 'b'],
      ['top.png', ''],
    ]);
    expect(result.files[0]!.absPath).toBe(join(dir, 'a/10.png'));
    expect(result.skipped).toEqual([
      { path: '.git', reason: 'hidden folder' },
      { path: 'a/.DS_Store', reason: 'hidden file' },
      { path: 'a/dangling.png', reason: 'dangling symlink (target does not exist)' },
      { path: 'b/deep/loop', reason: 'folder already scanned (symlink loop or second link to it)' },
      { path: 'self', reason: 'symlink loop' },
    ]);
  });

  it('names a missing folder, and refuses a file', async () => {
    await expect(scanFolder(join(dir, 'nope'))).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: `folder not found: ${join(dir, 'nope')}`,
    });
    await writeFile(join(dir, 'f.png'), 'x');
    await expect(scanFolder(join(dir, 'f.png'))).rejects.toMatchObject({ code: 'NOT_A_FOLDER' });
  });
});
