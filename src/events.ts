// Events: small plain objects with integer fields, one per kernel primitive. The kernel
// emits them; the reducer is the only code that applies them to the state.
//
// EVENT_FIELDS is the schema: its order fixes each type's numeric code in the log, and
// each field list fixes the order of the integers that follow the code. Append new types
// at the end; never reorder (that would change the log format).

import { lockName } from './include/locks.js';

export const EVENT_FIELDS = {
  op: ['kind', 'mm', 'addr'],
  tick: ['us'],
  mm_create: ['mm', 'pgd', 'parent'],
  mm_destroy: ['mm'],
  vma_add: ['mm', 'start', 'end', 'kind', 'prot', 'file', 'pgoff'],
  vma_remove: ['mm', 'start'],
  page_alloc: ['pfn', 'order', 'from'],
  page_free: ['pfn', 'order', 'reclaim'],
  get_page: ['pfn'],
  put_page: ['pfn'],
  page_flags: ['pfn', 'set', 'clear'],
  page_age: ['pfn', 'age'],
  pt_alloc: ['pfn', 'mm', 'index'],
  pt_free: ['pfn'],
  pte_set: ['pte', 'val'],
  pte_clear: ['pte'],
  pte_mkold: ['pte'],
  hw_access: ['pte', 'write'],
  pte_link: ['pte', 'pfn'],
  pte_unlink: ['pte', 'pfn'],
  clock_advance: ['hand', 'ptes'],
  swap_out: ['pfn', 'entry', 'refs'],
  swap_in: ['pfn', 'entry'],
  swap_dup: ['entry'],
  swap_free: ['entry'],
  swap_cache_add: ['pfn', 'entry'],
  swap_cache_del: ['pfn'],
  page_cache_add: ['pfn', 'inode', 'offset'],
  page_cache_del: ['pfn'],
  writepage: ['pfn'],
  fault: ['mm', 'addr', 'write', 'kind'],
  // The old kswapd (policy `old`): its cursors are machine state, so they change by events.
  /** swap_out's static skip_factor. */
  swap_skip: ['skip'],
  /** p->swap_cnt of the process that owns mm. */
  swap_cnt: ['mm', 'cnt'],
  /** p->swap_address of the process that owns mm (swap_out_process resets it to 0). */
  swap_address: ['mm', 'addr'],
  /**
   * try_to_swap_out looks at the present pte mapping `addr` (which maps `pfn`); `slots` pte
   * slots were walked to get there, this one included. Sets p->swap_address = addr + PAGE_SIZE.
   */
  swap_scan: ['mm', 'addr', 'pfn', 'slots'],
  /** do_try_to_free_page's static state. */
  free_state: ['state'],
  // The LRU lists of policy active-inactive (2.4.0): list is LRU_ACTIVE 0, LRU_INACTIVE_DIRTY 1, LRU_INACTIVE_CLEAN 2.
  /** add_page_to_*_list: put a page on no list at the head of `list`. */
  lru_add: ['pfn', 'list'],
  /** Take a listed page off its list and put it at the head of `list` (may be the same list: a rotation). */
  lru_move: ['pfn', 'list'],
  /** Take a page off its list (before it is freed). */
  lru_del: ['pfn'],
  /** A list scanner looked at page `pfn` through its `ptes` reverse-map entries (counted like clock_advance; no hand). */
  lru_scan: ['pfn', 'ptes'],
  // --steal (src/mm/steal.ts, src/mm/flip.ts): only emitted when the feature is on.
  /** try_to_flip_page_to copied page `from` into frame `to` (accounting: pages flipped). */
  page_copy: ['from', 'to'],
  /** steal_specific_page for a block of `order` at `pfn`: ok 1 (emptied and allocated) or 0 (failed; pfn 0). */
  steal: ['pfn', 'order', 'ok'],
  // Reverse maps that walk vmas (objrmap, anon_vma): emitted only when the design reports a walk cost.
  /** The kernel's reverse-map walk of page `pfn` looked at `vmas` vmas (stats.vmasVisited). */
  rmap_walk: ['pfn', 'vmas'],
  // anon_vma (2.6.7, src/rmap/anon-vma.ts): the anon_vma lifetime, owned by that design.
  /** anon_vma_prepare: allocate anon_vma `id` for the vma of `mm` at `start`, which is its first member. */
  anon_vma_prepare: ['id', 'mm', 'start'],
  /** anon_vma_link (dup_mmap): fork's copy of a vma joins the parent vma's anon_vma `id`. */
  anon_vma_link: ['id', 'mm', 'start'],
  /** anon_vma_unlink (munmap, exit): the vma leaves anon_vma `id`; an emptied anon_vma is freed. */
  anon_vma_unlink: ['id', 'mm', 'start'],
  // pte_chain (and objrmap's anonymous pages): owned by those designs.
  /** page_referenced found one pte left on page `pfn`'s pte_chain: the chain collapses back to PG_direct. */
  rmap_collapse: ['pfn'],
  // The allocator (src/mm/page_alloc.ts) and the task struct (src/kernel/fork.ts).
  /** __get_free_pages returned 0 for a request of `order` at priority `gfp` (stats.allocFailures[order]). */
  alloc_fail: ['order', 'gfp'],
  /** The order-1 block at `pfn` holds the task struct and kernel stack of the process whose mm is `mm` (alloc_task_struct; exec passes it on). */
  task_struct: ['mm', 'pfn'],
  /** do_fork by the process of mm `parent` was refused for want of memory (-ENOMEM; stats.forksRefused). */
  fork_refused: ['parent'],
  // The block devices (src/mm/page_io.ts): dev 0 the disk, 1 the NFS server, each serving requests in order.
  /**
   * A request for page `pfn` is queued on `dev` and completes `us` from now (the device is busy
   * until then). mode 1: tracked until io_done (the page is PG_locked; a write holds a reference
   * and counts in nr_async_pages); mode 0: not tracked (the caller sleeps on it, or nobody waits).
   */
  io_start: ['pfn', 'dev', 'write', 'us', 'mode'],
  /** The tracked request on `pfn` completed: PG_locked cleared (an async write leaves nr_async_pages). */
  io_done: ['pfn'],
  /** The current process slept `us` for I/O: time passes, no CPU is used (stats.ioWaitUs). */
  io_wait: ['us'],
  /**
   * User processes ran for `us` since the last kernel time was charged. Its own event, not a
   * tick: a tick counts as CPU of the operation in progress, and after kswapd ran that
   * operation is still kswapd until the next one begins.
   */
  user_time: ['us'],
  /**
   * The reverse map's slab cache (pte-pool, pte_chain, objrmap, anon_vma objects) takes page
   * `pfn`, just allocated from the buddy lists: it holds PAGE_SIZE / object size objects.
   */
  rmap_slab_grow: ['pfn'],
  // --cpus N > 1 only (src/smp/): never emitted by a 1-CPU run, so its log is unchanged.
  /** The scheduler gives the next step to `cpu`: the events that follow are that CPU's (emitted when the CPU changes). */
  cpu: ['cpu'],
  /** The current CPU queues for `lock` (src/include/locks.ts), which another CPU holds. */
  lock_wait: ['lock'],
  /** The current CPU takes `lock`: it was free, and the CPU was first in its queue if it had one. */
  lock_acquire: ['lock'],
  /** The current CPU releases `lock`. */
  lock_release: ['lock'],
  /**
   * flush_tlb_page's IPI: the current CPU changed `pte` and flushes it from every other CPU's
   * TLB (emitted right after the change, only when another CPU holds that translation).
   */
  tlb_shootdown: ['pte'],
} as const;

