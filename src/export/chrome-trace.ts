// Export a run to the Chrome trace-event format (JSON), which Perfetto (ui.perfetto.dev)
// and chrome://tracing open: every kernel operation becomes a slice on a track per
// process (kswapd has its own), placed on the simulated clock, with the events inside it
// counted in its arguments; counters follow free memory, swap in use and the clock hand.
// Written line by line, so a long run never sits in memory as one JSON value.

import { FAULT_KINDS, OP, OP_KINDS, type Event } from '../events.js';
import { apply } from '../reducer/index.js';
import { EventStore, type EngineName } from '../event-store.js';
import type { State } from '../state.js';

export interface ChromeTraceOptions {
  /** First and last event index to export (inclusive); events before `from` are applied but not shown. */
  from?: number;
  to?: number;
  /** Emit counters every this many operations (1 = after every operation). */
  counterEvery?: number;
  /** How events are applied (default 'direct'). */
  engine?: EngineName;
}

const KSWAPD_TID = 0;
const PID = 1;

interface OpenOp {
  kind: number;
  mm: number;
  addr: number;
  start: number;
  first: number;
  counts: Record<string, number>;
  fault: string | null;
}

/**
 * Apply `events` to `initial` (mutated by the direct engine: pass a private copy; with
 * `engine: 'immer'` each operation's events are committed as an immutable state, which is
 * what the trace reads) and write the trace through `out`, one JSON value per call, in the
 * order they belong in the trace's array.
 */
export function writeChromeTrace(
  initial: State,
  events: Iterable<Event>,
  out: (json: string) => void,
  opts: ChromeTraceOptions = {},
): { slices: number; counters: number } {
  const store = opts.engine === 'immer' ? new EventStore(initial, 'immer') : null;
  let s = initial;
  /** The state after every event so far (Immer commits the operation's batch). */
  const now = (): State => (store === null ? initial : store.commit());
  const from = opts.from ?? 0,
    to = opts.to ?? Number.MAX_SAFE_INTEGER,
    every = opts.counterEvery ?? 1;
  const threads = new Set<number>();
  let open: OpenOp | null = null;
  let index = -1,
    slices = 0,
    counters = 0,
    ops = 0;
  const thread = (tid: number, name: string): void => {
    if (threads.has(tid)) return;
    threads.add(tid);
    out(JSON.stringify({ ph: 'M', name: 'thread_name', pid: PID, tid, args: { name } }));
  };
  out(JSON.stringify({ ph: 'M', name: 'process_name', pid: PID, args: { name: 'mmsim kernel (simulated time)' } }));
  const close = (): void => {
    if (open === null) return;
    const o = open;
    open = null;
    if (index < from) return;
    const kind = OP_KINDS[o.kind] ?? `op${o.kind}`;
    const tid = o.kind === OP.kswapd ? KSWAPD_TID : Math.max(1, o.mm + 1);
    thread(tid, o.kind === OP.kswapd ? 'kswapd' : `mm ${o.mm}`);
    const name = o.fault !== null ? `fault (${o.fault})` : kind;
    out(
      JSON.stringify({
        ph: 'X',
        name,
        cat: kind,
        pid: PID,
        tid,
        ts: o.start,
        dur: s.time - o.start,
        args: { first_event: o.first, last_event: index, mm: o.mm, addr: '0x' + o.addr.toString(16), events: o.counts },
      }),
    );
    slices++;
    if (++ops % every === 0) {
      out(JSON.stringify({ ph: 'C', name: 'memory (pages)', pid: PID, ts: s.time, args: { free: s.nrFree, swap_used: s.swap.used } }));
      out(JSON.stringify({ ph: 'C', name: 'clock hand', pid: PID, ts: s.time, args: { pfn: s.hand } }));
      counters += 2;
    }
  };
  for (const e of events) {
    if (index + 1 > to) break;
    if (e.t === 'op') {
      s = now();
      close();
    }
    if (store === null) apply(initial, e);
    else store.emit(e);
    index++;
    if (e.t === 'op') s = now();
    if (e.t === 'op') open = { kind: e.kind, mm: e.mm, addr: e.addr, start: s.time, first: index, counts: {}, fault: null };
    else if (open !== null && e.t !== 'hw_access') {
      // hw_access is the MMU between operations, not part of the one before it
      open.counts[e.t] = (open.counts[e.t] ?? 0) + 1;
      if (e.t === 'fault') open.fault = FAULT_KINDS[e.kind] ?? null;
      // a process started from nothing has no mm until its exec creates one: draw it there
      if (e.t === 'mm_create' && open.kind === OP.exec) open.mm = e.mm;
    }
  }
  s = now();
  close();
  return { slices, counters };
}
