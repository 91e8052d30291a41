// A run log as a timeline: the state at any position (the number of events applied) is
// the nearest snapshot at or before it plus a replay of at most one snapshot interval.
// A damaged snapshot is skipped for the one before it, with a warning. The last state
// reached is kept, so stepping forward costs one event.
//
// Engines: 'direct' (the default) replays on a private copy that it mutates; 'immer'
// replays through Immer (one produce around each stretch of events), so every state it
// hands out is an immutable value. With a window of W (the debugger and the viewer), the
// last W states reached are kept as immutable values: a step of at most W events forward
// is one Immer produce per event from the nearest kept state before it (structure shared,
// nothing copied), and going back to a kept state costs no replay at all.

import { createHash } from 'node:crypto';
import { unpack } from 'msgpackr';
import { apply, ReducerError } from '../reducer/index.js';
import { applyEvents, applyOne, type EngineName } from '../event-store.js';
import { copyState } from '../snapshot/copy.js';
import type { Event } from '../events.js';
import type { State } from '../state.js';
import type { ChunkInfo, LogReader } from '../log/reader.js';
import { LogError } from '../log/format.js';
import { malformed } from '../log/replay.js';
import { stateShapeProblem } from '../log/state-shape.js';
import type { RunConfig } from '../run-config.js';

export class SeekRangeError extends LogError {}

export interface SnapshotPoint {
  event: number;
  info: ChunkInfo | null;
}

export interface TimelineOptions {
  /** How events are applied (default 'direct'). */
  engine?: EngineName;
  /** Keep the last this many states reached as immutable values (default 0: only the current one). */
  window?: number;
}

export class Timeline {
  readonly points: SnapshotPoint[];
  private readonly eventChunks: ChunkInfo[];
  private cache: { info: ChunkInfo; events: Event[] }[] = [];
  /** `owned`: a private copy no one else holds, which the direct engine may mutate. */
  private cur: { pos: number; s: State; owned: boolean } | null = null;
  /** Snapshots found damaged, by event: never retried. */
  private readonly bad = new Set<number>();
  readonly maxGap: number;
  readonly engine: EngineName;
  readonly windowSize: number;
  /** Kept states by position, oldest first (Map order): immutable values, never mutated. */
  private readonly kept = new Map<number, State>();
  /** Replays done from a snapshot or the initial state (tests: a step back inside the window does none). */
  reloads = 0;
  /** Called with the number of events read, a chunk's worth at a time (a command's progress line). */
  onRead: ((events: number) => void) | null = null;

  constructor(
    readonly log: LogReader,
    private readonly warn: (m: string) => void = () => {},
    opts: TimelineOptions = {},
  ) {
    this.engine = opts.engine ?? 'direct';
    this.windowSize = opts.window ?? 0;
    this.points = [{ event: 0, info: null }, ...log.snapshots.map((info) => ({ event: info.first ?? 0, info }))];
    this.eventChunks = log.chunks.filter((c) => c.kind === 'events');
    let gap = 0;
    for (let i = 0; i < this.points.length; i++) gap = Math.max(gap, (this.points[i + 1]?.event ?? log.events) - this.points[i].event);
    this.maxGap = gap;
  }

  get events(): number {
    return this.log.events;
  }

  get config(): RunConfig {
    return this.log.header.config as unknown as RunConfig;
  }

  /** Throws a usage-grade error naming `n` and the allowed range when it is not an event index. */
  checkEvent(n: number, what = 'event'): void {
    if (!Number.isInteger(n) || n < 0 || n >= this.events) {
      throw new SeekRangeError(`${what} ${n} is out of range: this log has ${this.events} events, numbered 0..${this.events - 1}`);
    }
  }

