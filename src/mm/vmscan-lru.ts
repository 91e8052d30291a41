// The seed's "kswapd using active/inactive/freeable queues", in the shape 2.4.0 gave it
// (mm/vmscan.c, mm/swap.c): three lists, active, inactive_dirty and inactive_clean (the
// "freeable" queue), driven by the page-centric reverse map. Pages enter the active list
// when they become user or page-cache pages (lru_cache_add). refill_inactive_scan ages
// active pages by the accessed bits of all their ptes: referenced pages get younger by
// PAGE_AGE_ADV (up to PAGE_AGE_MAX), the others' age halves and at 0 they go to
// inactive_dirty. page_launder moves clean inactive pages to inactive_clean and writes
// dirty ones (which are then clean). Reclaim frees from inactive_clean, unmapping every pte
// at once through the reverse map exactly as the clock does (unmap_and_free).
//
// Every list change is an event (lru_add, lru_move, lru_del, page_age): the policy only
// reads k.s. Each page looked at is an lru_scan event (counted like the clock's clock_advance).

import { _PAGE_DIRTY, _PAGE_RW } from '../arch/i386/page.js';
import type { Kernel } from '../kernel/kernel.js';
import { page_referenced } from './rmap.js';
import { PG_LRU, PG_active, PG_inactive_clean, PG_inactive_dirty } from '../include/page-flags.js';
import type { DeepReadonly } from '../include/readonly.js';
import { getPage, type State } from '../state.js';
import { read_pte } from './memory.js';
import { PG_referenced, PG_swap_cache } from '../include/page-flags.js';
import { get_swap_page } from './swapfile.js';
import { delete_from_swap_cache } from './swap_state.js';
import { SKIP, expectedRefs, unmap_and_free } from './vmscan.js';
import { DEV_DISK, file_dev, queue_write } from './page_io.js';

export const LRU_ACTIVE = 0;
export const LRU_INACTIVE_DIRTY = 1;
export const LRU_INACTIVE_CLEAN = 2;
export const LRU_NAMES = ['active', 'inactive_dirty', 'inactive_clean'] as const;
export const LRU_FLAG = [PG_active, PG_inactive_dirty, PG_inactive_clean] as const;

/** One LRU list: intrusive, doubly linked through the slice's next/prev; new pages at the head, scans from the tail. */
export interface LruList {
  head: number;
  tail: number;
  nr: number;
}

/** The policy's state: 2.4.0's three lists, the per-page links (chunked like mem_map), and error counters for the checker. */
export interface LruSlice {
  lists: LruList[];
  /** pfn -> next / previous page on its list (-1 = none). */
  next: number[][];
  prev: number[][];
  /** lru_add of a page already on a list, lru_move/lru_del of a page on none (kernel bugs the checker reports). */
  errors: number;
  /** page_free of a page still on a list (the kernel must lru_del first). */
  freedOnList: number;
}

export function lruSlice(s: State): LruSlice;
export function lruSlice(s: DeepReadonly<State>): DeepReadonly<LruSlice>;
export function lruSlice(s: DeepReadonly<State>): DeepReadonly<LruSlice> {
  return s.slices.reclaim as LruSlice;
}

/** The list a page's flags put it on, or -1. */
export function lruListOf(flags: number): number {
  if ((flags & PG_LRU) === 0) return -1;
  return (flags & PG_active) !== 0 ? LRU_ACTIVE : (flags & PG_inactive_dirty) !== 0 ? LRU_INACTIVE_DIRTY : LRU_INACTIVE_CLEAN;
}

/** 2.4.0 include/linux/swap.h. */
export const PAGE_AGE_START = 2;
export const PAGE_AGE_ADV = 3;
export const PAGE_AGE_MAX = 64;
/** 2.4.0 DEF_PRIORITY: the first refill_inactive_scan looks at nr_active >> 6 pages. */
export const DEF_PRIORITY = 6;
/** Full passes at priority 0 after the first DEF_PRIORITY + 1 rounds before giving up (64 halves to 0 in 7). */
export const EXTRA_PASSES = 8;

