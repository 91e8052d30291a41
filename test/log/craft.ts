// Taking a run log apart and putting it back together with valid CRCs: the crafted logs
// of the corruption tests (a chunk's fields changed, chunks swapped, the index rewritten
// to match), which the CRC alone cannot catch.

import { unpack } from 'msgpackr';
import { CHUNK_HEADER_BYTES, CHUNK_KINDS, MAGIC, PREAMBLE_BYTES, tailOffset } from '../../src/log/format.js';
import { frameChunk, packr } from '../../src/log/writer.js';

export type ChunkObj = Record<string, unknown>;

/** The decoded chunks of an intact log, in file order. */
export function chunksOf(buf: Buffer): ChunkObj[] {
  const out: ChunkObj[] = [];
  for (let at = PREAMBLE_BYTES; at < buf.length; ) {
    const len = buf.readUInt32LE(at);
    out.push(unpack(buf.subarray(at + CHUNK_HEADER_BYTES, at + CHUNK_HEADER_BYTES + len)) as ChunkObj);
    at += CHUNK_HEADER_BYTES + len;
  }
  return out;
}

/** Byte offsets of an intact log's chunks, in file order. */
export function offsetsOf(buf: Buffer): number[] {
  const out: number[] = [];
  for (let at = PREAMBLE_BYTES; at < buf.length; at += CHUNK_HEADER_BYTES + buf.readUInt32LE(at)) out.push(at);
  return out;
}

/**
 * A log of these chunks, each framed with a valid CRC. With `reindex`, the index, end and
 * tail chunks (when present) are rewritten to describe the chunks as they now lie, so
 * that the reader's layout checks pass and only the chunks' contents can give them away.
 */
export function buildLog(chunks: ChunkObj[], reindex = true): Buffer {
  let events = 0;
  const pre = Buffer.alloc(PREAMBLE_BYTES);
  MAGIC.copy(pre, 0);
  pre.writeUInt32LE(2, MAGIC.length);
  const parts: Buffer[] = [pre];
  let at = PREAMBLE_BYTES;
  const entries: number[][] = [];
  let indexAt = 0,
    endAt = 0;
  for (const c of chunks) {
    let obj = c;
    if (reindex && c.kind === 'index') {
      obj = { ...c, entries: entries.slice() };
      indexAt = at;
    }
    if (reindex && c.kind === 'end') endAt = at;
    if (reindex && c.kind === 'tail') obj = { kind: 'tail', index: tailOffset(indexAt), end: tailOffset(endAt) };
    const payload = packr.pack(obj);
    const framed = frameChunk(payload);
    const kind = CHUNK_KINDS.indexOf(obj.kind as (typeof CHUNK_KINDS)[number]);
    // numbered by position, as a writer would have: a chunk that holds other events is not given away by the index
    const n = obj.kind === 'events' ? (obj.n as number) : 0;
    const first = obj.kind === 'events' || obj.kind === 'snapshot' ? events : 0;
    events += typeof n === 'number' ? n : 0;
    if (obj.kind !== 'index' && obj.kind !== 'end' && obj.kind !== 'tail') entries.push([kind, at, payload.length, first, n]);
    parts.push(framed);
    at += framed.length;
  }
  return Buffer.concat(parts);
}
