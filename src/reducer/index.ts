// The reducer: the only code that changes the machine state. One function per event type,
// found by the type's integer code (events.ts), after the active designs' handlers for that
// code; deterministic and total: an event of unknown type is an error, never ignored. Immer
// wraps it (see event-store.ts); run on a private copy it is also the bulk-replay fast path.

import { pte_present, _PAGE_ACCESSED, _PAGE_DIRTY } from '../arch/i386/page.js';
import { pte_slot, pte_table_pfn } from '../arch/i386/pgtable.js';
import { PG_dirty, PG_locked, PG_pgtable, PG_referenced, PG_Slab, PG_swap_cache, PG_task } from '../include/page-flags.js';
import { PAGE_AGE_VALUE, SWAP_CLUSTER_MAX } from '../include/swapctl.js';
import { getPage, NR_MEM_LISTS, type PageTable, type State, type StealStats } from '../state.js';
import { EVENT_CODE, EVENT_FIELDS, EVENT_TYPES, FAULT, OP, type Event, type EventOf, type EventType } from '../events.js';
import { buddyAlloc, buddyFree } from './buddy.js';
import { activeDesigns, ownersOfCode, type ActiveDesigns } from './designs.js';
import {
  applyCpu,
  applyLockAcquire,
  applyLockRelease,
  applyLockWait,
  applySmpTick,
  checkChainEdit,
  checkPteEdit,
  checkShootdownOwed,
  forgetMm,
  SmpReducerError,
} from './smp.js';
import { tlbFill, tlbPteChange, tlbShootdown, tlbTableFreed } from './tlb.js';
import type { DesignStatePart, Handler, SlabSlice } from '../include/design.js';
import type { DeepReadonly } from '../include/readonly.js';

export class ReducerError extends Error {}

/** A page looked at by reclaim through `ptes` reverse-map entries (clock_advance, and designs' own scan events). */
export function countScan(s: State, ptes: number): void {
  s.stats.scanned++;
  if (s.op.kind !== OP.kswapd) s.stats.directScanned++;
  s.stats.ptesVisited += ptes;
}

const emptyTable = (): number[][] => Array.from({ length: 16 }, () => new Array<number>(64).fill(0));

/** The bucket of (inode, offset) in a hash of `buckets` buckets (a power of two: the state's pageHash.length). */
export const pageHashFn = (inode: number, offset: number, buckets: number): number => ((inode * 31 + offset) >>> 0) & (buckets - 1);

function table(s: State, pte: number): PageTable {
  const pt = s.pts[pte_table_pfn(pte)];
  if (pt === undefined) throw new ReducerError(`pte 0x${pte.toString(16)} is not in an allocated page table`);
  return pt;
}

function ptePrev(s: State, pte: number): number {
  const slot = pte_slot(pte);
  return table(s, pte).pte[slot >> 6][slot & 63];
}

function writePte(s: State, pte: number, val: number): void {
  const pt = table(s, pte);
  const slot = pte_slot(pte);
  const chunk = pt.pte[slot >> 6];
  const old = chunk[slot & 63];
  chunk[slot & 63] = val;
  if (old === 0 && val !== 0) pt.used++;
  else if (old !== 0 && val === 0) pt.used--;
  const wasPresent = pte_present(old),
    isPresent = pte_present(val);
  if (wasPresent !== isPresent) {
    const mm = s.mms[pt.mm];
    if (mm !== undefined) mm.rss += isPresent ? 1 : -1;
  }
}

function swapMapAdd(s: State, entry: number, delta: number): void {
  const c = s.swap.map[entry >> 6];
  const before = c[entry & 63];
  c[entry & 63] = before + delta;
  if (before === 0 && delta > 0) s.swap.used++;
  else if (before + delta === 0 && before > 0) s.swap.used--;
}

