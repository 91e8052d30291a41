// Replay: fold the reducer over a log from the initial state in its header. Needs no RNG
// and no kernel code.

import { applyEvents, type EngineName } from '../machine.js';
import { apply } from '../reducer/index.js';
import { cloneState } from '../snapshot/clone.js';
import type { State } from '../state.js';
import type { LogReader } from './reader.js';

export function replayLog(log: LogReader, engine: EngineName = 'direct', onProgress?: (events: number) => void): State {
  let s = log.header.initial as State;
  if (engine === 'direct') {
    s = cloneState(s);
    for (const { info, events } of log.eventChunks()) {
      for (let i = 0; i < events.length; i++) apply(s, events[i]);
      onProgress?.((info.first ?? 0) + events.length);
    }
    return s;
  }
  for (const { info, events } of log.eventChunks()) {
    s = applyEvents(s, events);
    onProgress?.((info.first ?? 0) + events.length);
  }
  return s;
}
