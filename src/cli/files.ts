// Files the commands read and write: errors that name the file and say what is wrong with
// it (exit 2, never a stack), and outputs that never destroy an existing file when the
// command fails or is killed half-way (written under a temporary name, renamed at the end).

import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from './usage-error.js';

/** An error from a file-system call (open, read, write, rename, mkdir…): the user's to fix. */
export function isFileSystemError(err: unknown): err is NodeJS.ErrnoException {
  const e = err as NodeJS.ErrnoException;
  return err instanceof Error && typeof e.syscall === 'string' && typeof e.code === 'string' && /^E[A-Z0-9]+$/.test(e.code);
}

const REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error',
  EEXIST: 'it already exists',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many open files',
  EFBIG: 'the file is too large',
};

const VERBS: Record<string, string> = { open: 'open', read: 'read', write: 'write', rename: 'write', mkdir: 'create directory' };

export function fileErrorMessage(err: NodeJS.ErrnoException): string {
  const reason = REASONS[err.code ?? ''] ?? err.message;
  const verb = VERBS[err.syscall ?? ''] ?? err.syscall;
  return err.path !== undefined ? `cannot ${verb} ${err.path}: ${reason}` : `cannot ${verb}: ${reason}`;
}

/** An input file: it must exist and be a file (a directory is a usage error, not a crash). */
export function inputFile(path: string, what: string): void {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch (err) {
    if (isFileSystemError(err)) throw new UsageError(`cannot open ${what} ${path}: ${REASONS[err.code ?? ''] ?? err.message}`);
    throw err;
  }
  if (st.isDirectory()) throw new UsageError(`cannot open ${what} ${path}: it is a directory, not a file`);
}

/**
 * Check an output path before any work is done: its directory must exist and it must not
 * be a directory. (Whether it can be written is found by writing it.)
 */
export function outputFile(path: string, flag: string): void {
  const dir = dirname(path);
  if (!existsSync(dir)) throw new UsageError(`${flag} ${path}: the directory ${dir} does not exist`);
  if (!statSync(dir).isDirectory()) throw new UsageError(`${flag} ${path}: ${dir} is not a directory`);
  if (existsSync(path) && statSync(path).isDirectory())
    throw new UsageError(`${flag} ${path} is a directory: give a file name, e.g. ${join(path, 'out')}`);
}

/** Where `path` is written from: itself (a device or pipe such as /dev/null), or a temporary name beside it. */
function target(path: string, flag: string): string {
  outputFile(path, flag);
  if (existsSync(path) && !statSync(path).isFile()) return path;
  return join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
}

function finish(path: string, tmp: string, err: unknown): never {
  if (tmp !== path) rmSync(tmp, { force: true });
  // the temporary name is ours, not the user's: name the file they asked for
  if (isFileSystemError(err) && (err.path === tmp || err.path === path || err.path === undefined))
    throw new UsageError(`cannot write ${path}: ${REASONS[err.code ?? ''] ?? err.message}`);
  throw err;
}

/**
 * Write `path` through `write(target)`: a regular file is written under a temporary name in
 * the same directory and renamed over `path` only when `write` returns, so a failure or a
 * kill half-way leaves an existing file as it was. A device or pipe is written directly.
 */
export function writeAtomically<T>(path: string, flag: string, write: (target: string) => T): T {
  const tmp = target(path, flag);
  try {
    const r = write(tmp);
    if (tmp !== path) renameSync(tmp, path);
    return r;
  } catch (err) {
    finish(path, tmp, err);
  }
}

/** writeAtomically for an asynchronous writer. */
export async function writeAtomicallyAsync<T>(path: string, flag: string, write: (target: string) => Promise<T>): Promise<T> {
  const tmp = target(path, flag);
  try {
    const r = await write(tmp);
    if (tmp !== path) renameSync(tmp, path);
    return r;
  } catch (err) {
    finish(path, tmp, err);
  }
}
