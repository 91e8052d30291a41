// Reading a run log. A cleanly closed log is opened through its tail, index and end chunks
// (checked against each other and against the file's layout) without reading the events;
// each chunk is then read, CRC-checked, decoded and validated once, when it is used, and
// must be what the index says it is. Without a usable index the chunks are walked:
//
// - a torn tail (the final piece cut short or damaged, with nothing intact after it) is
//   dropped with a warning and the intact prefix kept;
// - a damaged chunk followed by intact chunks is corruption (an error naming the chunk and
//   its byte offset), unless the next intact chunk proves that no events were lost (it was
//   a snapshot or the index: derived data), which is tolerated with a warning.
//
// A log without its end chunk is read up to its last operation boundary (invariants hold
// only between operations, and the cut falls inside one); commands report over that
// prefix and then call requireEnd(), which makes the answer exit 2.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { unpack } from 'msgpackr';
import { zlib } from './zlib.js';
import { EventDecodeError, type Event } from '../events.js';
import { rmapDesign } from '../designs/registry.js';
import {
  CHUNK_HEADER_BYTES,
  CHUNK_KINDS,
  EVENTS_PER_CHUNK,
  FORMAT_VERSION,
  LogError,
  MAGIC,
  MAX_CHUNK_BYTES,
  PREAMBLE_BYTES,
  TruncatedLogError,
  tailOffset,
} from './format.js';
import { frameChunk, packr } from './writer.js';
import { decodeCheckedEvents, type EventLimits } from './event-ranges.js';
import { endProblem, eventsProblem, headerProblem, indexProblem, isObj, metaProblem, snapshotProblem, tailProblem } from './schema.js';
import { thousands } from '../lib/thousands.js';

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

/** Every chunk's payload is a msgpack map whose first key is `kind`: a fixmap byte, then the fixstr "kind". */
const KIND_KEY = Buffer.from([0xa4, 0x6b, 0x69, 0x6e, 0x64]);

export interface ReaderOptions {
  /** Walk every chunk at open even when the index is usable (tests; a full check of the file). */
  walk?: boolean;
}

type Chunk = { length: number; obj: Record<string, unknown> };

/** tryChunk's answers that a crash or a flipped bit can cause (the rest passed the CRC). */
const DAMAGE = /^(CRC mismatch|empty|length \d+ runs past)/;

