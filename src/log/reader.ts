// Reading a run log. Asked to, a cleanly closed log is opened through its tail and index
// chunks without reading the events (so seeking a 10M-event log costs milliseconds); every
// chunk's CRC is then checked when the chunk is read. Otherwise, or without a usable index, it is walked
// chunk by chunk instead: a torn tail (a chunk cut short by a crash, or trailing zeros)
// is dropped with a warning and the intact prefix kept; a damaged chunk in the middle is
// tolerated with a warning when the events still run on across it (it was a snapshot or
// other derived data), and is otherwise an error naming the chunk and its byte offset.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { unpack } from 'msgpackr';
import { zlib } from './zlib.js';
import { decodeEvents, EventDecodeError, type Event } from '../events.js';
import { CHUNK_HEADER_BYTES, CHUNK_KINDS, FORMAT_VERSION, LogError, MAGIC, MAX_CHUNK_BYTES, PREAMBLE_BYTES, tailOffset } from './format.js';
import { frameChunk, packr, type IndexEntry } from './writer.js';

export interface ChunkInfo {
  index: number;
  offset: number;
  length: number;
  kind: string;
  /** events chunks: first event index and count; snapshot chunks: `first` is the event count it follows */
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

const TAIL_BYTES = frameChunk(packr.pack({ kind: 'tail', index: tailOffset(0), end: tailOffset(0) })).length;

export interface ReaderOptions {
  /**
   * Open through the tail and index without reading the events (seek, bisect, debug):
   * damage is then found when a chunk is read. The default walks every chunk at open, so
   * that replay and check report damage anywhere before doing any work.
   */
  indexed?: boolean;
}

export class LogReader {
  readonly chunks: ChunkInfo[] = [];
  readonly warnings: string[] = [];
  header!: LogHeader;
  end: LogEnd | null = null;
  events = 0;
  /** True when the chunk list came from the index rather than a walk. */
  indexed = false;
  private readonly fd: number;
  readonly size: number;

