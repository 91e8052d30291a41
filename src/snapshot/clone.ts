import { Packr } from 'msgpackr';
import type { State } from '../state.js';

const packr = new Packr({ useRecords: false, variableMapSize: true });

/** A deep, unshared copy of a state (plain data, so structuredClone is exact). */
export function cloneState(s: State): State {
  return structuredClone(s);
}

/** The same copy through msgpack: about twice as fast as structuredClone on a mem_map. */
export function copyState(s: State): State {
  return packr.unpack(packr.pack(s)) as State;
}
