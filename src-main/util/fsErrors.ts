/**
 * File-system failures in words for a person. Node reports them as errors with an errno `code` (ENOSPC, EROFS…),
 * the `syscall` that failed and the `path` (and `dest`); left alone they reach the user as "failed unexpectedly".
 * {@link classifyFsError} turns one into a `UserError` whose code says what happened and whose message names the
 * path and what to do. The boundaries (the CLI's main, the studio's requests and jobs, the job worker) apply it to
 * every failure; a job that knows more (which epoch it was writing, what is kept) wraps its own with
 * {@link fsFailure}.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ErrorCode } from '../contract/errorCodes.js';
import { UserError } from './errors.js';

/** What the failing code was doing, for the message. */
export interface FsFailureContext {
  /** What was being done, as "writing epoch 3's checkpoint"; default from the syscall and the path. */
  doing?: string;
  /** The path, where Node's error has none (a write through a file handle names no file). */
  path?: string;
  /** What is still whole, as "epoch 2 is kept". */
  kept?: string;
}

/** The fields of a Node file-system error that the messages use. */
interface NodeFsError extends Error {
  code: string;
  syscall?: string;
  path?: string;
  dest?: string;
}

/** Syscalls of the file system; an errno error from any other (listen, connect, spawn) is not ours to word. */
const FS_SYSCALLS = new Set([
  'access',
  'chmod',
  'chown',
  'close',
  'copyfile',
  'cp',
  'fchmod',
  'fdatasync',
  'fstat',
  'fsync',
  'ftruncate',
  'futime',
  'lchown',
  'link',
  'lstat',
  'lutime',
  'mkdir',
  'mkdtemp',
  'open',
  'opendir',
  'read',
  'readdir',
  'readlink',
  'realpath',
  'rename',
  'rm',
  'rmdir',
  'scandir',
  'stat',
  'statfs',
  'symlink',
  'truncate',
  'unlink',
  'utime',
  'write',
  'writev',
]);

/** Errno codes that only the file system gives, so an error carrying one is classified even without a syscall. */
const FS_ONLY_CODES = new Set([
  'ENOSPC',
  'EDQUOT',
  'EROFS',
  'ENAMETOOLONG',
  'EISDIR',
  'ENOTDIR',
  'ENOTEMPTY',
]);

/** True for an error Node's file system raised (an errno code and a file-system syscall). */
export function isFsError(err: unknown): err is NodeFsError {
  if (!(err instanceof Error)) return false;
  const { code, syscall } = err as Partial<NodeFsError>;
  if (typeof code !== 'string' || !/^E[A-Z0-9]+$/.test(code)) return false;
  return typeof syscall === 'string' ? FS_SYSCALLS.has(syscall) : FS_ONLY_CODES.has(code);
}

/** What a syscall does to its path, as a verb phrase: "create the folder", "list". */
const VERBS: Record<string, string> = {
  mkdir: 'create the folder',
  mkdtemp: 'create a temporary folder in',
  rmdir: 'remove the folder',
  rm: 'remove',
  unlink: 'remove',
  rename: 'move',
  copyfile: 'copy',
  cp: 'copy',
  scandir: 'list the folder',
  opendir: 'list the folder',
  readdir: 'list the folder',
  read: 'read',
  readlink: 'read the link',
  write: 'write',
  writev: 'write',
  fsync: 'write',
  fdatasync: 'write',
  ftruncate: 'write',
  truncate: 'write',
  symlink: 'create the link',
  link: 'create the link',
};

function verbOf(syscall: string | undefined): string {
  return (syscall && VERBS[syscall]) ?? (syscall === 'open' ? 'open' : 'reach');
}

/**
 * The failure `err` as a `UserError` naming the path and what to do, or null when it is not a file-system
 * error (nor caused by one). A recursive `mkdir` that Node reports as ENOENT is looked at again: on a read-only
 * disk or in a folder without write permission Node answers ENOENT (it stats the missing folder after the real
 * error), so the nearest existing folder is checked and the true cause reported.
 */