/** Event type -> integer code (events.ts); a Map, so that a malformed type such as 'constructor' finds nothing. */
const CODE = new Map<string, number>(EVENT_TYPES.map((t, i) => [t, i]));
const TLB_SHOOTDOWN = EVENT_CODE.tlb_shootdown;
/** Which range checks each code's fields need: PFN (a pfn), PFN_ORDER (a pfn and an order), ENTRY (a swap entry). */
const PFN = 1,
  PFN_ORDER = 2,
  ENTRY = 4;
const CHECKS = EVENT_TYPES.map((t) => {
  const f = EVENT_FIELDS[t] as readonly string[];
  return (f.includes('pfn') ? (f.includes('order') ? PFN_ORDER : PFN) : 0) | (f.includes('entry') ? ENTRY : 0);
});

/** Field ranges every event must respect: a log that breaks them is malformed, not a kernel bug. */
function validate(s: State, e: Event, checks: number): void {
  if ((checks & (PFN | PFN_ORDER)) !== 0) {
    const pfn = pfnOf(e);
    const n = (checks & PFN_ORDER) !== 0 ? 1 << (e as unknown as { order: number }).order : 1;
    if (!(pfn >= 0 && pfn + n <= s.nframes)) badPfn(s, e, pfn, checks);
  }
  if ((checks & ENTRY) !== 0) {
    const entry = (e as unknown as { entry: number }).entry;
    if (!(entry > 0 && entry < s.swap.nslots)) badEntry(s, e, entry);
  }
}

/** validate()'s message for a pfn outside mem_map, shared with the core handlers' own checks. */
function badPfn(s: State, e: Event, pfn: number, checks: number): never {
  const order = (checks & PFN_ORDER) !== 0 ? ` (order ${(e as unknown as { order: number }).order})` : '';
  throw new ReducerError(`${e.t}: pfn ${pfn}${order} is outside mem_map (0..${s.nframes - 1})`);
}

/**
 * The core handlers of the fault path's pfn events check the pfn they read themselves (when
 * no design handler runs before them): validate() reads it from an object of any event type,
 * a megamorphic read that was ~3% of a fault-heavy trace's instructions, where the handler's
 * read sees one shape. The same check and message as validate(); see CHECKED_IN_CORE.
 */
function pfnIn(s: State, e: Event, pfn: number): number {
  if (!(pfn >= 0 && pfn + 1 <= s.nframes)) badPfn(s, e, pfn, PFN);
  return pfn;
}

/** pfnIn for a block of 2^order frames (page_alloc, page_free). */
function blockIn(s: State, e: Event, pfn: number, order: number): number {
  if (!(pfn >= 0 && pfn + (1 << order) <= s.nframes)) badPfn(s, e, pfn, PFN_ORDER);
  return pfn;
}

function badEntry(s: State, e: Event, entry: number): never {
  throw new ReducerError(`${e.t}: swap entry ${entry} is outside the swap device (1..${s.swap.nslots - 1})`);
}

/**
 * The pfn of an event that has one: one read for every type (a megamorphic one). The fault
 * path's types are checked by their core handlers instead (pfnIn), which read it from one shape.
 */
const pfnOf = (e: Event): number => (e as unknown as { pfn: number }).pfn;

function stealStats(s: State): StealStats {
  if (s.stats.steal === undefined) s.stats.steal = { ok: 0, failed: 0, flipped: 0 };
  return s.stats.steal;
}

const active = (s: State, d: DesignStatePart): boolean => (d.kind === 'rmap' ? s.rmap : s.reclaim) === d.name;

/** The codes whose core handler checks its pfn with pfnIn or blockIn (test/reducer/reducer.test.ts tries each). */
const CHECKED_IN_CORE = EVENT_TYPES.map((t) =>
  (
    [
      'put_page',
      'get_page',
      'page_alloc',
      'page_free',
      'page_flags',
      'pte_link',
      'pte_unlink',
      'page_cache_add',
      'page_cache_del',
      'io_start',
    ] as const
  ).includes(t as never),
);

