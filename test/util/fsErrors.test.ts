import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src-main/util/errors.js';
import { classifyFsError, fsFailure, isFsError, trueMkdirCause } from '../../src-main/util/fsErrors.js';
import { tempDir } from '../helpers/tinyData.js';

/** The error `action` rejects with. */
async function failureOf(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

/** A Node-shaped errno error, for the failures a test cannot cause (a full disk, a read-only one). */
function errnoError(code: string, syscall: string, path?: string, dest?: string): NodeJS.ErrnoException {
  const where = path ? ` '${path}'${dest ? ` -> '${dest}'` : ''}` : '';
  return Object.assign(new Error(`${code}: something, ${syscall}${where}`), {
    code,
    syscall,
    ...(path ? { path } : {}),
    ...(dest ? { dest } : {}),
  });
}

const asRoot = process.getuid?.() === 0;

describe('classifyFsError', () => {
  it('names a folder blocked by a file (EEXIST from mkdir) and a file on the way of a path (ENOTDIR)', async () => {
    const dir = await tempDir();
    const file = join(dir, 'out');
    await writeFile(file, 'x');
    const exists = classifyFsError(await failureOf(() => mkdir(file, { recursive: true })));
    expect(exists?.code).toBe('PATH_EXISTS');
    expect(exists?.message).toBe(
      `cannot create the folder ${file}: a file of that name is in the way; choose another folder, or move the file away`,
    );
    const notDir = classifyFsError(await failureOf(() => readdir(join(file, 'sub'))));
    expect(notDir?.code).toBe('NOT_A_FOLDER');
    expect(notDir?.message).toContain(join(file, 'sub'));
    const missing = classifyFsError(await failureOf(() => readFile(join(dir, 'nope.png'))));
    expect(missing?.code).toBe('NOT_FOUND');
    expect(missing?.message).toContain(join(dir, 'nope.png'));
    // A read of a folder fails in read(2), whose error names no path: the caller gives it.
    const isDir = classifyFsError(await failureOf(() => readFile(dir)), { path: dir });
    expect(isDir?.code).toBe('IS_A_FOLDER');
    expect(isDir?.message).toContain(`${dir} is a folder, where a file is needed`);
  });

  it('words an errno error that crossed a thread as its message alone (no code, no syscall)', async () => {
    const dir = await tempDir();
    const file = join(dir, 'out');
    await writeFile(file, 'x');
    const original = (await failureOf(() => mkdir(file))) as Error;
    // What structured clone keeps of it: a plain Error with Node's message.
    const flattened = new Error(original.message);
    expect(flattened.message).toMatch(/^EEXIST: file already exists, mkdir '/);
    const worded = fsFailure(flattened);
    expect(worded).toBeInstanceOf(UserError);
    expect((worded as UserError).code).toBe('PATH_EXISTS');
    expect((worded as UserError).message).toBe(
      `cannot create the folder ${file}: a file of that name is in the way; choose another folder, or move the file away`,
    );
    // A bug whose message merely looks a bit like one is left alone.
    const bug = new Error('EEXIST somewhere');
    expect(fsFailure(bug)).toBe(bug);
  });

  it('names a 300-character file name that is too long (ENAMETOOLONG), shortened', async () => {
    const dir = await tempDir();
    const name = `${'n'.repeat(300)}.png`;
    const err = classifyFsError(await failureOf(() => writeFile(join(dir, name), 'x')));
    expect(err?.code).toBe('NAME_TOO_LONG');
    expect(err?.message).toContain(`the name is too long for the file system: ${dir}/nnnnnnnn`);
    expect(err?.message).toContain('(304 characters)');
    expect(err?.message).toContain('choose a shorter file or folder name');
  });

  // Root ignores permissions, so this case can only be caused for real by an ordinary user (CI runs as one).
  it.skipIf(asRoot)('names a read-only folder (chmod 0o500) it may not write in (EACCES)', async () => {
    const dir = await tempDir();
    await chmod(dir, 0o500);
    try {
      const err = classifyFsError(await failureOf(() => writeFile(join(dir, 'a.png'), 'x')));
      expect(err?.code).toBe('PERMISSION_DENIED');
      expect(err?.message).toContain(`no permission to open ${join(dir, 'a.png')}`);
      // mkdir -p in a folder without write permission: Node says EACCES itself here.
      const mk = classifyFsError(await failureOf(() => mkdir(join(dir, 'a', 'b'), { recursive: true })));
      expect(mk?.code).toBe('PERMISSION_DENIED');
    } finally {
      await chmod(dir, 0o700);
    }
  });

  it.each([
    [
      'ENOSPC',
      'write',
      'DISK_FULL',
      'no space left on the disk holding /data/out while writing /data/out/img-00042.png; free some space and run it again',
    ],
    ['EDQUOT', 'write', 'DISK_FULL', 'your disk quota is used up on the disk holding /data/out'],
    [
      'EROFS',
      'open',
      'READ_ONLY',
      '/data/out/img-00042.png is on a read-only disk, so VAE Studio cannot write it; choose a folder on a disk you can write to',
    ],
    ['EPERM', 'unlink', 'PERMISSION_DENIED', 'no permission to remove /data/out/img-00042.png'],
    ['EACCES', 'open', 'PERMISSION_DENIED', 'no permission to open /data/out/img-00042.png'],
    ['EIO', 'read', 'IO_ERROR', 'the disk failed to read /data/out/img-00042.png (an input/output error)'],
    ['EBUSY', 'unlink', 'IN_USE', '/data/out/img-00042.png is in use by another program'],
    ['EMFILE', 'open', 'TOO_MANY_FILES', 'too many files are open at once'],
    ['EXDEV', 'open', 'IO_ERROR', 'cannot open /data/out/img-00042.png: something'],
  ])('words %s from %s as %s, naming the path', (code, syscall, expected, message) => {
    const err = classifyFsError(errnoError(code, syscall, '/data/out/img-00042.png'));
    expect(err?.code).toBe(expected);
    expect(err?.message).toContain(message);
    expect(err?.message).not.toMatch(/\bE[A-Z]{3,}\b/);
  });

  it('takes what the job was doing and what is kept from the context, and the path where Node gives none', () => {
    const err = fsFailure(errnoError('ENOSPC', 'write'), {
      path: '/data/p/checkpoints/epoch-0003/weights.bin',
      doing: "writing epoch 3's checkpoint",
      kept: 'epoch 2 is kept',
    });
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).code).toBe('DISK_FULL');
    expect((err as UserError).message).toBe(
      "no space left on the disk holding /data/p/checkpoints/epoch-0003 while writing epoch 3's checkpoint " +
        '(epoch 2 is kept); free some space and run it again',
    );
    expect((fsFailure(errnoError('ENOSPC', 'write')) as UserError).message).toBe(
      'no space left on the disk; free some space and run it again',
    );
  });

  it('names both paths of a failed rename', () => {
    const err = classifyFsError(errnoError('EACCES', 'rename', '/a/tmp', '/a/final'));
    expect(err?.message).toContain('no permission to move /a/tmp to /a/final');
  });

  it('leaves other errors alone: a bug, a socket error, a UserError', () => {
    const bug = new TypeError('x is undefined');
    expect(classifyFsError(bug)).toBeNull();
    expect(fsFailure(bug)).toBe(bug);
    expect(isFsError(errnoError('EADDRINUSE', 'listen'))).toBe(false);
    const user = new UserError('NO_MODEL', 'no model');
    expect(fsFailure(user)).toBe(user);
  });

  it('finds an errno error in the cause of a wrapping error (a crashed worker)', () => {
    const err = classifyFsError(
      new Error('the job worker crashed', { cause: errnoError('ENOSPC', 'write', '/x/y') }),
    );
    expect(err?.code).toBe('DISK_FULL');
  });

  it('reports the true cause of a recursive mkdir that Node calls ENOENT', async () => {
    const dir = await tempDir();
    // Nothing wrong with the folder: ENOENT stays (the path went away meanwhile).
    expect(trueMkdirCause(join(dir, 'a', 'b'))).toBe('ENOENT');
    // A file on the way.
    await writeFile(join(dir, 'f'), 'x');
    expect(trueMkdirCause(join(dir, 'f', 'a', 'b'))).toBe('ENOTDIR');
    // A folder that may not be written (skipped as root, which may write anywhere).
    if (!asRoot) {
      await chmod(dir, 0o500);
      try {
        expect(trueMkdirCause(join(dir, 'a', 'b'))).toBe('EACCES');
      } finally {
        await chmod(dir, 0o700);
      }
    }
  });
});