export type EventType = keyof typeof EVENT_FIELDS;
type Fields<T extends EventType> = { [K in (typeof EVENT_FIELDS)[T][number]]: number };
export type EventOf<T extends EventType> = { t: T } & Fields<T>;
export type Event = { [T in EventType]: EventOf<T> }[EventType];

export const EVENT_TYPES = Object.keys(EVENT_FIELDS) as EventType[];
export const EVENT_CODE: Record<EventType, number> = Object.fromEntries(EVENT_TYPES.map((t, i) => [t, i])) as Record<EventType, number>;
/** An event type's code, branded with its type: an emitter that passes the code along (Kernel.emit) can pass only its event's. */
export type EventCode<T extends EventType> = number & { readonly __event: T };
/** EVENT_CODE, each code branded with its type. */
export const CODE_OF = EVENT_CODE as { readonly [T in EventType]: EventCode<T> };

/** Kernel operations: the unit between which invariants must hold. */
export const OP_KINDS = ['boot', 'fault', 'fork', 'exec', 'exit', 'mmap', 'munmap', 'brk', 'kswapd', 'oom'] as const;
export type OpKind = (typeof OP_KINDS)[number];
export const OP: Record<OpKind, number> = Object.fromEntries(OP_KINDS.map((k, i) => [k, i])) as Record<OpKind, number>;