/** The event's type code (events.ts); a ReducerError for a type that is not an event's. */
export function codeOf(e: Event): number {
  const code = CODE.get(e.t);
  if (code === undefined) throw new ReducerError(`unknown event type '${(e as { t: string }).t}'`);
  return code;
}

/**
 * Apply one event; `code` is its type's code, passed by an emitter that knows it (it must be codeOf(e)).
 * Kept small (the rare paths are functions of their own) so that the event store's emit inlines it
 * (node --trace-turbo-inlining on a trace run shows it does).
 */
export function apply(s: State, e: Event, code = codeOf(e)): void {
  const a = activeDesigns(s);
  const coreOnly = a.coreOnly[code];
  const checks = CHECKS[code];
  // an event that goes straight to a core handler which checks its own fields is checked there
  if (checks !== 0 && !(coreOnly && CHECKED_IN_CORE[code])) validate(s, e, checks);
  s.stats.events++;
  if (s.smp !== undefined) checkShootdownOwed(s, s.smp, code === TLB_SHOOTDOWN);
  if (!coreOnly) {
    const owners = ownersOfCode(code);
    if (owners !== null) {
      applyOwned(s, e, owners);
      return;
    }
    // the active designs' reactions to a core event, then the core's own change
    designReactions(s, e, code, a);
  }
  core(s, e, code);
}

/** A design's own event: only an active owner may apply it. */
function applyOwned(s: State, e: Event, owners: readonly DesignStatePart[]): void {
  const d = owners.find((o) => active(s, o));
  if (d === undefined)
    throw new ReducerError(
      `${e.t}: this run's designs (${s.reclaim}/${s.rmap}) do not emit it (only ${owners.map((o) => o.name).join(', ')})`,
    );
  const h = d.handlers?.[e.t] as Handler<EventType> | undefined;
  if (h !== undefined) h(s, e as never);
}

function designReactions(s: State, e: Event, code: number, a: ActiveDesigns): void {
  const rh = a.rmapHandlers[code];
  if (rh !== undefined) rh(s, e as never);
  const ch = a.reclaimHandlers[code];
  if (ch !== undefined) ch(s, e as never);
}

/**
 * The core's own change for each core event, one function per type, called through a table
 * indexed by the event's code: a switch over 35 type strings compared them one by one.
 */