  /** The state stored by snapshot point `i` (a fresh private copy), or null when it is damaged. */
  loadPoint(i: number): State | null {
    const p = this.points[i];
    if (p.info === null) return copyState(this.log.header.initial as State);
    if (this.bad.has(p.event)) return null;
    try {
      const obj = this.log.chunk(p.info);
      const bytes = obj.state as Uint8Array;
      const hash = createHash('sha256').update(bytes).digest('hex');
      if (hash !== obj.hash) throw new Error(`state hash ${hash.slice(0, 12)}… differs from the stored ${String(obj.hash).slice(0, 12)}…`);
      const state: unknown = unpack(bytes);
      // the hash only proves the bytes are what was hashed: the state must also be one this machine can have
      const shape = stateShapeProblem(state as Record<string, unknown>, this.log.header.initial as State);
      if (shape !== null) throw new Error(`its state is malformed: ${shape}`);
      return state as State;
    } catch (err) {
      this.bad.add(p.event);
      const prev = this.points[i - 1]?.event ?? 0;
      this.warn(
        `snapshot at event ${p.event} (chunk ${p.info.index}, byte offset ${p.info.offset}) is damaged: ${(err as Error).message}; falling back to the snapshot at event ${prev}`,
      );
      return null;
    }
  }

  /** Index of the last snapshot point at or before position `pos`. */
  pointBefore(pos: number): number {
    let lo = 0,
      hi = this.points.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.points[mid].event <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The decoded events chunk holding event `i` (a few chunks are cached). */
  private chunkOf(i: number): { info: ChunkInfo; events: Event[] } {
    for (const c of this.cache) if (i >= (c.info.first ?? 0) && i < (c.info.first ?? 0) + c.events.length) return c;
    let lo = 0,
      hi = this.eventChunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.eventChunks[mid].first ?? 0) <= i) lo = mid;
      else hi = mid - 1;
    }
    const info = this.eventChunks[lo];
    const c = { info, events: this.log.decodeChunkEvents(info) };
    this.cache.push(c);
    if (this.cache.length > 4) this.cache.shift();
    return c;
  }

  event(i: number): Event {
    this.checkEvent(i);
    const c = this.chunkOf(i);
    return c.events[i - (c.info.first ?? 0)];
  }

  /** Events [a, b) with their indices. */
  *range(a: number, b: number): Generator<[number, Event]> {
    for (let i = Math.max(0, a); i < Math.min(b, this.events); ) {
      const c = this.chunkOf(i);
      const first = c.info.first ?? 0;
      const end = Math.min(b, first + c.events.length);
      // the reader checks that chunks hold the events the index says; never loop on one that does not
      if (end <= i) throw new LogError(`${this.log.path}: no events chunk holds event ${i}`, c.info.index, c.info.offset);
      const from = i;
      for (; i < end; i++) yield [i, c.events[i - first]];
      this.onRead?.(end - from);
    }
  }

  /**
   * The state after `pos` events (0 = the initial state, `events` = the end). The result
   * is the timeline's own: read it, or copy it before the next call.
   */
  at(pos: number, opts: { keep?: boolean } = {}): State {
    if (!Number.isInteger(pos) || pos < 0 || pos > this.events) {
      throw new SeekRangeError(`position ${pos} is out of range: 0..${this.events} events applied`);
    }
    const kept = this.kept.get(pos);
    if (kept !== undefined) {
      this.cur = { pos, s: kept, owned: false };
      return kept;
    }
    // `keep: false` (a debugger run that reads every state on its way): no state kept, none
    // made by Immer per event, which costs ~100x a direct step
    const keep = this.windowSize > 0 && opts.keep !== false;
    this.startNear(pos);
    const cur = this.cur as { pos: number; s: State; owned: boolean };
    try {
      if (keep && pos - cur.pos <= this.windowSize) {
        // one Immer produce per event, each state kept: stepping back to any of them is free
        for (const [i, e] of this.range(cur.pos, pos)) {
          cur.s = this.applying(i, () => applyOne(cur.s, e));
          cur.pos = i + 1;
          cur.owned = false;
          this.keep(cur.pos, cur.s);
        }
      } else if (this.engine === 'immer') {
        const events = this.range(cur.pos, pos);
        let i = cur.pos;
        cur.s = this.applying(
          () => i,
          () =>
            applyEvents(
              cur.s,
              (function* () {
                for (const [j, e] of events) {
                  i = j;
                  yield e;
                }
              })(),
            ),
        );
        cur.owned = false;
      } else {
        // the direct engine mutates only a copy of its own, never a state it handed out and kept
        if (!cur.owned) {
          cur.s = copyState(cur.s);
          cur.owned = true;
        }
        let i = cur.pos;
        this.applying(
          () => i,
          () => {
            for (const [j, e] of this.range(cur.pos, pos)) {
              i = j;
              apply(cur.s, e);
            }
          },
        );
      }
    } catch (err) {
      this.cur = null; // half applied
      throw err;
    }
    cur.pos = pos;
    if (keep) {
      cur.owned = false;
      this.keep(pos, cur.s);
    }
    return cur.s;
  }

  /** Make `cur` the nearest start for `pos`: the current state, a kept one, or a snapshot. */
  private startNear(pos: number): void {
    let p = this.pointBefore(pos);
    let best = this.cur !== null && this.cur.pos <= pos ? this.cur.pos : -1;
    let bestKept: State | null = null;
    if (best >= 0 && pos - best <= this.windowSize) {
      // kept states between the current one and `pos`: look at those positions only
      for (let k = pos; k > best && bestKept === null; k--) {
        const st = this.kept.get(k);
        if (st !== undefined) {
          best = k;
          bestKept = st;
        }
      }
    } else {
      for (const [k, st] of this.kept) {
        if (k <= pos && k > best) {
          best = k;
          bestKept = st;
        }
      }
    }
    if (bestKept !== null) this.cur = { pos: best, s: bestKept, owned: false };
    if (best >= 0 && best >= this.points[p].event) return;
    let s: State | null = null;
    for (; p >= 0 && (s = this.loadPoint(p)) === null; p--);
    this.reloads++;
    this.cur = { pos: this.points[p].event, s: s as State, owned: true };
  }

  private keep(pos: number, s: State): void {
    this.kept.delete(pos);
    this.kept.set(pos, s);
    if (this.kept.size > this.windowSize) this.kept.delete(this.kept.keys().next().value as number);
  }

  /** Run `fn`, which applies events from `index()` on: a reducer error names that event as a malformed log. */
  private applying<T>(index: number | (() => number), fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (!(err instanceof ReducerError)) throw err;
      const i = typeof index === 'number' ? index : index();
      const c = this.chunkOf(i);
      return malformed(this.log, c.info, i - (c.info.first ?? 0), c.events[i - (c.info.first ?? 0)], err);
    }
  }

  /**
   * How many events at(pos) applies: from the position reached last (`cur`, null for none)
   * when that is on the way, else from the snapshot before `pos`. The same choice as at()
   * makes (ignoring damaged snapshots), so that a progress line knows its total.
   */
  replayCost(pos: number, cur: number | null = this.cur?.pos ?? null): number {
    const point = this.points[this.pointBefore(pos)].event;
    return cur === null || cur > pos || pos - cur > pos - point ? pos - point : pos - cur;
  }

  /** Apply event `i` (`e`) to a state of the caller's: a reducer error names the event, as a malformed log. */
  apply(s: State, e: Event, i: number): void {
    this.applying(i, () => apply(s, e));
  }

  /**
   * Event `i` (`e`) applied to `s` by the timeline's engine: direct mutates `s` (a private
   * copy of the caller's) and returns it; immer returns a new immutable state and leaves `s`.
   */
  step(s: State, e: Event, i: number): State {
    if (this.engine === 'direct') {
      this.apply(s, e, i);
      return s;
    }
    return this.applying(i, () => applyOne(s, e));
  }

  /** A private copy of the state after `pos` events, safe to keep across calls. */
  copyAt(pos: number): State {
    return copyState(this.at(pos));
  }
}
