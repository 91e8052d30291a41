// A deep copy of a state through msgpack, for the callers that copy states often (time
// travel, bisect, shrink). In a module of its own, apart from cloneState, so that the event
// store (and with it every trace run) does not load msgpackr.

import { Packr } from 'msgpackr';
import type { State } from '../state.js';

const packr = new Packr({ useRecords: false, variableMapSize: true });

/** The same copy as cloneState, through msgpack: about twice as fast as structuredClone on a mem_map. */
export function copyState(s: State): State {
  return packr.unpack(packr.pack(s)) as State;
}
