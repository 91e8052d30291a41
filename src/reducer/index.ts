// The reducer: the only code that changes the machine state. One switch over event types,
// deterministic and total: an event of unknown type is an error, never ignored. Immer
// wraps it (see event-store.ts); run on a private copy it is also the bulk-replay fast path.

import { pte_present, _PAGE_ACCESSED, _PAGE_DIRTY } from '../arch/i386/page.js';
import { pte_slot, pte_table_pfn } from '../arch/i386/pgtable.js';
import { PG_dirty, PG_pgtable, PG_referenced, PG_swap_cache } from '../include/page-flags.js';
import { PAGE_AGE_VALUE } from '../include/swapctl.js';
import { getPage, PAGE_HASH_SIZE, type PageTable, type State, type StealStats } from '../state.js';
import { FAULT, OP, type Event, type EventType } from '../events.js';
import { buddyAlloc, buddyFree } from './buddy.js';
import { ownersOf, reclaimOf, rmapOf } from './designs.js';
import {
  applyCpu,
  applyLockAcquire,
  applyLockRelease,
  applyLockWait,
  applySmpTick,
  checkChainEdit,
  checkPteEdit,
  forgetMm,
  SmpReducerError,
} from './smp.js';
import type { DesignStatePart, Handler } from '../include/design.js';
import type { DeepReadonly } from '../include/readonly.js';

export class ReducerError extends Error {}

/** A page looked at by reclaim through `ptes` reverse-map entries (clock_advance, and designs' own scan events). */
export function countScan(s: State, ptes: number): void {
  s.stats.scanned++;
  if (s.op.kind !== OP.kswapd) s.stats.directScanned++;
  s.stats.ptesVisited += ptes;
}

const emptyTable = (): number[][] => Array.from({ length: 16 }, () => new Array<number>(64).fill(0));

export const pageHashFn = (inode: number, offset: number): number => ((inode * 31 + offset) >>> 0) & (PAGE_HASH_SIZE - 1);

