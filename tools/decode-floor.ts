// The decode-only floor of a replay, as a whole process: read the log, CRC-check every
// chunk, decode it, and decode every event into its integers, with nothing applied and no
// validation. `mmsim replay` does this and more (range checks, event objects, the reducer),
// so its time over this one is what replaying costs beyond reading the log at all.
// Usage: node dist/tools/decode-floor.js LOG   (npm run bench:replay runs it)

import { readFileSync } from 'node:fs';
import { unpack } from 'msgpackr';
import { zlib } from '../src/log/zlib.js';
import { CHUNK_HEADER_BYTES, PREAMBLE_BYTES } from '../src/log/format.js';

const path = process.argv[2];
if (path === undefined) {
  process.stderr.write('usage: node dist/tools/decode-floor.js LOG\n');
  process.exit(2);
}
const buf = readFileSync(path);
let events = 0;
let sum = 0;
for (let at = PREAMBLE_BYTES; at + CHUNK_HEADER_BYTES <= buf.length; ) {
  const length = buf.readUInt32LE(at);
  const payload = buf.subarray(at + CHUNK_HEADER_BYTES, at + CHUNK_HEADER_BYTES + length);
  if (zlib.crc32(payload) !== buf.readUInt32LE(at + 4)) throw new Error(`CRC mismatch at byte offset ${at}`);
  const chunk = unpack(payload) as { kind: string; n?: number; ev?: ArrayLike<number> };
  if (chunk.kind === 'events' && chunk.ev !== undefined) {
    const ev = chunk.ev;
    for (let i = 0; i < ev.length; i++) sum += ev[i];
    events += chunk.n ?? 0;
  }
  at += CHUNK_HEADER_BYTES + length;
}
process.stdout.write(`${events} events decoded (checksum ${sum % 1000003})\n`);
