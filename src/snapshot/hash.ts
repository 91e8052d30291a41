// State hash: SHA-256 of the canonical msgpack encoding. The state is plain data whose
// key order follows from the events alone, so the encoding is canonical without sorting.

import { createHash } from 'node:crypto';
import { Packr } from 'msgpackr';
import type { State } from '../state.js';

const packr = new Packr({ useRecords: false, variableMapSize: true });

export function encodeState(s: State): Buffer {
  return packr.pack(s);
}

export function stateHash(s: State): string {
  return createHash('sha256').update(encodeState(s)).digest('hex');
}