const CORE: { readonly [T in EventType]?: Handler<T> } = {
  op(s, e) {
    s.op.seq++;
    s.op.kind = e.kind;
    s.op.mm = e.mm;
    s.op.addr = e.addr;
    if (s.smp !== undefined) s.smp.opKind[s.smp.cur] = e.kind;
    s.stats.ops++;
    if (e.kind === OP.kswapd) {
      s.stats.kswapdRuns++;
      s.lastKswapd = s.time;
    } else if (e.kind === OP.oom) s.stats.ooms++;
    else if (e.kind === OP.fork) s.stats.forks++;
    else if (e.kind === OP.exec) s.stats.execs++;
    else if (e.kind === OP.exit) s.stats.exits++;
  },
  tick(s, e) {
    let kind = s.op.kind;
    if (s.smp !== undefined) kind = applySmpTick(s, s.smp, e.us);
    else s.time += e.us;
    if (kind === OP.kswapd) s.stats.kswapdUs += e.us;
  },
  mm_create(s, e) {
    s.mms[e.mm] = { id: e.mm, pgd: e.pgd, parent: e.parent, vmas: [], rss: 0, pgdir: {} };
    if (e.mm >= s.nextMm) s.nextMm = e.mm + 1;
    const pg = getPage(s, e.pgd);
    pg.flags |= PG_pgtable;
    pg.offset = e.mm;
  },
  mm_destroy(s, e) {
    const mm = s.mms[e.mm];
    if (mm === undefined) throw new ReducerError(`mm_destroy of unknown mm ${e.mm}`);
    const pg = getPage(s, mm.pgd);
    pg.flags &= ~PG_pgtable;
    pg.offset = 0;
    delete s.mms[e.mm];
    if (s.smp !== undefined) forgetMm(s.smp, e.mm);
  },
  vma_add(s, e) {
    const mm = s.mms[e.mm];
    if (mm === undefined) throw new ReducerError(`vma_add to unknown mm ${e.mm}`);
    const vma = { start: e.start, end: e.end, kind: e.kind, prot: e.prot, file: e.file, pgoff: e.pgoff };
    let i = 0;
    while (i < mm.vmas.length && mm.vmas[i].start < e.start) i++;
    mm.vmas.splice(i, 0, vma);
  },
  vma_remove(s, e) {
    const mm = s.mms[e.mm];
    const i = mm === undefined ? -1 : mm.vmas.findIndex((v) => v.start === e.start);
    if (mm === undefined || i < 0) throw new ReducerError(`vma_remove: mm ${e.mm} has no vma at 0x${e.start.toString(16)}`);
    mm.vmas.splice(i, 1);
  },
  page_alloc(s, e) {
    buddyAlloc(s, blockIn(s, e, e.pfn, e.order), e.order, e.from);
  },
  page_free(s, e) {
    buddyFree(s, blockIn(s, e, e.pfn, e.order), e.order);
    if (e.reclaim) s.stats.reclaimed++;
  },
  get_page(s, e) {
    getPage(s, pfnIn(s, e, e.pfn)).count++;
  },
  put_page(s, e) {
    getPage(s, pfnIn(s, e, e.pfn)).count--;
  },
  page_flags(s, e) {
    const p = getPage(s, pfnIn(s, e, e.pfn));
    p.flags = (p.flags | e.set) & ~e.clear;
  },
  page_age(s, e) {
    getPage(s, e.pfn).age = e.age;
  },
  pt_alloc(s, e) {
    const mm = s.mms[e.mm];
    if (mm === undefined) throw new ReducerError(`pt_alloc for unknown mm ${e.mm}`);
    s.pts[e.pfn] = { pfn: e.pfn, mm: e.mm, index: e.index, used: 0, pte: emptyTable() };
    mm.pgdir[e.index] = e.pfn;
    getPage(s, e.pfn).flags |= PG_pgtable;
  },
  pt_free(s, e) {
    if (s.smp !== undefined) tlbTableFreed(s.smp, e.pfn);
    const pt = s.pts[e.pfn];
    if (pt === undefined) throw new ReducerError(`pt_free of pfn ${e.pfn}, which holds no page table`);
    const mm = s.mms[pt.mm];
    if (mm !== undefined && mm.pgdir[pt.index] === e.pfn) delete mm.pgdir[pt.index];
    delete s.pts[e.pfn];
    getPage(s, e.pfn).flags &= ~PG_pgtable;
  },
  pte_set(s, e) {
    if (s.smp !== undefined) {
      checkPteEdit(s, s.smp, e.pte);
      tlbPteChange(s.smp, e.pte, ptePrev(s, e.pte), e.val);
    }
    writePte(s, e.pte, e.val);
  },
  pte_clear(s, e) {
    if (s.smp !== undefined) {
      checkPteEdit(s, s.smp, e.pte);
      tlbPteChange(s.smp, e.pte, ptePrev(s, e.pte), 0);
    }
    writePte(s, e.pte, 0);
  },
  pte_mkold(s, e) {
    if (s.smp !== undefined) checkPteEdit(s, s.smp, e.pte);
    const pt = table(s, e.pte);
    const slot = pte_slot(e.pte);
    pt.pte[slot >> 6][slot & 63] &= ~_PAGE_ACCESSED;
  },
  hw_access(s, e) {
    if (s.smp !== undefined) tlbFill(s.smp, e.pte);
    const pt = table(s, e.pte);
    const slot = pte_slot(e.pte);
    pt.pte[slot >> 6][slot & 63] |= e.write ? _PAGE_ACCESSED | _PAGE_DIRTY : _PAGE_ACCESSED;
  },
  pte_link(s, e) {
    pfnIn(s, e, e.pfn);
    if (s.smp !== undefined) checkChainEdit(s, s.smp, e.pfn);
    if (!activeDesigns(s).rmap.link(s, e.pte, e.pfn)) s.stats.rmapErrors++;
  },
  pte_unlink(s, e) {
    pfnIn(s, e, e.pfn);
    if (s.smp !== undefined) checkChainEdit(s, s.smp, e.pfn);
    if (!activeDesigns(s).rmap.unlink(s, e.pte, e.pfn)) s.stats.rmapErrors++;
  },
  clock_advance(s, e) {
    s.hand = e.hand;
    countScan(s, e.ptes);
  },
  swap_out(s, e) {
    swapClusterTake(s, e.entry);
    swapMapAdd(s, e.entry, e.refs);
    s.stats.swapWrites++;
    getPage(s, e.pfn).flags &= ~PG_dirty;
  },
  swap_in(s) {
    s.stats.swapReads++;
  },
  rmap_slab_grow(s, e) {
    const sl = s.slices.rmap as Partial<SlabSlice> | undefined;
    if (sl?.slabPages === undefined) throw new ReducerError(`rmap_slab_grow: --rmap ${s.rmap} has no slab cache`);
    sl.slabPages.push(e.pfn);
    // kernel memory from here on: count 1 from the allocation, never reclaimed, never mapped
    getPage(s, e.pfn).flags |= PG_pgtable | PG_Slab;
  },
  swap_dup(s, e) {
    swapMapAdd(s, e.entry, 1);
  },
  swap_free(s, e) {
    swapMapAdd(s, e.entry, -1);
  },
  swap_cache_add(s, e) {
    const p = getPage(s, e.pfn);
    p.flags |= PG_swap_cache;
    p.swap = e.entry;
    if (s.swap.cache !== undefined) s.swap.cache[e.entry >> 6][e.entry & 63] = e.pfn + 1;
  },
  swap_cache_del(s, e) {
    const p = getPage(s, e.pfn);
    const c = s.swap.cache?.[p.swap >> 6];
    if (c !== undefined && c[p.swap & 63] === e.pfn + 1) c[p.swap & 63] = 0;
    p.flags &= ~PG_swap_cache;
    p.swap = 0;
  },
  page_cache_add(s, e) {
    const p = getPage(s, pfnIn(s, e, e.pfn));
    p.inode = e.inode;
    p.offset = e.offset;
    // __add_page_to_hash_queue: a new page-cache page starts young and referenced
    p.age = PAGE_AGE_VALUE;
    p.flags |= PG_referenced;
    s.pageHash[pageHashFn(e.inode, e.offset, s.pageHash.length)].push(e.pfn);
  },
  page_cache_del(s, e) {
    const p = getPage(s, pfnIn(s, e, e.pfn));
    const bucket = s.pageHash[pageHashFn(p.inode, p.offset, s.pageHash.length)];
    // a loop, not indexOf (a builtin call): buckets are a page or two long
    let i = 0;
    while (i < bucket.length && bucket[i] !== e.pfn) i++;
    if (i < bucket.length) {
      // splice(i, 1) without allocating the array it returns; the bucket keeps its order
      for (let j = i + 1; j < bucket.length; j++) bucket[j - 1] = bucket[j];
      bucket.pop();
    }
    p.inode = 0;
    p.offset = 0;
  },
  writepage(s, e) {
    getPage(s, e.pfn).flags &= ~PG_dirty;
    s.stats.fileWrites++;
  },
  fault(s, e) {
    // the slot of a kind a run never had (swapcache: --swap-cache 2.1.88 only) is made on its first fault
    s.stats.faults[e.kind] = (s.stats.faults[e.kind] ?? 0) + 1;
    if (e.kind === FAULT.file_major) s.stats.fileReads++;
  },
  page_copy(s) {
    stealStats(s).flipped++;
  },
  rmap_walk(s, e) {
    s.stats.vmasVisited = (s.stats.vmasVisited ?? 0) + e.vmas;
  },
  steal(s, e) {
    if (e.ok) stealStats(s).ok++;
    else stealStats(s).failed++;
  },
  alloc_fail(s, e) {
    if (!(e.order >= 0 && e.order < NR_MEM_LISTS)) throw new ReducerError(`alloc_fail: order ${e.order} is not 0..${NR_MEM_LISTS - 1}`);
    if (s.stats.allocFailures === undefined) s.stats.allocFailures = new Array<number>(NR_MEM_LISTS).fill(0);
    s.stats.allocFailures[e.order]++;
  },
  task_struct(s, e) {
    const mm = s.mms[e.mm];
    if (mm === undefined) throw new ReducerError(`task_struct for unknown mm ${e.mm}`);
    if (e.pfn % 2 !== 0 || e.pfn + 2 > s.nframes) throw new ReducerError(`task_struct: pfn ${e.pfn} is not an order-1 block in mem_map`);
    mm.task = e.pfn;
    // kernel memory: never reclaimed or moved, count 1 (the checker's page-count rule)
    getPage(s, e.pfn).flags |= PG_task;
    getPage(s, e.pfn + 1).flags |= PG_task;
  },
  fork_refused(s) {
    s.stats.forksRefused = (s.stats.forksRefused ?? 0) + 1;
  },
  io_start: ioStart,
  io_done(s, e) {
    ioDone(s, e.pfn);
  },
  io_wait(s, e) {
    if (s.smp !== undefined) applySmpTick(s, s.smp, e.us);
    else s.time += e.us;
    s.stats.ioWaitUs += e.us;
  },
  user_time(s, e) {
    if (s.smp !== undefined) applySmpTick(s, s.smp, e.us);
    else s.time += e.us;
  },
  cpu: applySmpEvent,
  lock_wait: applySmpEvent,
  lock_acquire: applySmpEvent,
  lock_release: applySmpEvent,
  tlb_shootdown(s, e) {
    if (s.smp === undefined) throw new ReducerError('tlb_shootdown in a run with one CPU');
    tlbShootdown(s.smp, e.pte);
  },
};

