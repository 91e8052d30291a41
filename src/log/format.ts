// The run log (.mmlog) on disk:
//
//   magic "MMSIMLOG" (8 bytes) | u32 LE format version
//   chunk*  where chunk = u32 LE payload length | u32 LE crc32(payload) | payload (msgpack)
//
// The first chunk is the header {kind:'header', config, initial (state), ...}; then
// {kind:'events', first, n, ev} chunks whose `ev` is the flat integer encoding of n events
// (see events.ts); every SNAPSHOT_EVERY events a {kind:'snapshot', event, hash, state}
// chunk (state = msgpack bytes of the state after `event` events; hash = their SHA-256).
// A cleanly closed log ends with {kind:'index', entries} (one entry per earlier chunk),
// {kind:'end', events, hash, report, injected?} and a fixed-size {kind:'tail', index, end}
// chunk whose offsets let a reader find the index from the end of the file without
// reading the events. Every chunk decodes alone. The file is only ever appended to, so a crash leaves a
// readable prefix; msgpack has no integrity check of its own, hence the CRC.

export const MAGIC = Buffer.from('MMSIMLOG', 'latin1');
/** 2: snapshot, index and tail chunks (version 1 logs have none and are rejected). */
export const FORMAT_VERSION = 2;
export const PREAMBLE_BYTES = MAGIC.length + 4;
export const CHUNK_HEADER_BYTES = 8;
/** Events per events chunk. */
export const EVENTS_PER_CHUNK = 8192;
/** Larger lengths are damage, not data. */
export const MAX_CHUNK_BYTES = 1 << 30;

export class LogError extends Error {
  constructor(
    message: string,
    readonly chunk?: number,
    readonly offset?: number,
  ) {
    super(message);
  }
}

/** A log that lost its end chunk, reported over its intact prefix: the answer is incomplete (exit 2). */
export class TruncatedLogError extends LogError {}

/** Offsets in the tail chunk are 16 hex digits so that the tail has a fixed size. */
export const TAIL_DIGITS = 16;
export const tailOffset = (n: number): string => n.toString(16).padStart(TAIL_DIGITS, '0');

/** Chunk kinds in index entries, by code. */
export const CHUNK_KINDS = ['header', 'events', 'snapshot', 'index', 'end', 'tail'] as const;