function table(s: State, pte: number): PageTable {
  const pt = s.pts[pte_table_pfn(pte)];
  if (pt === undefined) throw new ReducerError(`pte 0x${pte.toString(16)} is not in an allocated page table`);
  return pt;
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

/** Field ranges every event must respect: a log that breaks them is malformed, not a kernel bug. */
function validate(s: State, e: Event): void {
  const r = e as unknown as { pfn?: number; order?: number; entry?: number };
  if (r.pfn !== undefined && !(r.pfn >= 0 && r.pfn + (r.order !== undefined ? 1 << r.order : 1) <= s.nframes)) {
    throw new ReducerError(
      `${e.t}: pfn ${r.pfn}${r.order !== undefined ? ` (order ${r.order})` : ''} is outside mem_map (0..${s.nframes - 1})`,
    );
  }
  if (r.entry !== undefined && !(r.entry > 0 && r.entry < s.swap.nslots)) {
    throw new ReducerError(`${e.t}: swap entry ${r.entry} is outside the swap device (1..${s.swap.nslots - 1})`);
  }
}

function stealStats(s: State): StealStats {
  if (s.stats.steal === undefined) s.stats.steal = { ok: 0, failed: 0, flipped: 0 };
  return s.stats.steal;
}

const active = (s: State, d: DesignStatePart): boolean => (d.kind === 'rmap' ? s.rmap : s.reclaim) === d.name;

function run(d: DesignStatePart, s: State, e: Event): boolean {
  const h = d.handlers?.[e.t] as Handler<EventType> | undefined;
  if (h === undefined) return false;
  h(s, e as never);
  return true;
}

export function apply(s: State, e: Event): void {
  validate(s, e);
  s.stats.events++;
  const owners = ownersOf(e.t);
  if (owners.length > 0) {
    // a design's own event: only an active owner may apply it
    const d = owners.find((o) => active(s, o));
    if (d === undefined)
      throw new ReducerError(
        `${e.t}: this run's designs (${s.reclaim}/${s.rmap}) do not emit it (only ${owners.map((o) => o.name).join(', ')})`,
      );
    run(d, s, e);
    return;
  }
  // the active designs' reactions to a core event, then the core's own change
  run(rmapOf(s), s, e);
  run(reclaimOf(s), s, e);
  core(s, e);
}

function core(s: State, e: Event): void {
  switch (e.t) {
    case 'op':
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
      return;
    case 'tick': {
      let kind = s.op.kind;
      if (s.smp !== undefined) kind = applySmpTick(s, s.smp, e.us);
      else s.time += e.us;
      if (kind === OP.kswapd) s.stats.kswapdUs += e.us;
      return;
    }
    case 'mm_create': {
      s.mms[e.mm] = { id: e.mm, pgd: e.pgd, parent: e.parent, vmas: [], rss: 0, pgdir: {} };
      if (e.mm >= s.nextMm) s.nextMm = e.mm + 1;
      const pg = getPage(s, e.pgd);
      pg.flags |= PG_pgtable;
      pg.offset = e.mm;
      return;
    }
    case 'mm_destroy': {
      const mm = s.mms[e.mm];
      if (mm === undefined) throw new ReducerError(`mm_destroy of unknown mm ${e.mm}`);
      const pg = getPage(s, mm.pgd);
      pg.flags &= ~PG_pgtable;
      pg.offset = 0;
      delete s.mms[e.mm];
      if (s.smp !== undefined) forgetMm(s.smp, e.mm);
      return;
    }
    case 'vma_add': {
      const mm = s.mms[e.mm];
      if (mm === undefined) throw new ReducerError(`vma_add to unknown mm ${e.mm}`);
      const vma = { start: e.start, end: e.end, kind: e.kind, prot: e.prot, file: e.file, pgoff: e.pgoff };
      let i = 0;
      while (i < mm.vmas.length && mm.vmas[i].start < e.start) i++;
      mm.vmas.splice(i, 0, vma);
      return;
    }
    case 'vma_remove': {
      const mm = s.mms[e.mm];
      const i = mm === undefined ? -1 : mm.vmas.findIndex((v) => v.start === e.start);
      if (mm === undefined || i < 0) throw new ReducerError(`vma_remove: mm ${e.mm} has no vma at 0x${e.start.toString(16)}`);
      mm.vmas.splice(i, 1);
      return;
    }
    case 'page_alloc':
      buddyAlloc(s, e.pfn, e.order, e.from);
      return;
    case 'page_free':
      buddyFree(s, e.pfn, e.order);
      if (e.reclaim) s.stats.reclaimed++;
      return;
    case 'get_page':
      getPage(s, e.pfn).count++;
      return;
    case 'put_page':
      getPage(s, e.pfn).count--;
      return;
    case 'page_flags': {
      const p = getPage(s, e.pfn);
      p.flags = (p.flags | e.set) & ~e.clear;
      return;
    }
    case 'page_age':
      getPage(s, e.pfn).age = e.age;
      return;
    case 'pt_alloc': {
      const mm = s.mms[e.mm];
      if (mm === undefined) throw new ReducerError(`pt_alloc for unknown mm ${e.mm}`);
      s.pts[e.pfn] = { pfn: e.pfn, mm: e.mm, index: e.index, used: 0, pte: emptyTable() };
      mm.pgdir[e.index] = e.pfn;
      getPage(s, e.pfn).flags |= PG_pgtable;
      return;
    }
    case 'pt_free': {
      const pt = s.pts[e.pfn];
      if (pt === undefined) throw new ReducerError(`pt_free of pfn ${e.pfn}, which holds no page table`);
      const mm = s.mms[pt.mm];
      if (mm !== undefined && mm.pgdir[pt.index] === e.pfn) delete mm.pgdir[pt.index];
      delete s.pts[e.pfn];
      getPage(s, e.pfn).flags &= ~PG_pgtable;
      return;
    }
    case 'pte_set':
      if (s.smp !== undefined) checkPteEdit(s, s.smp, e.pte);
      writePte(s, e.pte, e.val);
      return;
    case 'pte_clear':
      if (s.smp !== undefined) checkPteEdit(s, s.smp, e.pte);
      writePte(s, e.pte, 0);
      return;
    case 'pte_mkold': {
      if (s.smp !== undefined) checkPteEdit(s, s.smp, e.pte);
      const pt = table(s, e.pte);
      const slot = pte_slot(e.pte);
      pt.pte[slot >> 6][slot & 63] &= ~_PAGE_ACCESSED;
      return;
    }
    case 'hw_access': {
      const pt = table(s, e.pte);
      const slot = pte_slot(e.pte);
      pt.pte[slot >> 6][slot & 63] |= e.write ? _PAGE_ACCESSED | _PAGE_DIRTY : _PAGE_ACCESSED;
      return;
    }
    case 'pte_link':
      if (s.smp !== undefined) checkChainEdit(s, s.smp, e.pfn);
      if (!rmapOf(s).link(s, e.pte, e.pfn)) s.stats.rmapErrors++;
      return;
    case 'pte_unlink':
      if (s.smp !== undefined) checkChainEdit(s, s.smp, e.pfn);
      if (!rmapOf(s).unlink(s, e.pte, e.pfn)) s.stats.rmapErrors++;
      return;
    case 'clock_advance':
      s.hand = e.hand;
      countScan(s, e.ptes);
      return;
    case 'swap_out':
      swapMapAdd(s, e.entry, e.refs);
      s.swap.clusterNext = e.entry + 1;
      s.swap.clusterNr = s.swap.clusterNr > 0 ? s.swap.clusterNr - 1 : 31;
      s.stats.swapWrites++;
      getPage(s, e.pfn).flags &= ~PG_dirty;
      return;
    case 'swap_in':
      s.stats.swapReads++;
      return;
    case 'swap_dup':
      swapMapAdd(s, e.entry, 1);
      return;
    case 'swap_free':
      swapMapAdd(s, e.entry, -1);
      return;
    case 'swap_cache_add': {
      const p = getPage(s, e.pfn);
      p.flags |= PG_swap_cache;
      p.swap = e.entry;
      return;
    }
    case 'swap_cache_del': {
      const p = getPage(s, e.pfn);
      p.flags &= ~PG_swap_cache;
      p.swap = 0;
      return;
    }
    case 'page_cache_add': {
      const p = getPage(s, e.pfn);
      p.inode = e.inode;
      p.offset = e.offset;
      // __add_page_to_hash_queue: a new page-cache page starts young and referenced
      p.age = PAGE_AGE_VALUE;
      p.flags |= PG_referenced;
      s.pageHash[pageHashFn(e.inode, e.offset)].push(e.pfn);
      return;
    }
    case 'page_cache_del': {
      const p = getPage(s, e.pfn);
      const bucket = s.pageHash[pageHashFn(p.inode, p.offset)];
      const i = bucket.indexOf(e.pfn);
      if (i >= 0) bucket.splice(i, 1);
      p.inode = 0;
      p.offset = 0;
      return;
    }
    case 'writepage':
      getPage(s, e.pfn).flags &= ~PG_dirty;
      s.stats.fileWrites++;
      return;
    case 'fault':
      s.stats.faults[e.kind]++;
      if (e.kind === FAULT.file_major) s.stats.fileReads++;
      return;
    case 'page_copy':
      stealStats(s).flipped++;
      return;
    case 'rmap_walk':
      s.stats.vmasVisited = (s.stats.vmasVisited ?? 0) + e.vmas;
      return;
    case 'steal':
      if (e.ok) stealStats(s).ok++;
      else stealStats(s).failed++;
      return;
    case 'cpu':
    case 'lock_wait':
    case 'lock_acquire':
    case 'lock_release':
      applySmpEvent(s, e);
      return;
    default:
      throw new ReducerError(`unknown event type '${(e as { t: string }).t}'`);
  }
}

function applySmpEvent(s: State, e: Extract<Event, { t: 'cpu' | 'lock_wait' | 'lock_acquire' | 'lock_release' }>): void {
  const smp = s.smp;
  if (smp === undefined) throw new ReducerError(`${e.t} in a run with one CPU`);
  try {
    if (e.t === 'cpu') applyCpu(smp, e.cpu);
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