/** A request queued on its device (src/mm/page_io.ts): served in order; a tracked one locks its page until io_done. */
function ioStart(s: State, e: EventOf<'io_start'>): void {
  pfnIn(s, e, e.pfn);
  const io = s.io;
  if (e.dev !== 0 && e.dev !== 1) throw new ReducerError(`io_start: device ${e.dev} is not 0 (disk) or 1 (nfs)`);
  const busy = e.dev === 0 ? io.disk : io.nfs;
  const done = s.time + e.us;
  if (done < busy)
    throw new ReducerError(`io_start: request done at ${done}, before the device is free (${busy}): requests are served in order`);
  if (e.dev === 0) io.disk = done;
  else io.nfs = done;
  if (e.mode !== 1) return;
  if (inflightIndex(s, e.pfn) >= 0) throw new ReducerError(`io_start: page ${e.pfn} already has a request in flight`);
  // ordered by completion: after every request done at or before this one
  let i = io.inflight.length;
  while (i > 0 && io.inflight[i - 2] > done) i -= 3;
  io.inflight.splice(i, 0, e.pfn, done, e.write);
  getPage(s, e.pfn).flags |= PG_locked;
  if (e.write) io.nrAsync++;
  else s.stats.readAheads++;
}

function inflightIndex(s: State, pfn: number): number {
  const f = s.io.inflight;
  for (let i = 0; i < f.length; i += 3) if (f[i] === pfn) return i;
  return -1;
}

