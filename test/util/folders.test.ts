import { existsSync } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeFolder } from '../../src-main/util/folders.js';
import { tempDir } from '../helpers/tinyData.js';

describe('makeFolder', () => {
  it('creates a folder and its missing parents, and accepts one that exists', async () => {
    const target = join(await tempDir(), 'a', 'b', 'c');
    await makeFolder(target);
    expect((await stat(target)).isDirectory()).toBe(true);
    await expect(makeFolder(target)).resolves.toBeUndefined();
  });

  it('names a file that stands in the way', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'file'), 'x');
    await expect(makeFolder(join(dir, 'file', 'sub'), 'out')).rejects.toMatchObject({
      code: 'NOT_A_FOLDER',
      message: `out: ${join(dir, 'file')} is a file, not a folder`,
    });
  });

  // Node's own recursive mkdir never settles there; the test's own timeout would catch a hang.
  it.runIf(existsSync('/proc/self'))(
    'fails at once under /proc instead of hanging',
    async () => {
      await expect(makeFolder('/proc/vae-studio-test/x')).rejects.toMatchObject({
        code: 'NOT_WRITABLE',
        message:
          'cannot create the folder /proc/vae-studio-test (this place does not hold folders); choose a folder on a normal, writable disk',
      });
    },
    10_000,
  );
});
