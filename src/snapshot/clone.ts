import type { State } from '../state.js';

/** A deep, unshared copy of a state (plain data, so structuredClone is exact). */
export function cloneState(s: State): State {
  return structuredClone(s);
}