export function classifyFsError(err: unknown, context: FsFailureContext = {}): UserError | null {
  if (err instanceof UserError) return err;
  const fsError = isFsError(err)
    ? err
    : isFsError((err as Error | undefined)?.cause)
      ? (err as Error).cause
      : errnoFromMessage(err);
  if (!fsError) return null;
  const e = fsError as NodeFsError;
  let code = e.code;
  const path = e.path ?? context.path;
  if (code === 'ENOENT' && e.syscall === 'mkdir' && path) code = trueMkdirCause(path);
  return new UserError(...describe(code, e, path, context));
}

/**
 * `err` as a classified `UserError` when it is a file-system failure, else `err` itself: for a job to rethrow with
 * what it was doing, `throw fsFailure(err, { doing: "writing epoch 3's checkpoint", kept: 'epoch 2 is kept' })`.
 */
export function fsFailure(err: unknown, context: FsFailureContext = {}): unknown {
  if (err instanceof UserError) return err;
  return classifyFsError(err, context) ?? err;
}

/** Node's message of an errno error: "EEXIST: file already exists, mkdir '/a/b'" (with " -> '/c'" for a rename). */
const ERRNO_MESSAGE = /^(E[A-Z0-9]+): [^,]*, ([a-z]+)(?: '([^']*)')?(?: -> '([^']*)')?$/;

/**
 * An errno error rebuilt from its message alone, when it crossed a thread or a port as plain data and lost its
 * fields (structured clone keeps only the message): so even then the user reads words, not "EEXIST: … mkdir".
 */
function errnoFromMessage(err: unknown): NodeFsError | null {
  if (!(err instanceof Error) || (err as Partial<NodeFsError>).code !== undefined) return null;
  const match = ERRNO_MESSAGE.exec(err.message.split('\n')[0]!.trim());
  if (!match) return null;
  const [, code, syscall, path, dest] = match;
  const rebuilt = Object.assign(new Error(err.message), {
    code: code!,
    syscall: syscall!,
    ...(path ? { path } : {}),
    ...(dest ? { dest } : {}),
  });
  return isFsError(rebuilt) ? rebuilt : null;
}

/**
 * The errno a recursive `mkdir` of `path` really met when Node says ENOENT: EROFS, EACCES or ENOTDIR found on the
 * nearest folder that exists, or ENOENT when that folder is writable (the path really went away meanwhile).
 */
export function trueMkdirCause(path: string): string {
  let folder = path;
  for (;;) {
    const parent = dirname(folder);
    try {
      if (!statSync(parent).isDirectory()) return 'ENOTDIR';
    } catch (err) {
      if (parent === folder) return 'ENOENT';
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        folder = parent;
        continue;
      }
      return (err as NodeJS.ErrnoException).code ?? 'ENOENT';
    }
    try {
      accessSync(parent, constants.W_OK);
      return 'ENOENT';
    } catch (err) {
      return (err as NodeJS.ErrnoException).code ?? 'ENOENT';
    }
  }
}

