// Decoding an events chunk with every field range-checked against the machine the log's
// header describes, before any reducer sees it. A crafted or damaged chunk that passes its
// CRC must still not index past mem_map, grow a sparse array to 4 GB (a fault `kind` of
// 2^32-2 did), or name a pte outside physical memory: such a chunk is malformed input.
// What only the state can tell (an mm that does not exist yet, a pte whose table is not
// allocated) stays the reducer's to reject; see replay.ts for how that becomes exit 2.

import { EVENT_FIELDS, EVENT_TYPES, EventDecodeError, FAULT_KINDS, OP_KINDS, type Event, type EventType } from '../events.js';
import { NR_MEM_LISTS } from '../state.js';

/** --cpus' limit (src/run-config.ts MAX_CPUS, not imported: the log reader stays below the run configuration). */
const MAX_CPUS = 16;

/** What the header says about the machine: the bounds of every field. */
export interface EventLimits {
  nframes: number;
  swapSlots: number;
  /** Order of a page-table block (1: pte and link pages, pte-chain). */
  ptOrder: number;
}

const U32 = 0x1_0000_0000;
/** mm ids are handed out one by one; far above any run's count, still a small integer. */
export const MAX_MM = 0x7fff_ffff;
/** 2.4.0's three page lists (active, inactive_dirty, inactive_clean). */
const LRU_LISTS = 3;

// Field kinds. Each names its allowed range in errors.
const enum K {
  Pfn,
  PtPfn,
  Order,
  Entry,
  Mm,
  MmOrNone,
  Pte,
  U32,
  /** an address that may be the end of the address space (a vma's end) */
  End,
  Bool,
  OpKind,
  FaultKind,
  List,
  Hand,
  PgdIndex,
  /** a CPU number (--cpus is at most 16; the reducer checks it against the run's CPUs) */
  Cpu,
}
const K_COUNT = K.Cpu + 1;

const KINDS: Record<EventType, readonly K[]> = {
  op: [K.OpKind, K.MmOrNone, K.U32],
  tick: [K.U32],
  mm_create: [K.Mm, K.Pfn, K.MmOrNone],
  mm_destroy: [K.Mm],
  vma_add: [K.Mm, K.U32, K.End, K.U32, K.U32, K.U32, K.U32],
  vma_remove: [K.Mm, K.U32],
  page_alloc: [K.Pfn, K.Order, K.Order],
  page_free: [K.Pfn, K.Order, K.Bool],
  get_page: [K.Pfn],
  put_page: [K.Pfn],
  page_flags: [K.Pfn, K.U32, K.U32],
  page_age: [K.Pfn, K.U32],
  pt_alloc: [K.PtPfn, K.Mm, K.PgdIndex],
  pt_free: [K.PtPfn],
  pte_set: [K.Pte, K.U32],
  pte_clear: [K.Pte],
  pte_mkold: [K.Pte],
  hw_access: [K.Pte, K.Bool],
  pte_link: [K.Pte, K.Pfn],
  pte_unlink: [K.Pte, K.Pfn],
  clock_advance: [K.Hand, K.U32],
  swap_out: [K.Pfn, K.Entry, K.U32],
  swap_in: [K.Pfn, K.Entry],
  swap_dup: [K.Entry],
  swap_free: [K.Entry],
  swap_cache_add: [K.Pfn, K.Entry],
  swap_cache_del: [K.Pfn],
  page_cache_add: [K.Pfn, K.U32, K.U32],
  page_cache_del: [K.Pfn],
  writepage: [K.Pfn],
  fault: [K.Mm, K.U32, K.Bool, K.FaultKind],
  swap_skip: [K.U32],
  swap_cnt: [K.Mm, K.U32],
  swap_address: [K.Mm, K.U32],
  swap_scan: [K.Mm, K.U32, K.Pfn, K.U32],
  free_state: [K.U32],
  lru_add: [K.Pfn, K.List],
  lru_move: [K.Pfn, K.List],
  lru_del: [K.Pfn],
  lru_scan: [K.Pfn, K.U32],
  page_copy: [K.Pfn, K.Pfn],
  steal: [K.Pfn, K.Order, K.Bool],
  rmap_walk: [K.Pfn, K.U32],
  anon_vma_prepare: [K.U32, K.Mm, K.U32],
  anon_vma_link: [K.U32, K.Mm, K.U32],
  anon_vma_unlink: [K.U32, K.Mm, K.U32],
  rmap_collapse: [K.Pfn],
  alloc_fail: [K.Order, K.U32],
  // the block's second frame is the reducer's to check (an odd or last pfn is rejected there)
  task_struct: [K.Mm, K.Pfn],
  fork_refused: [K.Mm],
  io_start: [K.Pfn, K.Bool, K.Bool, K.U32, K.Bool],
  io_done: [K.Pfn],
  io_wait: [K.U32],
  user_time: [K.U32],
  rmap_slab_grow: [K.Pfn],
  cpu: [K.Cpu],
  lock_wait: [K.U32],
  lock_acquire: [K.U32],
  lock_release: [K.U32],
  tlb_shootdown: [K.Pte],
};

