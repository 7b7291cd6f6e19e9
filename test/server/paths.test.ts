import { existsSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeFolder, resolveRequestPath } from '../../src-main/studio/paths.js';
import { tempDir } from '../helpers/tinyData.js';
import { testStudio } from '../studio/harness.js';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(16)]);

describe('paths in requests', () => {
  it('resolves relative paths inside their base and refuses any that climb out', () => {
    expect(resolveRequestPath('/p', 'cats', 'path')).toBe('/p/cats');
    expect(resolveRequestPath('/p', 'a/../b', 'path')).toBe('/p/b');
    expect(resolveRequestPath('/p', '.', 'path')).toBe('/p');
    // Absolute paths stay allowed: the token is the boundary, and a user's data may live anywhere.
    expect(resolveRequestPath('/p', '/data/cats', 'path')).toBe('/data/cats');
    for (const climbing of ['..', '../x', 'a/../../x', '../p-evil']) {
      expect(() => resolveRequestPath('/p', climbing, 'out')).toThrow(
        expect.objectContaining({
          code: 'INVALID_INPUT',
          message: `out: ${JSON.stringify(climbing)} leads out of /p; a relative path stays inside it (give an absolute path for a folder elsewhere)`,
        }) as Error,
      );
    }
  });

  it('keeps project.create, project.open and dataset.import inside the projects folder', async () => {
    const t = await testStudio();
    const escaped = await t.refuse('project.create', { path: '../escaped' });
    expect(escaped).toMatchObject({ code: 'INVALID_INPUT' });
    expect(escaped.message).toMatch(/^path: "\.\.\/escaped" leads out of /);
    expect(existsSync(join(t.base, 'escaped'))).toBe(false);
    expect((await t.refuse('project.open', { path: '../../etc' })).code).toBe('INVALID_INPUT');
    const created = await t.call('project.create', { path: 'inside' });
    expect(created.root).toBe(join(t.base, 'projects', 'inside'));
    const climb = await t.refuse('dataset.import', { folder: '../../..', size: 16, channels: 1 });
    expect(climb.message).toMatch(/^folder: "\.\.\/\.\.\/\.\." leads out of /);
    await t.studio.shutdown();
  });

  it('fails at once for a folder that cannot exist (/proc/…) and stays usable afterwards', async () => {
    const begun = Date.now();
    await expect(makeFolder('/proc/vae-studio-test/out', '--out')).rejects.toMatchObject({
      code: 'NOT_WRITABLE',
      message: expect.stringContaining('--out: cannot create the folder /proc/vae-studio-test') as unknown,
    });
    const t = await testStudio();
    expect(await t.refuse('project.create', { path: '/proc/vae-studio-test' })).toMatchObject({
      code: 'NOT_WRITABLE',
    });
    expect(Date.now() - begun).toBeLessThan(2000);
    expect((await t.call('project.create', { path: 'after' })).root).toBe(join(t.base, 'projects', 'after'));
    const file = join(t.base, 'a-file');
    await writeFile(file, 'x');
    await expect(makeFolder(join(file, 'sub'), 'out')).rejects.toMatchObject({ code: 'NOT_A_FOLDER' });
    await makeFolder(join(t.base, 'deep', 'er', 'est'), 'out');
    expect(existsSync(join(t.base, 'deep', 'er', 'est'))).toBe(true);
    await t.studio.shutdown();
  });
});

describe('generation.gallery', () => {
  it('sends only real images inside the folder: no links out, no files that merely have an image name', async () => {
    const t = await testStudio();
    const outside = await tempDir('vae-gallery-outside-');
    await writeFile(join(outside, 'secret.png'), PNG);
    await writeFile(join(outside, 'passwd'), 'root:x:0:0');
    const folder = join(t.base, 'gallery');
    await mkdir(folder);
    await writeFile(join(folder, 'good.png'), PNG);
    await writeFile(join(folder, 'text.png'), 'not an image');
    await symlink(join(outside, 'secret.png'), join(folder, 'link.png'));
    await symlink(join(outside, 'passwd'), join(folder, 'passwd.png'));
    const rows = [
      'good.png',
      'text.png',
      'link.png',
      'passwd.png',
      '../outside.png',
      join(outside, 'secret.png'),
    ];
    await writeFile(
      join(folder, 'manifest.jsonl'),
      rows.map((file, index) => JSON.stringify({ file, index, seed: index })).join('\n'),
    );
    const page = await t.call('generation.gallery', { out: folder, offset: 0, limit: 50 });
    expect(page.total).toBe(6);
    expect(page.images.map((i) => [i.file, i.url.slice(0, 22)])).toEqual([
      [join(folder, 'good.png'), 'data:image/png;base64,'],
    ]);
    expect((await t.refuse('generation.gallery', { out: '../..', offset: 0, limit: 5 })).code).toBe(
      'INVALID_INPUT',
    );
    await t.studio.shutdown();
  });
});
