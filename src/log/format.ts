// The run log (.mmlog) on disk:
//
//   magic "MMSIMLOG" (8 bytes) | u32 LE format version
//   chunk*  where chunk = u32 LE payload length | u32 LE crc32(payload) | payload (msgpack)
//
// The first chunk is the header {kind:'header', config, initial (state), ...}; then
// {kind:'events', first, n, ev} chunks whose `ev` is the flat integer encoding of n events
// (see events.ts); a cleanly closed log ends with {kind:'end', events, hash, stats}.
// Every chunk decodes alone. The file is only ever appended to, so a crash leaves a
// readable prefix; msgpack has no integrity check of its own, hence the CRC.

export const MAGIC = Buffer.from('MMSIMLOG', 'latin1');
export const FORMAT_VERSION = 1;
export const PREAMBLE_BYTES = MAGIC.length + 4;
export const CHUNK_HEADER_BYTES = 8;
/** Events per events chunk. */
export const EVENTS_PER_CHUNK = 8192;
/** Larger lengths are damage, not data. */
export const MAX_CHUNK_BYTES = 1 << 30;

export class LogError extends Error {
  constructor(message: string, readonly chunk?: number, readonly offset?: number) {
    super(message);
  }
}