const BY_CODE: readonly (readonly K[])[] = EVENT_TYPES.map((t) => KINDS[t]);
const FIELDS_BY_CODE: readonly (readonly string[])[] = EVENT_TYPES.map((t) => EVENT_FIELDS[t]);

/** The allowed range of a field kind, in words, for error messages. */
function allowed(k: K, l: EventLimits): string {
  switch (k) {
    case K.Pfn:
      return `a page frame 0..${l.nframes - 1}`;
    case K.PtPfn:
      return `a page-table frame 0..${l.nframes - 1 - ((1 << l.ptOrder) - 1)}`;
    case K.Order:
      return `a block order 0..${NR_MEM_LISTS - 1}`;
    case K.Entry:
      return `a swap entry 1..${l.swapSlots - 1}`;
    case K.Mm:
      return `an mm id 1..${MAX_MM}`;
    case K.MmOrNone:
      return `an mm id 1..${MAX_MM}, or 0 or -1 for none`;
    case K.Pte:
      return `a 4-aligned pte address below ${l.nframes * 4096}`;
    case K.U32:
      return `0..${U32 - 1}`;
    case K.End:
      return `0..${U32}`;
    case K.Bool:
      return '0 or 1';
    case K.OpKind:
      return `an operation kind 0..${OP_KINDS.length - 1}`;
    case K.FaultKind:
      return `a fault kind 0..${FAULT_KINDS.length - 1}`;
    case K.List:
      return `a page list 0..${LRU_LISTS - 1}`;
    case K.Hand:
      return `a clock hand 0..${l.nframes - 1}`;
    case K.PgdIndex:
      return 'a page-directory index 0..1023';
    case K.Cpu:
      return `a CPU 0..${MAX_CPUS - 1}`;
  }
}

/** Inclusive bounds of each field kind for one machine, indexed by K. */
function bounds(l: EventLimits): { lo: Float64Array; hi: Float64Array } {
  const lo = new Float64Array(K_COUNT);
  const hi = new Float64Array(K_COUNT);
  const set = (k: K, a: number, b: number): void => {
    lo[k] = a;
    hi[k] = b;
  };
  set(K.Pfn, 0, l.nframes - 1);
  set(K.Hand, 0, l.nframes - 1);
  set(K.PtPfn, 0, l.nframes - (1 << l.ptOrder));
  set(K.Order, 0, NR_MEM_LISTS - 1);
  set(K.Entry, 1, l.swapSlots - 1);
  set(K.Mm, 1, MAX_MM);
  set(K.MmOrNone, -1, MAX_MM);
  set(K.Pte, 0, l.nframes * 4096 - 1);
  set(K.U32, 0, U32 - 1);
  set(K.End, 0, U32);
  set(K.Bool, 0, 1);
  set(K.OpKind, 0, OP_KINDS.length - 1);
  set(K.FaultKind, 0, FAULT_KINDS.length - 1);
  set(K.List, 0, LRU_LISTS - 1);
  set(K.PgdIndex, 0, 1023);
  set(K.Cpu, 0, MAX_CPUS - 1);
  return { lo, hi };
}