function ioDone(s: State, pfn: number): void {
  const i = inflightIndex(s, pfn);
  if (i < 0) throw new ReducerError(`io_done: page ${pfn} has no request in flight`);
  const write = s.io.inflight[i + 2];
  s.io.inflight.splice(i, 3);
  getPage(s, pfn).flags &= ~PG_locked;
  if (write) s.io.nrAsync--;
}

const CORE_BY_CODE = EVENT_TYPES.map((t) => CORE[t] as Handler<EventType> | undefined);

/**
 * The fault path's core handlers, each called from a call site of its own in core(): V8 then
 * knows the target and can inline it, where the table's one call site, `h(s, e)`, sees every
 * type and goes through the generic call each time.
 */
const hot = <T extends EventType>(t: T): Handler<T> => CORE[t] as Handler<T>;
const H_TICK = hot('tick'),
  C_TICK = EVENT_CODE.tick;
const H_OP = hot('op'),
  C_OP = EVENT_CODE.op;
const H_USER_TIME = hot('user_time'),
  C_USER_TIME = EVENT_CODE.user_time;
const H_PUT_PAGE = hot('put_page'),
  C_PUT_PAGE = EVENT_CODE.put_page;
const H_GET_PAGE = hot('get_page'),
  C_GET_PAGE = EVENT_CODE.get_page;
