// Streaming, append-only log writer: events are buffered up to EVENTS_PER_CHUNK and
// written as one chunk, so a 10M-event run never holds its log in memory.

import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { zlib } from './zlib.js';
import { Packr } from 'msgpackr';
import { encodeEvent, type Event } from '../events.js';
import { CHUNK_HEADER_BYTES, EVENTS_PER_CHUNK, FORMAT_VERSION, MAGIC } from './format.js';

export const packr = new Packr({ useRecords: false, variableMapSize: true });

export function frameChunk(payload: Uint8Array): Buffer {
  const head = Buffer.alloc(CHUNK_HEADER_BYTES);
  head.writeUInt32LE(payload.length, 0);
  head.writeUInt32LE(zlib.crc32(payload), 4);
  return Buffer.concat([head, payload]);
}

export class LogWriter {
  private readonly fd: number;
  private buf: number[] = [];
  private inChunk = 0;
  private first = 0;
  bytes = 0;
  events = 0;
  chunks = 0;

  constructor(readonly path: string, header: Record<string, unknown>) {
    this.fd = openSync(path, 'w');
    const pre = Buffer.alloc(MAGIC.length + 4);
    MAGIC.copy(pre, 0);
    pre.writeUInt32LE(FORMAT_VERSION, MAGIC.length);
    this.write(pre);
    this.writeChunk({ kind: 'header', ...header });
  }

  private write(b: Buffer): void {
    writeSync(this.fd, b);
    this.bytes += b.length;
  }

  writeChunk(obj: Record<string, unknown>): void {
    this.write(frameChunk(packr.pack(obj)));
    this.chunks++;
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
    this.writeChunk({ kind: 'events', first: this.first, n: this.inChunk, ev: this.buf });
    this.first += this.inChunk;
    this.inChunk = 0;
    this.buf = [];
  }

  /** Flush, write the end chunk and make the file durable. */
  close(end: Record<string, unknown>): void {
    this.flush();
    this.writeChunk({ kind: 'end', events: this.events, ...end });
    fsyncSync(this.fd);
    closeSync(this.fd);
  }

  /** Close without an end chunk (an interrupted run: readers treat the log as a prefix). */
  abandon(): void {
    this.flush();
    closeSync(this.fd);
  }
}
