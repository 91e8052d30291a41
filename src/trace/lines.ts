// Stream a text file line by line, gunzipping it when it starts with the gzip magic bytes
// (1f 8b). Never loads the file whole: node:readline over a read stream.

import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { TraceError } from './errors.js';

function openError(path: string, err: NodeJS.ErrnoException): TraceError {
  if (err.code === 'ENOENT') return new TraceError(`${path}: no such file; check the path`);
  if (err.code === 'EISDIR') return new TraceError(`${path}: is a directory, not a trace file`);
  if (err.code === 'EACCES') return new TraceError(`${path}: permission denied; make the file readable`);
  return new TraceError(`${path}: cannot read (${err.message})`);
}

export function isGzip(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw openError(path, err as NodeJS.ErrnoException);
  }
  try {
    const b = Buffer.alloc(2);
    const n = readSync(fd, b, 0, 2, 0);
    return n === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } catch (err) {
    throw openError(path, err as NodeJS.ErrnoException);
  } finally {
    closeSync(fd);
  }
}

/** Calls fn(line, lineNumber) for every line; resolves to the number of lines. A throw from fn rejects. */
export function forEachLine(path: string, fn: (line: string, lineNo: number) => void): Promise<number> {
  const gz = isGzip(path);
  return new Promise((resolve, reject) => {
    const raw = createReadStream(path);
    let input: Readable = raw;
    let lineNo = 0;
    let done = false;
    const fail = (err: unknown): void => {
      if (done) return;
      done = true;
      rl.close();
      raw.destroy();
      reject(err);
    };
    raw.on('error', (e) => fail(openError(path, e as NodeJS.ErrnoException)));
    if (gz) {
      const gunzip = createGunzip();
      gunzip.on('error', (e) =>
        fail(new TraceError(`${path}: the gzip data is damaged (${e.message}); re-compress the trace or pass it uncompressed`)),
      );
      input = raw.pipe(gunzip);
    }
    const rl = createInterface({ input, crlfDelay: Infinity });
    // readline re-emits its input's errors; the handlers above have already named them
    rl.on('error', (e) => fail(e));
    rl.on('line', (line) => {
      if (done) return;
      lineNo++;
      try {
        fn(line, lineNo);
      } catch (err) {
        fail(err);
      }
    });
    rl.on('close', () => {
      if (done) return;
      done = true;
      resolve(lineNo);
    });
  });
}

/** True when a line holds bytes no text trace has (NUL and other control bytes, invalid UTF-8). */
export function looksBinary(line: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a binary file is told by its control characters
  return /[\x00-\x08\x0e-\x1f\ufffd]/.test(line);
}