const H_PAGE_ALLOC = hot('page_alloc'),
  C_PAGE_ALLOC = EVENT_CODE.page_alloc;
const H_PAGE_FREE = hot('page_free'),
  C_PAGE_FREE = EVENT_CODE.page_free;
const H_PAGE_FLAGS = hot('page_flags'),
  C_PAGE_FLAGS = EVENT_CODE.page_flags;
const H_CLOCK_ADVANCE = hot('clock_advance'),
  C_CLOCK_ADVANCE = EVENT_CODE.clock_advance;
const H_PTE_SET = hot('pte_set'),
  C_PTE_SET = EVENT_CODE.pte_set;
const H_PTE_CLEAR = hot('pte_clear'),
  C_PTE_CLEAR = EVENT_CODE.pte_clear;
const H_PTE_MKOLD = hot('pte_mkold'),
  C_PTE_MKOLD = EVENT_CODE.pte_mkold;
const H_HW_ACCESS = hot('hw_access'),
  C_HW_ACCESS = EVENT_CODE.hw_access;
const H_PTE_LINK = hot('pte_link'),
  C_PTE_LINK = EVENT_CODE.pte_link;
const H_PTE_UNLINK = hot('pte_unlink'),
  C_PTE_UNLINK = EVENT_CODE.pte_unlink;
const H_PAGE_CACHE_ADD = hot('page_cache_add'),
  C_PAGE_CACHE_ADD = EVENT_CODE.page_cache_add;
const H_PAGE_CACHE_DEL = hot('page_cache_del'),
  C_PAGE_CACHE_DEL = EVENT_CODE.page_cache_del;
const H_IO_START = hot('io_start'),
  C_IO_START = EVENT_CODE.io_start;
const H_IO_WAIT = hot('io_wait'),
  C_IO_WAIT = EVENT_CODE.io_wait;
const H_FAULT = hot('fault'),
  C_FAULT = EVENT_CODE.fault;

