// The bytes of a trace file, in chunks: gunzipped when the file starts with the gzip magic
// bytes (1f 8b), told from the first chunk read, so the file is opened once and a pipe
// works too. Never loads the file whole.

import { readSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { TraceError } from './errors.js';

/** Bytes per read from the file, and per gunzipped chunk. */
export const CHUNK_BYTES = 1 << 18;

export function openError(path: string, err: NodeJS.ErrnoException): TraceError {
  if (err.code === 'ENOENT') return new TraceError(`${path}: no such file; check the path`);
  if (err.code === 'EISDIR') return new TraceError(`${path}: is a directory, not a trace file`);
  if (err.code === 'EACCES') return new TraceError(`${path}: permission denied; make the file readable`);
  return new TraceError(`${path}: cannot read (${err.message})`);
}

function readChunk(fh: FileHandle, path: string): Buffer {
  // a fresh buffer per read: the consumer may still hold the previous chunk (gunzip does)
  const buf = Buffer.allocUnsafe(CHUNK_BYTES);
  try {
    // a synchronous read: the consumers parse each chunk at once and then wait for the next,
    // so a trip through the thread pool and a promise per chunk buy nothing (pass 1 of the
    // bench's hit-heavy trace: ~10% of its CPU)
    const bytesRead = readSync(fh.fd, buf, 0, CHUNK_BYTES, null);
    return buf.subarray(0, bytesRead);
  } catch (err) {
    throw openError(path, err as NodeJS.ErrnoException);
  }
}

/** Called with the bytes of the file read so far (compressed bytes for a gzip file) and its size. */
export type ReadProgress = (bytesRead: number, fileBytes: number) => void;

async function* fileChunks(fh: FileHandle, path: string, first: Buffer, onRead?: ReadProgress, size = 0): AsyncGenerator<Buffer> {
  let read = 0;
  for (let b = first; b.length > 0; b = readChunk(fh, path)) {
    read += b.length;
    onRead?.(read, Math.max(size, read));
    yield b;
  }
}

/** Yields the (decompressed) bytes of `path` in order. Errors are TraceErrors naming the file. */
export async function* traceChunks(path: string, onRead?: ReadProgress): AsyncGenerator<Buffer> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw openError(path, err as NodeJS.ErrnoException);
  }
  try {
    // a pipe or a character device has no size: progress is then only the count so far
    const size = onRead === undefined ? 0 : (await fh.stat()).size;
    const first = readChunk(fh, path);
    if (!(first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b)) {
      yield* fileChunks(fh, path, first, onRead, size);
      return;
    }
    // zlib and streams only for a gzip file (a plain trace's start-up loads neither)
    const [{ Readable }, { createGunzip }] = await Promise.all([import('node:stream'), import('node:zlib')]);
    let readFailure: unknown = null;
    const raw = Readable.from(
      (async function* () {
        try {
          yield* fileChunks(fh, path, first, onRead, size);
        } catch (err) {
          readFailure = err;
          throw err;
        }
      })(),
      { objectMode: false },
    );
    const gunzip = createGunzip({ chunkSize: CHUNK_BYTES });
    raw.on('error', (e) => gunzip.destroy(e));
    raw.pipe(gunzip);
    try {
      for await (const c of gunzip) yield c as Buffer;
    } catch (err) {
      if (readFailure !== null) throw readFailure;
      const why = (err as Error).message;
      throw new TraceError(`${path}: the gzip data is damaged (${why}); re-compress the trace or pass it uncompressed`);
    } finally {
      raw.destroy();
      gunzip.destroy();
    }
  } finally {
    await fh.close();
  }
}