/** age_page_up: a referenced page gets PAGE_AGE_ADV younger, capped at PAGE_AGE_MAX. */
export const ageUp = (age: number): number => Math.min(age + PAGE_AGE_ADV, PAGE_AGE_MAX);
/** age_page_down_ageonly: an unreferenced page's age halves. */
export const ageDown = (age: number): number => age >> 1;

/** lru_cache_add: a new user or page-cache page goes to the head of the active list at PAGE_AGE_START. */
export function lru_cache_add(k: Kernel, pfn: number): void {
  k.emit({ t: 'lru_add', pfn, list: LRU_ACTIVE });
  k.emit({ t: 'page_age', pfn, age: PAGE_AGE_START });
}

interface Look {
  ptes: number[];
  referenced: boolean;
  dirty: boolean;
}

/**
 * Look at a page through its reverse map: test and clear the accessed bit of every pte
 * (and PG_referenced), note whether any pte or the page is dirty. Charged like a clock step.
 */
function look(k: Kernel, pfn: number): Look {
  const page = getPage(k.s, pfn);
  const { ptes, referenced, dirty } = page_referenced(k, pfn);
  if ((page.flags & PG_referenced) !== 0) k.emit({ t: 'page_flags', pfn, set: 0, clear: PG_referenced });
  k.emit({ t: 'lru_scan', pfn, ptes: ptes.length });
  k.tick(k.cfg.latencies.scanPageUs + ptes.length * k.cfg.latencies.scanPteUs);
  return { ptes, referenced, dirty };
}

/** A page the scanners must leave alone: kernel frames, or extra references held by an operation in progress. */
function busy(k: Kernel, pfn: number): boolean {
  const p = getPage(k.s, pfn);
  return (p.flags & SKIP) !== 0 || p.count !== expectedRefs(p);
}

function setAge(k: Kernel, pfn: number, age: number): void {
  if (getPage(k.s, pfn).age !== age) k.emit({ t: 'page_age', pfn, age });
}

/** Referenced on an inactive list: back to the active list, one PAGE_AGE_ADV younger. */
function activate(k: Kernel, pfn: number): void {
  setAge(k, pfn, ageUp(getPage(k.s, pfn).age));
  k.emit({ t: 'lru_move', pfn, list: LRU_ACTIVE });
}

/**
 * refill_inactive_scan: look at nr_active >> priority pages from the tail of the active list
 * (at least one). Returns how many went to inactive_dirty.
 */
export function refill_inactive_scan(k: Kernel, priority: number): number {
  const lists = lruSlice(k.s).lists;
  let n = Math.max(1, lists[LRU_ACTIVE].nr >> priority);
  let moved = 0;
  while (n-- > 0 && lists[LRU_ACTIVE].tail >= 0) {
    const pfn = lists[LRU_ACTIVE].tail;
    if (busy(k, pfn)) {
      k.emit({ t: 'lru_move', pfn, list: LRU_ACTIVE });
      continue;
    }
    const { referenced } = look(k, pfn);
    const age = getPage(k.s, pfn).age;
    const next = referenced ? ageUp(age) : ageDown(age);
    setAge(k, pfn, next);
    if (next === 0) {
      k.emit({ t: 'lru_move', pfn, list: LRU_INACTIVE_DIRTY });
      moved++;
    } else k.emit({ t: 'lru_move', pfn, list: LRU_ACTIVE });
  }
  return moved;
}

/** Clean: freeable without I/O (a file page, or an anonymous page with its copy in the swap cache, and nothing dirty). */
function clean(k: Kernel, pfn: number, dirty: boolean): boolean {
  const p = getPage(k.s, pfn);
  return !dirty && (p.inode !== 0 || (p.flags & PG_swap_cache) !== 0);
}

/**
 * Write a dirty inactive page so that it becomes clean: a file page by writepage, an
 * anonymous page to a new swap slot that the swap cache then holds (its ptes made read-only,
 * so a later write faults and takes it out of the swap cache). Returns false when swap is full.
 */