/** swapcache: --swap-cache 2.1.88 only, a swap pte whose page lookup_swap_cache found still in memory (minor). */
export const FAULT_KINDS = ['zero', 'anon', 'file', 'file_major', 'cow', 'wp', 'swapin', 'swapcache'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export const FAULT: Record<FaultKind, number> = Object.fromEntries(FAULT_KINDS.map((k, i) => [k, i])) as Record<FaultKind, number>;

/** Append an event to a flat integer array: [code, field...]. */
export function encodeEvent(e: Event, out: number[]): void {
  out.push(EVENT_CODE[e.t]);
  const fields = EVENT_FIELDS[e.t];
  const rec = e as unknown as Record<string, number>;
  for (let i = 0; i < fields.length; i++) out.push(rec[fields[i]]);
}

const FIELD_LISTS: ReadonlyArray<readonly string[]> = EVENT_TYPES.map((t) => EVENT_FIELDS[t]);

export class EventDecodeError extends Error {}

/**
 * Decode the event at position `pos` of a flat array; returns the event and the next position.
 * Throws EventDecodeError on an unknown code or a short array (a malformed log, never ignored).
 */
export function decodeEventAt(a: ArrayLike<number>, pos: number): [Event, number] {
  const code = a[pos];
  const fields = FIELD_LISTS[code];
  if (fields === undefined) throw new EventDecodeError(`unknown event code ${String(code)} at position ${pos}`);
  if (pos + fields.length >= a.length) throw new EventDecodeError(`event ${EVENT_TYPES[code]} at position ${pos} is cut short`);
  const e: Record<string, unknown> = { t: EVENT_TYPES[code] };
  for (let i = 0; i < fields.length; i++) {
    const v = a[pos + 1 + i];
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      throw new EventDecodeError(`event ${EVENT_TYPES[code]} field ${fields[i]} is ${String(v)}, expected an integer`);
    }
    e[fields[i]] = v;
  }
  return [e as unknown as Event, pos + 1 + fields.length];
}

export function decodeEvents(a: ArrayLike<number>): Event[] {
  const out: Event[] = [];
  for (let pos = 0; pos < a.length; ) {
    const [e, next] = decodeEventAt(a, pos);
    out.push(e);
    pos = next;
  }
  return out;
}

export function formatEvent(e: Event): string {
  const hexFields = new Set(['pte', 'val', 'addr', 'start', 'end']);
  const parts = Object.entries(e)
    .filter(([k]) => k !== 't')
    .map(([k, v]) => `${k}=${hexFields.has(k) ? '0x' + (v as number).toString(16) : String(v)}`);
  let s = `${e.t} ${parts.join(' ')}`;
  if (e.t === 'op') s += ` (${OP_KINDS[e.kind] ?? '?'})`;
  if (e.t === 'fault') s += ` (${FAULT_KINDS[e.kind] ?? '?'})`;
  if (e.t === 'lock_wait' || e.t === 'lock_acquire' || e.t === 'lock_release') s += ` (${lockName(e.lock)})`;
  return s;
}
