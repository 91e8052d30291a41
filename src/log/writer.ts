// Streaming, append-only log writer: events are buffered up to EVENTS_PER_CHUNK and
// written as one chunk, so a 10M-event run never holds its log in memory. Snapshots are
// written at chunk boundaries; the index of every chunk is written when the log closes.

import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { zlib } from './zlib.js';
import { Packr } from 'msgpackr';
import { encodeEvent, type Event } from '../events.js';
import { encodeState } from '../snapshot/hash.js';
import type { State } from '../state.js';
import { CHUNK_HEADER_BYTES, CHUNK_KINDS, EVENTS_PER_CHUNK, FORMAT_VERSION, MAGIC, tailOffset } from './format.js';

export const packr = new Packr({ useRecords: false, variableMapSize: true });

export function frameChunk(payload: Uint8Array): Buffer {
  const head = Buffer.alloc(CHUNK_HEADER_BYTES);
  head.writeUInt32LE(payload.length, 0);
  head.writeUInt32LE(zlib.crc32(payload), 4);
  return Buffer.concat([head, payload]);
}

/** One index entry: [kind code, byte offset, payload length, first event, event count]. */
export type IndexEntry = [number, number, number, number, number];

export class LogWriter {
  private readonly fd: number;
  private buf: number[] = [];
  private inChunk = 0;
  private first = 0;
  private readonly entries: IndexEntry[] = [];
  bytes = 0;
  events = 0;
  chunks = 0;
  snapshots = 0;
  snapshotBytes = 0;
  snapshotMs = 0;

  constructor(
    readonly path: string,
    header: Record<string, unknown>,
  ) {
    this.fd = openSync(path, 'w');
    const pre = Buffer.alloc(MAGIC.length + 4);
    MAGIC.copy(pre, 0);
    pre.writeUInt32LE(FORMAT_VERSION, MAGIC.length);
    this.write(pre);
    this.writeChunk({ kind: 'header', ...header });
  }

  private write(b: Buffer): void {
    try {
      writeSync(this.fd, b);
    } catch (err) {
      // a failed write() names no file: name ours, so the user reads which file is full
      (err as NodeJS.ErrnoException).path ??= this.path;
      throw err;
    }
    this.bytes += b.length;
  }

  writeChunk(obj: Record<string, unknown>, first = 0, n = 0): number {
    const at = this.bytes;
    const payload = packr.pack(obj);
    this.write(frameChunk(payload));
    this.entries.push([CHUNK_KINDS.indexOf(obj.kind as (typeof CHUNK_KINDS)[number]), at, payload.length, first, n]);
    this.chunks++;
    return at;
  }

  event(e: Event): void {
    encodeEvent(e, this.buf);
    this.inChunk++;
    this.events++;
    if (this.inChunk >= EVENTS_PER_CHUNK) this.flush();
  }

  /** Write buffered events as a chunk. */
  flush(): void {
    if (this.inChunk === 0) return;
    this.writeChunk({ kind: 'events', first: this.first, n: this.inChunk, ev: this.buf }, this.first, this.inChunk);
    this.first += this.inChunk;
    this.inChunk = 0;
    this.buf = [];
  }

  /**
   * Snapshot the state after every event so far. The state is stored as msgpack bytes so
   * that reading the index or the header never decodes it, and so its hash is of exactly
   * what is stored.
   */
  snapshot(s: State): void {
    const t0 = performance.now();
    this.flush();
    const state = encodeState(s);
    const hash = createHash('sha256').update(state).digest('hex');
    this.writeChunk({ kind: 'snapshot', event: this.events, hash, state }, this.events, 0);
    this.snapshots++;
    this.snapshotBytes += state.length;
    this.snapshotMs += performance.now() - t0;
  }

  /** Flush, write the index, the end chunk and the tail, and make the file durable. */
  close(end: Record<string, unknown>): void {
    this.flush();
    const index = this.writeChunk({ kind: 'index', entries: this.entries.slice() });
    const endAt = this.writeChunk({ kind: 'end', events: this.events, ...end });
    this.writeChunk({ kind: 'tail', index: tailOffset(index), end: tailOffset(endAt) });
    fsyncSync(this.fd);
    closeSync(this.fd);
  }

  /** Close without an end chunk (an interrupted run: readers treat the log as a prefix). */
  abandon(): void {
    this.flush();
    closeSync(this.fd);
  }
}