function core(s: State, e: Event, code: number): void {
  switch (code) {
    case C_TICK:
      H_TICK(s, e as EventOf<'tick'>);
      return;
    case C_OP:
      H_OP(s, e as EventOf<'op'>);
      return;
    case C_USER_TIME:
      H_USER_TIME(s, e as EventOf<'user_time'>);
      return;
    case C_PUT_PAGE:
      H_PUT_PAGE(s, e as EventOf<'put_page'>);
      return;
    case C_GET_PAGE:
      H_GET_PAGE(s, e as EventOf<'get_page'>);
      return;
    case C_PAGE_ALLOC:
      H_PAGE_ALLOC(s, e as EventOf<'page_alloc'>);
      return;
    case C_PAGE_FREE:
      H_PAGE_FREE(s, e as EventOf<'page_free'>);
      return;
    case C_PAGE_FLAGS:
      H_PAGE_FLAGS(s, e as EventOf<'page_flags'>);
      return;
    case C_CLOCK_ADVANCE:
      H_CLOCK_ADVANCE(s, e as EventOf<'clock_advance'>);
      return;
    case C_PTE_SET:
      H_PTE_SET(s, e as EventOf<'pte_set'>);
      return;
    case C_PTE_CLEAR:
      H_PTE_CLEAR(s, e as EventOf<'pte_clear'>);
      return;
    case C_PTE_MKOLD:
      H_PTE_MKOLD(s, e as EventOf<'pte_mkold'>);
      return;
    case C_HW_ACCESS:
      H_HW_ACCESS(s, e as EventOf<'hw_access'>);
      return;
    case C_PTE_LINK:
      H_PTE_LINK(s, e as EventOf<'pte_link'>);
      return;
    case C_PTE_UNLINK:
      H_PTE_UNLINK(s, e as EventOf<'pte_unlink'>);
      return;
    case C_PAGE_CACHE_ADD:
      H_PAGE_CACHE_ADD(s, e as EventOf<'page_cache_add'>);
      return;
    case C_PAGE_CACHE_DEL:
      H_PAGE_CACHE_DEL(s, e as EventOf<'page_cache_del'>);
      return;
    case C_IO_START:
      H_IO_START(s, e as EventOf<'io_start'>);
      return;
    case C_IO_WAIT:
      H_IO_WAIT(s, e as EventOf<'io_wait'>);
      return;
    case C_FAULT:
      H_FAULT(s, e as EventOf<'fault'>);
      return;
  }
  const h = CORE_BY_CODE[code];
  if (h === undefined) throw new ReducerError(`event type '${e.t}' has no core handler and no owning design`);
  h(s, e as never);
}

function applySmpEvent(s: State, e: Extract<Event, { t: 'cpu' | 'lock_wait' | 'lock_acquire' | 'lock_release' }>): void {
  const smp = s.smp;
  if (smp === undefined) throw new ReducerError(`${e.t} in a run with one CPU`);
  try {
    if (e.t === 'cpu') applyCpu(s, smp, e.cpu);
    else if (e.t === 'lock_wait') applyLockWait(s, smp, e.lock);
    else if (e.t === 'lock_acquire') applyLockAcquire(s, smp, e.lock);
    else applyLockRelease(smp, e.lock);
  } catch (err) {
    // a lock event that cannot happen is a malformed log, like any other impossible event
    if (err instanceof SmpReducerError) throw new ReducerError(`${e.t}: ${err.message}`);
    throw err;
  }
}

export const swapCount = (s: DeepReadonly<State>, entry: number): number => s.swap.map[entry >> 6][entry & 63];

/**
 * scan_swap_map's cursor after `entry` is taken (2.1.47 mm/swapfile.c): a slot found by the
 * cluster scan (the first free one at or after cluster_next while cluster_nr > 0) uses one of
 * the cluster; any other slot came from the first-free scan, which starts a new cluster of
 * SWAP_CLUSTER_MAX without counting itself. cluster_next = offset, as the kernel sets it.
 */
function swapClusterTake(s: State, entry: number): void {
  const sw = s.swap;
  let cluster = sw.clusterNr > 0 && entry >= sw.clusterNext;
  for (let i = Math.max(1, sw.clusterNext); cluster && i < entry; i++) if (sw.map[i >> 6][i & 63] === 0) cluster = false;
  sw.clusterNr = cluster ? sw.clusterNr - 1 : SWAP_CLUSTER_MAX;
  sw.clusterNext = entry;
}