const PAGE_ALLOC = EVENT_TYPES.indexOf('page_alloc');
const PAGE_FREE = EVENT_TYPES.indexOf('page_free');
const STEAL = EVENT_TYPES.indexOf('steal');

/**
 * Check a flat events array (see events.ts): at most `max` events, every field an integer
 * in its range, every block inside mem_map. A tight loop over the numbers, before any
 * event object is made (this runs on every event replayed). Throws EventDecodeError
 * naming the event, the field, its value and what is allowed.
 */
export function checkFlatEvents(a: readonly unknown[], limits: EventLimits, max: number): void {
  const { lo, hi } = bounds(limits);
  let i = 0;
  for (let pos = 0; pos < a.length; i++) {
    if (i >= max) throw new EventDecodeError(`holds more than the ${max} event(s) it declares (at array position ${pos})`);
    const code = a[pos];
    const kinds = typeof code === 'number' ? BY_CODE[code] : undefined;
    if (kinds === undefined) throw new EventDecodeError(`event ${i}: unknown event code ${String(code).slice(0, 40)}`);
    const nf = kinds.length;
    if (pos + nf >= a.length) throw new EventDecodeError(`event ${i} (${EVENT_TYPES[code as number]}) is cut short`);
    for (let f = 0; f < nf; f++) {
      const v = a[pos + 1 + f];
      const k = kinds[f];
      if (typeof v !== 'number' || !(v >= lo[k] && v <= hi[k]) || !Number.isInteger(v) || (k === K.Pte && (v & 3) !== 0)) {
        const type = EVENT_TYPES[code as number];
        throw new EventDecodeError(
          `event ${i} (${type}): ${FIELDS_BY_CODE[code as number][f]} is ${typeof v === 'number' ? v : String(v).slice(0, 40)}, expected ${allowed(k, limits)}`,
        );
      }
    }
    // a block must fit in mem_map (the reducer and the buddy allocator touch every page of it)
    if (
      (code === PAGE_ALLOC || code === PAGE_FREE || code === STEAL) &&
      (a[pos + 1] as number) + (1 << (a[pos + 2] as number)) > limits.nframes
    ) {
      throw new EventDecodeError(
        `event ${i} (${EVENT_TYPES[code]}): block of order ${a[pos + 2]} at pfn ${a[pos + 1]} runs past mem_map (0..${limits.nframes - 1})`,
      );
    }
    pos += 1 + nf;
  }
}

type Maker = (a: readonly number[], pos: number) => Event;

/**
 * One object-literal function per event type, built from EVENT_FIELDS: `{t: 'pte_set', pte:
 * a[p + 1], val: a[p + 2]}`. Each makes its events with one hidden class, where the generic
 * decodeEventAt adds fields one by one by name (a megamorphic store): 2.3x faster on the 1M
 * events of an x486 log. The objects are the same (same keys, same order).
 */
const MAKERS: readonly Maker[] = EVENT_TYPES.map((t) => {
  const fields = EVENT_FIELDS[t].map((f, i) => `${f}: a[p + ${i + 1}]`);
  // the source is built only from the schema's own identifiers, never from log contents
  return new Function('a', 'p', `return { t: ${JSON.stringify(t)}, ${fields.join(', ')} };`) as Maker;
});
const WIDTH: readonly number[] = EVENT_TYPES.map((t) => 1 + EVENT_FIELDS[t].length);

/** Decode a flat events array already checked by checkFlatEvents (or trusted: the benchmarks' floor). */
export function decodeTrustedEvents(flat: readonly number[]): Event[] {
  const out: Event[] = [];
  for (let pos = 0; pos < flat.length; pos += WIDTH[flat[pos]]) out.push(MAKERS[flat[pos]](flat, pos));
  return out;
}

/** Check a flat events array (checkFlatEvents), then decode it. */
export function decodeCheckedEvents(a: readonly unknown[], limits: EventLimits, max: number): Event[] {
  checkFlatEvents(a, limits, max);
  return decodeTrustedEvents(a as readonly number[]);
}
