// Reading a run log: verify the preamble, then walk the chunks checking length and CRC.
// A torn tail (a chunk cut short by a crash, or trailing zeros) is dropped with a
// warning and the intact prefix kept; damage before the tail is an error naming the
// chunk and its byte offset.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { unpack } from 'msgpackr';
import { zlib } from './zlib.js';
import { decodeEvents, EventDecodeError, type Event } from '../events.js';
import { CHUNK_HEADER_BYTES, FORMAT_VERSION, LogError, MAGIC, MAX_CHUNK_BYTES, PREAMBLE_BYTES } from './format.js';

export interface ChunkInfo {
  index: number;
  offset: number;
  length: number;
  kind: string;
  /** events chunks: first event index and count */
  first?: number;
  n?: number;
}

export interface LogHeader {
  kind: 'header';
  config: Record<string, unknown> & { seed: string; scenario: { name: string } };
  initial: unknown;
  [k: string]: unknown;
}

export interface LogEnd {
  kind: 'end';
  events: number;
  hash: string;
  [k: string]: unknown;
}

export class LogReader {
  readonly chunks: ChunkInfo[] = [];
  readonly warnings: string[] = [];
  header!: LogHeader;
  end: LogEnd | null = null;
  events = 0;
  private readonly fd: number;
  readonly size: number;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'r');
    } catch (err) {
      throw new LogError(`cannot open log ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    this.size = fstatSync(this.fd).size;
    try {
      this.scan();
    } catch (err) {
      closeSync(this.fd);
      throw err;
    }
  }

  close(): void {
    closeSync(this.fd);
  }

  private read(offset: number, length: number): Buffer {
    const b = Buffer.alloc(length);
    let got = 0;
    while (got < length) {
      const n = readSync(this.fd, b, got, length - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    return got === length ? b : b.subarray(0, got);
  }

  private scan(): void {
    const pre = this.read(0, PREAMBLE_BYTES);
    if (pre.length < PREAMBLE_BYTES || !pre.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new LogError(`${this.path} is not an mmsim run log (no MMSIMLOG magic at offset 0); record one with 'mmsim record -o FILE'`, undefined, 0);
    }
    const version = pre.readUInt32LE(MAGIC.length);
    if (version !== FORMAT_VERSION) {
      throw new LogError(`${this.path} is run-log format version ${version}; this mmsim reads version ${FORMAT_VERSION}`, undefined, MAGIC.length);
    }
    let offset = PREAMBLE_BYTES;
    for (let index = 0; offset < this.size; index++) {
      const torn = (why: string): void => {
        this.warnings.push(`${this.path}: torn tail at chunk ${index} (byte offset ${offset}): ${why}; keeping the ${index} intact chunk(s) before it`);
      };
      if (this.size - offset < CHUNK_HEADER_BYTES) { torn(`only ${this.size - offset} byte(s) left, a chunk header needs ${CHUNK_HEADER_BYTES}`); break; }
      const head = this.read(offset, CHUNK_HEADER_BYTES);
      const length = head.readUInt32LE(0);
      const crc = head.readUInt32LE(4);
      const last = offset + CHUNK_HEADER_BYTES + length >= this.size;
      if (length > MAX_CHUNK_BYTES) {
        if (last) { torn(`length field ${length} runs past the end of the file`); break; }
        throw new LogError(`${this.path}: chunk ${index} at byte offset ${offset} is damaged: length field ${length} is impossible`, index, offset);
      }
      if (offset + CHUNK_HEADER_BYTES + length > this.size) { torn(`chunk needs ${length} bytes, the file has ${this.size - offset - CHUNK_HEADER_BYTES}`); break; }
      const payload = this.read(offset + CHUNK_HEADER_BYTES, length);
      if (zlib.crc32(payload) !== crc) {
        if (last && (length === 0 || payload.every((b) => b === 0))) { torn('the last chunk was never written (zeros)'); break; }
        throw new LogError(`${this.path}: chunk ${index} at byte offset ${offset} is damaged: CRC mismatch (stored ${crc.toString(16)}, computed ${zlib.crc32(payload).toString(16)})`, index, offset);
      }
      let obj: Record<string, unknown>;
      try {
        obj = unpack(payload) as Record<string, unknown>;
      } catch (err) {
        throw new LogError(`${this.path}: chunk ${index} at byte offset ${offset} does not decode: ${(err as Error).message}`, index, offset);
      }
      const kind = typeof obj?.kind === 'string' ? obj.kind : '?';
      if (index === 0 && kind !== 'header') throw new LogError(`${this.path}: chunk 0 is '${kind}', expected the header`, 0, offset);
      const info: ChunkInfo = { index, offset, length, kind };
      if (kind === 'header') this.header = obj as LogHeader;
      else if (kind === 'events') {
        info.first = obj.first as number;
        info.n = obj.n as number;
        if (info.first !== this.events) {
          throw new LogError(`${this.path}: chunk ${index} at byte offset ${offset} starts at event ${info.first}, expected ${this.events}`, index, offset);
        }
        this.events += info.n;
      } else if (kind === 'end') this.end = obj as LogEnd;
      this.chunks.push(info);
      offset += CHUNK_HEADER_BYTES + length;
    }
    if (this.chunks.length === 0) throw new LogError(`${this.path}: no intact header chunk`, 0, PREAMBLE_BYTES);
    if (this.end === null && this.warnings.length === 0) {
      this.warnings.push(`${this.path}: the log has no end chunk (the run was interrupted); ${this.events} event(s) are readable`);
    }
  }

  /** Decode one chunk's payload (already verified by the scan). */
  chunk(info: ChunkInfo): Record<string, unknown> {
    return unpack(this.read(info.offset + CHUNK_HEADER_BYTES, info.length)) as Record<string, unknown>;
  }

  /** Events chunk by chunk, in order. */
  *eventChunks(): Generator<{ info: ChunkInfo; events: Event[] }> {
    for (const info of this.chunks) {
      if (info.kind !== 'events') continue;
      const obj = this.chunk(info);
      try {
        yield { info, events: decodeEvents(obj.ev as number[]) };
      } catch (err) {
        if (err instanceof EventDecodeError) {
          throw new LogError(`${this.path}: chunk ${info.index} at byte offset ${info.offset}: ${err.message}`, info.index, info.offset);
        }
        throw err;
      }
    }
  }
}