function describe(
  code: string,
  e: NodeFsError,
  path: string | undefined,
  context: FsFailureContext,
): [ErrorCode, string] {
  const verb = verbOf(e.syscall);
  const target = path ?? 'a file';
  const what = e.dest && path ? `${path} to ${e.dest}` : target;
  const during = context.doing ? ` while ${context.doing}` : '';
  // A full disk is met while writing; say what, even when the caller did not.
  const writing = context.doing ?? (path ? `writing ${what}` : undefined);
  const duringWrite = writing ? ` while ${writing}` : '';
  const kept = context.kept ? ` (${context.kept})` : '';
  const say = (errorCode: ErrorCode, problem: string, advice: string): [ErrorCode, string] => [
    errorCode,
    `${problem}${kept}; ${advice}`,
  ];
  switch (code) {
    case 'ENOSPC':
      return say(
        'DISK_FULL',
        `no space left on the disk${path ? ` holding ${folderOf(path)}` : ''}${duringWrite}`,
        'free some space and run it again',
      );
    case 'EDQUOT':
      return say(
        'DISK_FULL',
        `your disk quota is used up${path ? ` on the disk holding ${folderOf(path)}` : ''}${duringWrite}`,
        'free some space and run it again',
      );
    case 'EROFS':
      return say(
        'READ_ONLY',
        `${target} is on a read-only disk, so VAE Studio cannot ${verb === 'open' ? 'write' : verb} it${during}`,
        'choose a folder on a disk you can write to',
      );
    case 'EACCES':
    case 'EPERM':
      return say(
        'PERMISSION_DENIED',
        `no permission to ${verb} ${what}${during}`,
        'check its permissions (and its folder’s) or choose another folder',
      );
    case 'ENAMETOOLONG':
      return say(
        'NAME_TOO_LONG',
        `the name is too long for the file system: ${shorten(target)}${during}`,
        'choose a shorter file or folder name, or a folder nearer the top of the disk',
      );
    case 'EEXIST':
      return e.syscall === 'mkdir'
        ? say(
            'PATH_EXISTS',
            `cannot create the folder ${target}${during}: a file of that name is in the way`,
            'choose another folder, or move the file away',
          )
        : say(
            'PATH_EXISTS',
            `${e.dest ?? target} already exists${during}`,
            'choose another name, or move it away first',
          );
    case 'ENOTDIR':
      return say(
        'NOT_A_FOLDER',
        `${target} is not a folder (it, or a folder on its way, is a file)${during}`,
        'choose a folder',
      );
    case 'EISDIR':
      return say(
        'IS_A_FOLDER',
        `${path ? `${path} is a folder` : 'a folder was given'}, where a file is needed${during}`,
        'choose a file',
      );
    case 'ENOTEMPTY':
      return say(
        'PATH_EXISTS',
        `the folder ${e.dest ?? target} is not empty`,
        'choose another folder, or empty it',
      );
    case 'ENOENT':
      return say(
        'NOT_FOUND',
        e.syscall === 'mkdir' || e.syscall === 'open' || e.syscall === 'rename'
          ? `cannot ${verb} ${what}: ${target} or a folder above it does not exist${during}`
          : `${target} does not exist${during}`,
        'check the path (it may have been moved or deleted)',
      );
    case 'EBUSY':
    case 'ETXTBSY':
      return say('IN_USE', `${target} is in use by another program${during}`, 'close it and try again');
    case 'EMFILE':
    case 'ENFILE':
      return say(
        'TOO_MANY_FILES',
        `too many files are open at once${during}`,
        'close other programs (or raise the open-file limit) and run it again',
      );
    case 'EIO':
      return say(
        'IO_ERROR',
        `the disk failed to ${verb} ${what} (an input/output error)${during}`,
        'check the disk and its connection, then run it again',
      );
    default:
      return say(
        'IO_ERROR',
        `cannot ${verb} ${what}: ${descriptionOf(e)}${during}`,
        'check the path and run it again',
      );
  }
}

/** The folder a path lies in, for "the disk holding …". */
function folderOf(path: string): string {
  return dirname(path);
}

/** Node's own words for an errno ("cross-device link not permitted"), without the code and the paths. */
function descriptionOf(e: NodeFsError): string {
  const match = /^[A-Z0-9]+: (.*?)(, [a-z]+( '.*)?)?$/.exec(e.message);
  return match?.[1] ?? 'the file system refused';
}

/** A path with each over-long name cut in the middle, so a message stays readable. */
function shorten(path: string): string {
  return path
    .split('/')
    .map((name) =>
      name.length > 64 ? `${name.slice(0, 24)}…${name.slice(-16)} (${name.length} characters)` : name,
    )
    .join('/');
}