export class LogReader {
  readonly chunks: ChunkInfo[] = [];
  readonly warnings: string[] = [];
  header!: LogHeader;
  end: LogEnd | null = null;
  /** Events readable: all of them, or, for a log without its end chunk, those before its last operation boundary. */
  events = 0;
  /** Events held by the intact chunks (more than `events` when the log lost its end). */
  stored = 0;
  /** True when the chunk list came from the index rather than a walk. */
  indexed = false;
  /** Field bounds of the machine the header describes. */
  limits!: EventLimits;
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
    try {
      const st = fstatSync(this.fd);
      if (!st.isFile()) throw new LogError(`${path} is not a file (a run log is a .mmlog file written by 'mmsim record -o FILE')`);
      this.size = st.size;
      this.preamble();
      if (opts.walk === true || !this.openIndexed()) this.scan();
      if (this.end === null) this.cutAtLastBoundary();
    } catch (err) {
      closeSync(this.fd);
      throw err;
    }
  }

  close(): void {
    closeSync(this.fd);
  }

  get snapshots(): ChunkInfo[] {
    return this.chunks.filter((c) => c.kind === 'snapshot' && (c.first ?? 0) <= this.events);
  }

  /**
   * Call after reporting over the log: a log without its end chunk is incomplete input, so
   * the command's answer is exit 2 (the report above covers its intact prefix).
   */
  requireEnd(): void {
    if (this.end !== null) return;
    throw new TruncatedLogError(
      `${this.path} is truncated (no end chunk): the results above cover its ${thousands(this.events)} intact event(s), up to its last operation boundary; the final state hash cannot be verified`,
    );
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

  /** Read, CRC-check, decode and validate the chunk at `offset`; the problem in words instead of throwing. */
  private tryChunk(offset: number): Chunk | string {
    if (!Number.isSafeInteger(offset) || offset < PREAMBLE_BYTES || offset + CHUNK_HEADER_BYTES > this.size)
      return `offset ${offset} is outside the file`;
    const head = this.read(offset, CHUNK_HEADER_BYTES);
    const length = head.readUInt32LE(0);
    if (offset + CHUNK_HEADER_BYTES + length > this.size) return `length ${length} runs past the end of the file`;
    const payload = this.read(offset + CHUNK_HEADER_BYTES, length);
    const crc = zlib.crc32(payload);
    if (crc !== head.readUInt32LE(4)) return `CRC mismatch (stored ${head.readUInt32LE(4).toString(16)}, computed ${crc.toString(16)})`;
    if (length === 0) return 'empty (never written)';
    return this.decode(payload);
  }

  private decode(payload: Buffer): Chunk | string {
    let obj: unknown;
    try {
      obj = unpack(payload);
    } catch (err) {
      return `does not decode (${(err as Error).message.slice(0, 200)})`;
    }
    if (!isObj(obj) || typeof obj.kind !== 'string') return 'is not a chunk (no kind)';
    const problem = this.schemaProblem(obj, payload.length);
    return problem === null ? { length: payload.length, obj } : `malformed ${obj.kind.slice(0, 20)} chunk: ${problem}`;
  }

  private schemaProblem(o: Record<string, unknown>, bytes: number): string | null {
    switch (o.kind) {
      case 'header':
        return headerProblem(o, bytes);
      case 'events':
        return eventsProblem(o, bytes);
      case 'snapshot':
        return snapshotProblem(o);
      case 'index':
        return indexProblem(o, bytes);
      case 'end':
        return endProblem(o);
      case 'tail':
        return tailProblem(o);
      case 'meta':
        return metaProblem(o);
      default:
        return `unknown chunk kind '${String(o.kind).slice(0, 20)}'`;
    }
  }

  private setHeader(obj: Record<string, unknown>): void {
    this.header = obj as LogHeader;
    const s = obj.initial as { nframes: number; swap: { nslots: number }; rmap: string };
    this.limits = { nframes: s.nframes, swapSlots: s.swap.nslots, ptOrder: rmapDesign(s.rmap).caps.ptOrder };
  }

  private damagedError(index: number, offset: number, why: string, kind?: string): LogError {
    return new LogError(
      `${this.path}: chunk ${index}${kind ? ` (${kind})` : ''} at byte offset ${offset} is damaged: ${why}`,
      index,
      offset,
    );
  }

  /** The header (chunk 0), which every log must have intact. */
  private readHeader(): void {
    const h = this.tryChunk(PREAMBLE_BYTES);
    if (typeof h === 'string') throw this.damagedError(0, PREAMBLE_BYTES, h, 'header');
    if (h.obj.kind !== 'header')
      throw new LogError(`${this.path}: chunk 0 is '${String(h.obj.kind)}', expected the header`, 0, PREAMBLE_BYTES);
    this.setHeader(h.obj);
  }

  /**
   * Open through the tail, index and end chunks; false (with a warning when they exist but
   * do not agree with each other or with the file) to fall back to a walk.
   */
  private openIndexed(): boolean {
    if (this.size < PREAMBLE_BYTES + TAIL_BYTES) return false;
    const tailAt = this.size - TAIL_BYTES;
    const tail = this.tryChunk(tailAt);
    if (typeof tail === 'string' || tail.obj.kind !== 'tail') return false; // interrupted run: no tail, walk it
    const idxAt = parseInt(String(tail.obj.index), 16);
    const endAt = parseInt(String(tail.obj.end), 16);
    const idx = this.tryChunk(idxAt);
    const end = this.tryChunk(endAt);
    const unusable = (why: string): false => {
      this.warnings.push(`${this.path}: the index is unusable (${why}); walking every chunk instead`);
      this.chunks.length = 0;
      this.events = 0;
      return false;
    };
    if (typeof idx === 'string') return unusable(`index chunk at byte offset ${idxAt}: ${idx}`);
    if (idx.obj.kind !== 'index') return unusable(`byte offset ${idxAt} holds a '${String(idx.obj.kind)}' chunk, not the index`);
    if (typeof end === 'string') return unusable(`end chunk at byte offset ${endAt}: ${end}`);
    if (end.obj.kind !== 'end') return unusable(`byte offset ${endAt} holds a '${String(end.obj.kind)}' chunk, not the end`);
    if (endAt !== idxAt + CHUNK_HEADER_BYTES + idx.length || tailAt !== endAt + CHUNK_HEADER_BYTES + end.length)
      return unusable('the index, end and tail chunks are not adjacent');
    // The entries must tile the file from the header to the index, chunk after chunk, with
    // the events numbered on without a gap and each snapshot at the event count before it.
    let at = PREAMBLE_BYTES;
    for (const [i, [code, offset, length, first, n]] of (idx.obj.entries as number[][]).entries()) {
      const kind = CHUNK_KINDS[code];
      if (offset !== at) return unusable(`entry ${i} is at byte offset ${offset}, the chunk before it ends at ${at}`);
      if ((i === 0) !== (kind === 'header')) return unusable(`entry ${i} is a ${kind} chunk`);
      if (kind === 'index' || kind === 'end' || kind === 'tail') return unusable(`entry ${i} is a ${kind} chunk`);
      at = offset + CHUNK_HEADER_BYTES + length;
      if (at > idxAt) return unusable(`entry ${i} runs past the index`);
      const info: ChunkInfo = { index: i, offset, length, kind };
      if (kind === 'events') {
        if (first !== this.events || n < 1 || n > EVENTS_PER_CHUNK)
          return unusable(`entry ${i} holds events ${first}..${first + n - 1}, expected a chunk from event ${this.events}`);
        info.first = first;
        info.n = n;
        this.events += n;
      } else if (kind === 'snapshot') {
        if (first !== this.events || n !== 0) return unusable(`entry ${i} puts a snapshot at event ${first}, expected ${this.events}`);
        info.first = first;
        info.n = 0;
      }
      this.chunks.push(info);
    }
    if (at !== idxAt) return unusable(`the entries end at byte offset ${at}, the index starts at ${idxAt}`);
    if (this.events !== (end.obj.events as number))
      return unusable(`the entries hold ${this.events} events, the end chunk says ${end.obj.events as number}`);
    this.readHeader();
    this.end = end.obj as LogEnd;
    this.stored = this.events;
    this.indexed = true;
    return true;
  }

  /**
   * Is there an intact chunk anywhere after byte `from`? A chunk whose length field runs
   * past the end of the file is a torn tail only if nothing intact follows it; otherwise
   * its length field is damaged. Found by the "kind" key every chunk starts with, then its CRC.
   */
  private intactAfter(from: number): number | null {
    const BLOCK = 1 << 20;
    for (let at = from; at < this.size; at += BLOCK) {
      const buf = this.read(at, Math.min(BLOCK + 16, this.size - at));
      for (let i = buf.indexOf(KIND_KEY); i >= 0 && i < BLOCK; i = buf.indexOf(KIND_KEY, i + 1)) {
        const chunkAt = at + i - CHUNK_HEADER_BYTES - 1;
        if (chunkAt <= from || (buf[i - 1] ?? 0) >>> 4 !== 0x8) continue;
        if (typeof this.tryChunk(chunkAt) !== 'string') return chunkAt;
      }
    }
    return null;
  }

  private scan(): void {
    let offset = PREAMBLE_BYTES;
    let damaged: { index: number; offset: number; why: string } | null = null;
    let index = 0;
    const tornTail = (why: string): void => {
      const at = damaged ?? { index, offset };
      this.warnings.push(
        `${this.path}: torn tail at chunk ${at.index} (byte offset ${at.offset}): ${why}; keeping the ${at.index} intact chunk(s) before it`,
      );
    };
    for (; offset < this.size; index++) {
      if (this.size - offset < CHUNK_HEADER_BYTES) {
        tornTail(`only ${this.size - offset} byte(s) left, a chunk header needs ${CHUNK_HEADER_BYTES}`);
        break;
      }
      const head = this.read(offset, CHUNK_HEADER_BYTES);
      const length = head.readUInt32LE(0);
      if (length > MAX_CHUNK_BYTES || offset + CHUNK_HEADER_BYTES + length > this.size) {
        const next = this.intactAfter(offset);
        if (next !== null) {
          const at = damaged ?? { index, offset, why: `length field ${length} is wrong` };
          throw this.damagedError(
            at.index,
            at.offset,
            `${at.why}; intact chunks follow (at byte offset ${next}), so this is not a torn tail`,
          );
        }
        tornTail(`chunk needs ${length} bytes, the file has ${this.size - offset - CHUNK_HEADER_BYTES}`);
        break;
      }
      const end = offset + CHUNK_HEADER_BYTES + length;
      const r = this.tryChunk(offset);
      if (typeof r === 'string') {
        if (index === 0) throw this.damagedError(0, offset, r, 'header');
        // a chunk that passed its CRC was written that way: not damage a crash could leave
        if (!DAMAGE.test(r)) throw this.damagedError(index, offset, r);
        if (damaged !== null) throw this.damagedError(damaged.index, damaged.offset, `${damaged.why}; and so is chunk ${index} after it`);
        // Judged by what follows: nothing intact (a torn tail), or a chunk that shows whether events were lost.
        damaged = { index, offset, why: r };
        this.chunks.push({ index, offset, length, kind: 'damaged' });
        offset = end;
        continue;
      }
      const obj = r.obj;
      const kind = obj.kind as string;
      if ((index === 0) !== (kind === 'header'))
        throw new LogError(
          `${this.path}: chunk ${index} at byte offset ${offset} is '${kind}', expected ${index === 0 ? 'the header' : 'no second header'}`,
          index,
          offset,
        );
      // The event count this chunk says precedes it, when it says one.
      const before =
        kind === 'events' || kind === 'snapshot'
          ? (obj[kind === 'events' ? 'first' : 'event'] as number)
          : kind === 'end'
            ? (obj.events as number)
            : kind === 'index'
              ? (obj.entries as number[][]).reduce((a, e) => a + (CHUNK_KINDS[e[0]] === 'events' ? e[4] : 0), 0)
              : null;
      if (damaged !== null) {
        if (before !== this.events) {
          throw this.damagedError(
            damaged.index,
            damaged.offset,
            `${damaged.why}; intact chunks follow it, so this is not a torn tail, and ${before === null ? `the next one (chunk ${index}, ${kind}) cannot show that no events were lost` : `it held events (chunk ${index} follows event ${before}, expected ${this.events})`}`,
          );
        }
        this.warnings.push(
          `${this.path}: chunk ${damaged.index} at byte offset ${damaged.offset} is damaged (${damaged.why}) but no events were lost (it held a snapshot or the index); ignoring it`,
        );
        damaged = null;
      } else if (before !== null && before !== this.events) {
        throw new LogError(
          `${this.path}: chunk ${index} (${kind}) at byte offset ${offset} follows event ${before}, but the chunks before it hold ${this.events}`,
          index,
          offset,
        );
      }
      const info: ChunkInfo = { index, offset, length, kind };
      if (kind === 'header') this.setHeader(obj);
      else if (kind === 'events') {
        info.first = obj.first as number;
        info.n = obj.n as number;
        this.events += info.n;
      } else if (kind === 'snapshot') {
        info.first = obj.event as number;
        info.n = 0;
      } else if (kind === 'end') this.end = obj as LogEnd;
      this.chunks.push(info);
      offset = end;
    }
    if (damaged !== null) tornTail(`${damaged.why}, and nothing intact follows it`);
    if (this.header === undefined) throw new LogError(`${this.path}: no intact header chunk`, 0, PREAMBLE_BYTES);
    this.stored = this.events;
  }

  /**
   * A log without its end chunk: keep the events before its last `op` event, the last
   * operation boundary (the operation it starts may be cut short).
   */
  private cutAtLastBoundary(): void {
    const chunks = this.chunks.filter((c) => c.kind === 'events');
    let cut = 0;
    for (let k = chunks.length - 1; k >= 0; k--) {
      const evs = this.decodeChunkEvents(chunks[k]);
      let j = evs.length - 1;
      while (j >= 0 && evs[j].t !== 'op') j--;
      if (j >= 0) {
        cut = (chunks[k].first ?? 0) + j;
        break;
      }
    }
    this.events = cut;
    if (this.warnings.every((w) => !w.includes('torn tail'))) {
      this.warnings.push(`${this.path}: the log has no end chunk (the run was interrupted or the file was cut)`);
    }
    this.warnings.push(
      `${this.path}: reading ${thousands(cut)} of its ${thousands(this.stored)} event(s), up to its last operation boundary`,
    );
  }

  /** Decode one chunk's payload, verifying its CRC and its schema (an indexed open has not read it yet), and that it is the chunk `info` says. */
  chunk(info: ChunkInfo): Record<string, unknown> {
    const r = this.tryChunk(info.offset);
    if (typeof r === 'string') throw this.damagedError(info.index, info.offset, r, info.kind);
    const o = r.obj;
    const found =
      o.kind !== info.kind
        ? `a ${String(o.kind)} chunk`
        : r.length !== info.length
          ? `${r.length} bytes`
          : o.kind === 'events' && (o.first !== info.first || o.n !== info.n)
            ? `events ${o.first as number}..${(o.first as number) + (o.n as number) - 1}`
            : o.kind === 'snapshot' && o.event !== info.first
              ? `a snapshot at event ${o.event as number}`
              : null;
    if (found !== null) {
      const expected =
        info.kind === 'events'
          ? `events ${info.first}..${(info.first ?? 0) + (info.n ?? 0) - 1}`
          : info.kind === 'snapshot'
            ? `a snapshot at event ${info.first}`
            : `a ${info.kind} chunk`;
      throw new LogError(
        `${this.path}: chunk ${info.index} at byte offset ${info.offset} holds ${found}, but the ${this.indexed ? 'index' : 'walk'} found ${expected} there (chunks swapped or a bad index entry)`,
        info.index,
        info.offset,
      );
    }
    return o;
  }

  /** The events of one events chunk (all of them, range-checked; cut at `events` for a log without its end). */
  decodeChunkEvents(info: ChunkInfo): Event[] {
    const obj = this.chunk(info);
    let events: Event[];
    try {
      events = decodeCheckedEvents(obj.ev as unknown[], this.limits, info.n ?? 0);
    } catch (err) {
      if (err instanceof EventDecodeError) {
        throw new LogError(`${this.path}: chunk ${info.index} at byte offset ${info.offset}: ${err.message}`, info.index, info.offset);
      }
      throw err;
    }
    if (events.length !== info.n) {
      throw new LogError(
        `${this.path}: chunk ${info.index} at byte offset ${info.offset} declares ${info.n} events and holds ${events.length}`,
        info.index,
        info.offset,
      );
    }
    const keep = this.end === null && this.events < this.stored ? this.events - (info.first ?? 0) : events.length;
    return keep < events.length ? events.slice(0, Math.max(0, keep)) : events;
  }

  /** Events chunk by chunk, in order, each chunk read and verified once. */
  *eventChunks(from = 0): Generator<{ info: ChunkInfo; events: Event[] }> {
    for (const info of this.chunks) {
      if (info.kind !== 'events' || (info.first ?? 0) + (info.n ?? 0) <= from || (info.first ?? 0) >= this.events) continue;
      yield { info, events: this.decodeChunkEvents(info) };
    }
  }
}