  constructor(
    readonly path: string,
    opts: ReaderOptions = {},
  ) {
    try {
      this.fd = openSync(path, 'r');
    } catch (err) {
      throw new LogError(`cannot open log ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    this.size = fstatSync(this.fd).size;
    try {
      this.preamble();
      if (!opts.indexed || !this.openIndexed()) this.scan();
    } catch (err) {
      closeSync(this.fd);
      throw err;
    }
  }

  close(): void {
    closeSync(this.fd);
  }

  get snapshots(): ChunkInfo[] {
    return this.chunks.filter((c) => c.kind === 'snapshot');
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

  private preamble(): void {
    const pre = this.read(0, PREAMBLE_BYTES);
    if (pre.length < PREAMBLE_BYTES || !pre.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new LogError(
        `${this.path} is not an mmsim run log (no MMSIMLOG magic at offset 0); record one with 'mmsim record -o FILE'`,
        undefined,
        0,
      );
    }
    const version = pre.readUInt32LE(MAGIC.length);
    if (version !== FORMAT_VERSION) {
      throw new LogError(
        `${this.path} is run-log format version ${version}; this mmsim reads version ${FORMAT_VERSION} (re-record the run)`,
        undefined,
        MAGIC.length,
      );
    }
  }

  /** Read and verify one chunk at `offset`; returns null (with the reason) instead of throwing. */
  private tryChunk(offset: number): { length: number; obj: Record<string, unknown> } | string {
    if (offset < PREAMBLE_BYTES || offset + CHUNK_HEADER_BYTES > this.size) return `offset ${offset} is outside the file`;
    const head = this.read(offset, CHUNK_HEADER_BYTES);
    const length = head.readUInt32LE(0);
    if (offset + CHUNK_HEADER_BYTES + length > this.size) return `length ${length} runs past the end of the file`;
    const payload = this.read(offset + CHUNK_HEADER_BYTES, length);
    if (zlib.crc32(payload) !== head.readUInt32LE(4)) return 'CRC mismatch';
    try {
      return { length, obj: unpack(payload) as Record<string, unknown> };
    } catch (err) {
      return `does not decode (${(err as Error).message})`;
    }
  }

  /** Open through the tail and index; false (with a warning when they exist but are damaged) to fall back to a walk. */
  private openIndexed(): boolean {
    if (this.size < PREAMBLE_BYTES + TAIL_BYTES) return false;
    const tail = this.tryChunk(this.size - TAIL_BYTES);
    if (typeof tail === 'string' || tail.obj.kind !== 'tail') return false; // interrupted run: no tail, walk it
    const idxAt = parseInt(String(tail.obj.index), 16);
    const endAt = parseInt(String(tail.obj.end), 16);
    const idx = this.tryChunk(idxAt);
    const end = this.tryChunk(endAt);
    const bad =
      typeof idx === 'string'
        ? `index chunk at byte offset ${idxAt}: ${idx}`
        : idx.obj.kind !== 'index'
          ? `byte offset ${idxAt} holds a '${String(idx.obj.kind)}' chunk, not the index`
          : typeof end === 'string'
            ? `end chunk at byte offset ${endAt}: ${end}`
            : null;
    if (bad !== null || typeof idx === 'string' || typeof end === 'string') {
      this.warnings.push(`${this.path}: the index is unusable (${bad}); walking every chunk instead`);
      return false;
    }
    const entries = idx.obj.entries as IndexEntry[];
    for (const [i, [code, offset, length, first, n]] of entries.entries()) {
      const kind = CHUNK_KINDS[code] ?? '?';
      const info: ChunkInfo = { index: i, offset, length, kind };
      if (kind === 'events' || kind === 'snapshot') {
        info.first = first;
        info.n = n;
      }
      if (kind === 'events') {
        if (first !== this.events) {
          this.warnings.push(
            `${this.path}: the index is inconsistent (chunk ${i} starts at event ${first}, expected ${this.events}); walking every chunk instead`,
          );
          this.chunks.length = 0;
          this.events = 0;
          return false;
        }
        this.events += n;
      }
      this.chunks.push(info);
    }
    const h = this.tryChunk(PREAMBLE_BYTES);
    if (typeof h === 'string')
      throw new LogError(`${this.path}: chunk 0 at byte offset ${PREAMBLE_BYTES} is damaged: ${h}`, 0, PREAMBLE_BYTES);
    if (h.obj.kind !== 'header')
      throw new LogError(`${this.path}: chunk 0 is '${String(h.obj.kind)}', expected the header`, 0, PREAMBLE_BYTES);
    this.header = h.obj as LogHeader;
    this.end = end.obj as LogEnd;
    this.indexed = true;
    return true;
  }

  private scan(): void {
    let offset = PREAMBLE_BYTES;
    let damaged: { index: number; offset: number; why: string } | null = null;
    for (let index = 0; offset < this.size; index++) {
      const torn = (why: string): void => {
        this.warnings.push(
          `${this.path}: torn tail at chunk ${index} (byte offset ${offset}): ${why}; keeping the ${index} intact chunk(s) before it`,
        );
      };
      if (this.size - offset < CHUNK_HEADER_BYTES) {
        torn(`only ${this.size - offset} byte(s) left, a chunk header needs ${CHUNK_HEADER_BYTES}`);
        break;
      }
      const head = this.read(offset, CHUNK_HEADER_BYTES);
      const length = head.readUInt32LE(0);
      const crc = head.readUInt32LE(4);
      const last = offset + CHUNK_HEADER_BYTES + length >= this.size;
      if (length > MAX_CHUNK_BYTES) {
        if (last) {
          torn(`length field ${length} runs past the end of the file`);
          break;
        }
        throw new LogError(
          `${this.path}: chunk ${index} at byte offset ${offset} is damaged: length field ${length} is impossible`,
          index,
          offset,
        );
      }
      if (offset + CHUNK_HEADER_BYTES + length > this.size) {
        torn(`chunk needs ${length} bytes, the file has ${this.size - offset - CHUNK_HEADER_BYTES}`);
        break;
      }
      const payload = this.read(offset + CHUNK_HEADER_BYTES, length);
      if (zlib.crc32(payload) !== crc) {
        if (last && (length === 0 || payload.every((b) => b === 0))) {
          torn('the last chunk was never written (zeros)');
          break;
        }
        if (index === 0 || damaged !== null) {
          throw new LogError(
            `${this.path}: chunk ${index} at byte offset ${offset} is damaged: CRC mismatch (stored ${crc.toString(16)}, computed ${zlib.crc32(payload).toString(16)})`,
            index,
            offset,
          );
        }
        // Judged once the next events chunk shows whether events were lost.
        damaged = { index, offset, why: `CRC mismatch (stored ${crc.toString(16)}, computed ${zlib.crc32(payload).toString(16)})` };
        this.chunks.push({ index, offset, length, kind: 'damaged' });
        offset += CHUNK_HEADER_BYTES + length;
        continue;
      }
      let obj: Record<string, unknown>;
      try {
        obj = unpack(payload) as Record<string, unknown>;
      } catch (err) {
        throw new LogError(
          `${this.path}: chunk ${index} at byte offset ${offset} does not decode: ${(err as Error).message}`,
          index,
          offset,
        );
      }
      const kind = typeof obj?.kind === 'string' ? obj.kind : '?';
      if (index === 0 && kind !== 'header') throw new LogError(`${this.path}: chunk 0 is '${kind}', expected the header`, 0, offset);
      const info: ChunkInfo = { index, offset, length, kind };
      if (kind === 'header') this.header = obj as LogHeader;
      else if (kind === 'events') {
        info.first = obj.first as number;
        info.n = obj.n as number;
        if (info.first !== this.events) {
          if (damaged !== null) {
            throw new LogError(
              `${this.path}: chunk ${damaged.index} at byte offset ${damaged.offset} is damaged: ${damaged.why}; it held events (chunk ${index} starts at event ${info.first}, expected ${this.events})`,
              damaged.index,
              damaged.offset,
            );
          }
          throw new LogError(
            `${this.path}: chunk ${index} at byte offset ${offset} starts at event ${info.first}, expected ${this.events}`,
            index,
            offset,
          );
        }
        this.events += info.n;
      } else if (kind === 'snapshot') {
        info.first = obj.event as number;
        info.n = 0;
      } else if (kind === 'end') this.end = obj as LogEnd;
      if (damaged !== null && kind === 'events') {
        this.warnings.push(
          `${this.path}: chunk ${damaged.index} at byte offset ${damaged.offset} is damaged (${damaged.why}) but no events were lost (it held a snapshot or the index); ignoring it`,
        );
        damaged = null;
      }
      this.chunks.push(info);
      offset += CHUNK_HEADER_BYTES + length;
    }
    if (damaged !== null) {
      this.warnings.push(
        `${this.path}: chunk ${damaged.index} at byte offset ${damaged.offset} is damaged (${damaged.why}); no events follow it, ignoring it`,
      );
    }
    if (this.chunks.length === 0) throw new LogError(`${this.path}: no intact header chunk`, 0, PREAMBLE_BYTES);
    if (this.end === null && this.warnings.length === 0) {
      this.warnings.push(`${this.path}: the log has no end chunk (the run was interrupted); ${this.events} event(s) are readable`);
    }
  }

  /** Decode one chunk's payload, verifying its CRC (an indexed open has not read it yet). */
  chunk(info: ChunkInfo): Record<string, unknown> {
    const r = this.tryChunk(info.offset);
    if (typeof r === 'string') {
      throw new LogError(
        `${this.path}: chunk ${info.index} (${info.kind}) at byte offset ${info.offset} is damaged: ${r}`,
        info.index,
        info.offset,
      );
    }
    return r.obj;
  }

  /** The events of one events chunk. */
  decodeChunkEvents(info: ChunkInfo): Event[] {
    const obj = this.chunk(info);
    try {
      return decodeEvents(obj.ev as number[]);
    } catch (err) {
      if (err instanceof EventDecodeError) {
        throw new LogError(`${this.path}: chunk ${info.index} at byte offset ${info.offset}: ${err.message}`, info.index, info.offset);
      }
      throw err;
    }
  }

  /** Events chunk by chunk, in order. */
  *eventChunks(from = 0): Generator<{ info: ChunkInfo; events: Event[] }> {
    for (const info of this.chunks) {
      if (info.kind !== 'events' || (info.first ?? 0) + (info.n ?? 0) <= from) continue;
      yield { info, events: this.decodeChunkEvents(info) };
    }
  }
}
