import * as nodeZlib from 'node:zlib';

// zlib.crc32 arrived in Node 20.15; older 20.x lacks it, so fail with a clear message.
const crc32 = (nodeZlib as unknown as { crc32?: (d: Uint8Array, v?: number) => number }).crc32;
if (crc32 === undefined) throw new Error(`mmsim needs Node >= 20.15 (zlib.crc32); this is ${process.version}`);

export const zlib = { crc32 };
