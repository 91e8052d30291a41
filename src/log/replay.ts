// Replay: fold the reducer over a log from the initial state in its header. Needs no RNG
// and no kernel code.

import { applyEvents, type EngineName } from '../event-store.js';
import { apply } from '../reducer/index.js';
import '../designs/registry.js';
import { cloneState } from '../snapshot/clone.js';
import type { State } from '../state.js';
import type { LogReader } from './reader.js';
import { LogError } from './format.js';
import { ReducerError } from '../reducer/index.js';
import { formatEvent, type Event } from '../events.js';
import type { ChunkInfo } from './reader.js';

/** A reducer error on a logged event is a malformed log: name the event, its index and chunk. */
export function malformed(log: LogReader, info: ChunkInfo, i: number, e: Event, err: unknown): never {
  if (err instanceof ReducerError) {
    throw new LogError(
      `${log.path}: event ${(info.first ?? 0) + i} (${formatEvent(e)}) in chunk ${info.index} at byte offset ${info.offset} cannot be applied: ${err.message}`,
      info.index,
      info.offset,
    );
  }
  throw err;
}

/**
 * Run `fn`, which applies events read from `log` (a check, an export, a bisect): a
 * ReducerError there means the log is malformed (exit 2), not that the kernel has a bug.
 */
export function applyingLog<T>(log: LogReader, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ReducerError) {
      throw new LogError(`${log.path}: a logged event cannot be applied to the state before it: ${err.message} (the log is malformed)`);
    }
    throw err;
  }
}

export function replayLog(log: LogReader, engine: EngineName = 'direct', onProgress?: (events: number) => void): State {
  let s = log.header.initial as State;
  if (engine === 'direct') {
    s = cloneState(s);
    for (const { info, events } of log.eventChunks()) {
      let i = 0;
      try {
        for (; i < events.length; i++) apply(s, events[i]);
      } catch (err) {
        malformed(log, info, i, events[i], err);
      }
      onProgress?.((info.first ?? 0) + events.length);
    }
    return s;
  }
  for (const { info, events } of log.eventChunks()) {
    try {
      s = applyEvents(s, events);
    } catch (err) {
      malformed(log, info, 0, events[0], err);
    }
    onProgress?.((info.first ?? 0) + events.length);
  }
  return s;
}