function launder_write(k: Kernel, pfn: number, ptes: number[]): boolean {
  const p = getPage(k.s, pfn);
  const mask = p.inode !== 0 ? _PAGE_DIRTY : _PAGE_DIRTY | _PAGE_RW;
  if (p.inode === 0) {
    const entry = get_swap_page(k);
    if (entry === 0) return false;
    delete_from_swap_cache(k, pfn);
    k.emit({ t: 'swap_out', pfn, entry, refs: 1 });
    k.emit({ t: 'swap_cache_add', pfn, entry });
  } else {
    k.emit({ t: 'writepage', pfn });
  }
  // the write occupies its device (the page stays in memory, clean, on inactive_clean)
  queue_write(k, pfn, p.inode !== 0 ? file_dev(k, p.inode) : DEV_DISK);
  for (const pte of ptes) {
    const v = read_pte(k, pte);
    if ((v & mask) !== 0) k.emit({ t: 'pte_set', pte, val: (v & ~mask) >>> 0 });
  }
  return true;
}

/**
 * page_launder: each page of inactive_dirty once, from the tail: referenced pages go back to
 * the active list, clean ones to inactive_clean, dirty ones are written and then go to
 * inactive_clean. Returns how many reached inactive_clean.
 */
export function page_launder(k: Kernel): number {
  const lists = lruSlice(k.s).lists;
  let n = lists[LRU_INACTIVE_DIRTY].nr;
  let cleaned = 0;
  while (n-- > 0 && lists[LRU_INACTIVE_DIRTY].tail >= 0) {
    const pfn = lists[LRU_INACTIVE_DIRTY].tail;
    if (busy(k, pfn)) {
      k.emit({ t: 'lru_move', pfn, list: LRU_INACTIVE_DIRTY });
      continue;
    }
    const { ptes, referenced, dirty } = look(k, pfn);
    if (referenced) {
      activate(k, pfn);
      continue;
    }
    if (!clean(k, pfn, dirty) && !launder_write(k, pfn, ptes)) {
      // swap is full: the page cannot be written, keep it in use
      k.emit({ t: 'lru_move', pfn, list: LRU_ACTIVE });
      continue;
    }
    k.emit({ t: 'lru_move', pfn, list: LRU_INACTIVE_CLEAN });
    cleaned++;
  }
  return cleaned;
}

/**
 * reclaim_page: free the first freeable page from the tail of inactive_clean, unmapping all
 * its ptes at once through the reverse map. Pages referenced or dirtied since go back.
 */
export function reclaim_clean(k: Kernel): boolean {
  const lists = lruSlice(k.s).lists;
  let n = lists[LRU_INACTIVE_CLEAN].nr;
  while (n-- > 0 && lists[LRU_INACTIVE_CLEAN].tail >= 0) {
    const pfn = lists[LRU_INACTIVE_CLEAN].tail;
    if (busy(k, pfn)) {
      k.emit({ t: 'lru_move', pfn, list: LRU_ACTIVE });
      continue;
    }
    const { ptes, referenced, dirty } = look(k, pfn);
    if (referenced) {
      activate(k, pfn);
      continue;
    }
    if (!clean(k, pfn, dirty)) {
      k.emit({ t: 'lru_move', pfn, list: LRU_INACTIVE_DIRTY });
      continue;
    }
    if (unmap_and_free(k, pfn, ptes, false)) return true;
    k.emit({ t: 'lru_move', pfn, list: LRU_ACTIVE });
  }
  return false;
}

/**
 * do_try_to_free_pages, one page at a time: free from inactive_clean; else launder
 * inactive_dirty and try again; else age more of the active list, harder each round.
 */
export function try_to_free_page_lists(k: Kernel): boolean {
  for (let round = 0; round <= DEF_PRIORITY + EXTRA_PASSES; round++) {
    if (reclaim_clean(k)) return true;
    if (page_launder(k) > 0 && reclaim_clean(k)) return true;
    const lists = lruSlice(k.s).lists;
    if (lists[LRU_ACTIVE].nr === 0 && lists[LRU_INACTIVE_DIRTY].nr === 0) return false;
    refill_inactive_scan(k, Math.max(0, DEF_PRIORITY - round));
  }
  return reclaim_clean(k);
}
