import type { State } from '../state.js';

/** A deep, unshared copy of a state (plain data, so structuredClone is exact). copy.ts has a faster one through msgpack. */
export function cloneState(s: State): State {
  return structuredClone(s);
}
