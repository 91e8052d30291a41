// 2.4.0 as released (mm/vmscan.c of 2.4.0-prerelease, 379a6be1e): the active /
// inactive_dirty / inactive_clean lists of src/mm/vmscan-lru.ts, but no reverse map.
// refill_inactive_scan ages active pages by PG_referenced alone and deactivates a page only
// when its age is 0 and nobody maps it (page_count <= 1: the page cache's reference);
// mapped pages wait for swap_out's walk of each process's page tables (try_to_swap_out) to
// unmap them, one pte at a time, ageing a page up when its pte was young. page_launder
// writes dirty inactive pages and moves them to inactive_clean; reclaim_page frees from
// there. (van Riel's 2.4-rmap patches age and unmap through the reverse map instead:
// src/mm/vmscan-lru.ts, policy 2.4-rmap.)
//
// What mmsim simplifies (docs/model.md, 2.4.0): its swap cache holds no page reference
// (2.1.47's), so when try_to_swap_out takes the last pte of an anonymous page the page is
// written and freed at once, where 2.4.0 leaves it in the swap cache on the active list for
// refill_inactive_scan and page_launder; swap_out picks processes as 2.1.47's does
// (skip_factor, swap_cnt = AGE_CLUSTER_SIZE) where 2.4.0 picks the largest swap_cnt; there
// are no buffers, dcache or icache to shrink, and no inactive_target or free_shortage sums:
// it works one page at a time like the other policies.

import { SWP_ENTRY, pte_dirty, pte_pfn, pte_write, pte_young } from '../arch/i386/page.js';
import type { Kernel } from '../kernel/kernel.js';
import { PG_active, PG_dirty, PG_locked, PG_referenced, PG_reserved, PG_swap_cache } from '../include/page-flags.js';
import type { DeepReadonly } from '../include/readonly.js';
import { getPage, VmaKind, type Mm, type Vma } from '../state.js';
import { read_pte } from './memory.js';
import { free_page } from './page_alloc.js';
import { delete_from_swap_cache } from './swap_state.js';
import { get_swap_page } from './swapfile.js';
import { SwapResult, swap_out } from './swap_out.js';
import { SKIP } from './vmscan.js';
import { DEF_PRIORITY, LRU_ACTIVE, LRU_INACTIVE_CLEAN, LRU_INACTIVE_DIRTY, ageDown, ageUp, lruSlice } from './vmscan-lru.js';
import { DEV_DISK, file_dev, finish_swap_write, queue_write, start_swap_write } from './page_io.js';

function setAge(k: Kernel, pfn: number, age: number): void {
  if (getPage(k.s, pfn).age !== age) k.emit({ t: 'page_age', pfn, age });
}

/** A page the list scanners must leave alone: kernel frames and locked pages (2.4.0 has no reverse map to count mappings by). */
function busy(k: Kernel, pfn: number): boolean {
  return (getPage(k.s, pfn).flags & SKIP) !== 0;
}

/** Nobody maps the page: a page-cache page holding only the cache's reference (page_count <= 1). */
function unmappedCachePage(k: Kernel, pfn: number): boolean {
  const p = getPage(k.s, pfn);
  return p.inode !== 0 && p.count <= 1;
}

/** PageTestandClearReferenced. */
function testAndClearReferenced(k: Kernel, pfn: number): boolean {
  if ((getPage(k.s, pfn).flags & PG_referenced) === 0) return false;
  k.emit({ t: 'page_flags', pfn, set: 0, clear: PG_referenced });
  return true;
}

/** One look at a page on a list: charged like a clock step (no ptes are visited). */
function looked(k: Kernel, pfn: number): void {
  k.emit({ t: 'lru_scan', pfn, ptes: 0 });
  k.tick(k.cfg.latencies.scanPageUs);
}

/**
 * 2.4.0 try_to_swap_out for one present pte: a young pte is made old and its page aged up;
 * a page off the active list is aged down; at age 0 the pte goes (to the swap cache's entry,
 * to a new swap entry, or away), and the page is deactivated.
 */
export function try_to_swap_out_240(
  k: Kernel,
  mm: DeepReadonly<Mm>,
  vma: DeepReadonly<Vma>,
  addr: number,
  pte: number,
  slots: number,
): SwapResult {
  const v = read_pte(k, pte);
  const pfn = pte_pfn(v);
  const page = getPage(k.s, pfn);
  if ((page.flags & (PG_reserved | PG_locked)) !== 0) return SwapResult.None;
  k.emit({ t: 'swap_scan', mm: mm.id, addr, pfn, slots });
  k.tick(k.cfg.latencies.scanPteUs);
  if (pte_young(v)) {
    k.emit({ t: 'pte_mkold', pte });
    setAge(k, pfn, ageUp(page.age));
    return SwapResult.None;
  }
  // still mapped, so not freeable: an inactive page ages here, an active one in refill_inactive_scan
  if ((page.flags & PG_active) === 0) setAge(k, pfn, ageDown(page.age));
  if (getPage(k.s, pfn).age > 0) return SwapResult.None;
  // the only reference is this pte's (mmsim's swap cache holds none): unmapping it frees the page
  const last = page.count === 1;
  if (page.inode === 0) {
    // anonymous: its pte gets a swap entry
    // written since it was cached (2.1.47's do_wp_page leaves a sole owner's page in the cache)
    const stale = pte_dirty(v) && pte_write(v);
    if ((page.flags & PG_swap_cache) !== 0 && !stale) {
      // already on swap: this pte takes its own reference to the entry (a dirty read-only pte
      // is a COW sharer's: the data is the copy written when the page was cached)
      const entry = page.swap;
      if (last) k.emit({ t: 'swap_cache_del', pfn });
      else k.emit({ t: 'swap_dup', entry });
      unmap(k, pte, pfn, SWP_ENTRY(entry));
      deactivate(k, pfn);
      free_page(k, pfn, 0, 1);
      return last ? SwapResult.Freed : SwapResult.Unmapped;
    }
    const entry = get_swap_page(k);
    if (entry === 0) return SwapResult.None;
    if (last) {
      delete_from_swap_cache(k, pfn);
      unmap(k, pte, pfn, SWP_ENTRY(entry));
      k.emit({ t: 'swap_out', pfn, entry, refs: 1 });
      // the write occupies the disk; kswapd's is asynchronous, the page freed when it completes (src/mm/page_io.ts)
      const write = start_swap_write(k, pfn);
      free_page(k, pfn, 0, 1);
      finish_swap_write(k, write);
      return SwapResult.Freed;
    }
    // shared: add_to_swap_cache, written now; the other sharers keep the page, swap-cached
    k.emit({ t: 'swap_out', pfn, entry, refs: 2 });
    k.emit({ t: 'swap_cache_add', pfn, entry });
    queue_write(k, pfn, DEV_DISK);
    unmap(k, pte, pfn, SWP_ENTRY(entry));
    deactivate(k, pfn);
    free_page(k, pfn, 0, 1);
    return SwapResult.Unmapped;
  }
  // a file page: a dirty pte of a shared mapping dirties the page (set_page_dirty); drop the pte
  if (pte_dirty(v) && vma.kind === VmaKind.SharedFile && (page.flags & PG_dirty) === 0) {
    k.emit({ t: 'page_flags', pfn, set: PG_dirty, clear: 0 });
  }
  unmap(k, pte, pfn, 0);
  deactivate(k, pfn);
  free_page(k, pfn, 0, 1);
  return SwapResult.Unmapped;
}

function unmap(k: Kernel, pte: number, pfn: number, val: number): void {
  k.emit({ t: 'pte_unlink', pte, pfn });
  if (val === 0) k.emit({ t: 'pte_clear', pte });
  else k.emit({ t: 'pte_set', pte, val });
}

/** deactivate_page: an active page nobody else maps any more goes to inactive_dirty. */
function deactivate(k: Kernel, pfn: number): void {
  const p = getPage(k.s, pfn);
  // after this pte goes: the page cache's reference, or nothing for an anonymous page
  const unmapped = p.count - 1 <= (p.inode !== 0 ? 1 : 0);
  if ((p.flags & PG_active) !== 0 && unmapped) {
    setAge(k, pfn, 0);
    k.emit({ t: 'lru_move', pfn, list: LRU_INACTIVE_DIRTY });
  }
}

/**
 * refill_inactive_scan(priority): nr_active >> priority pages from the active list's tail.
 * PG_referenced ages a page up; otherwise its age halves, and at 0 a page that nobody maps
 * goes to inactive_dirty. Returns true when one did (oneshot: 2.4.0's refill_inactive stops there).
 */
export function refill_inactive_scan_240(k: Kernel, priority: number): boolean {
  const lists = lruSlice(k.s).lists;
  let n = lists[LRU_ACTIVE].nr >> priority;
  while (n-- > 0 && lists[LRU_ACTIVE].tail >= 0) {
    const pfn = lists[LRU_ACTIVE].tail;
    if (busy(k, pfn)) {
      k.emit({ t: 'lru_move', pfn, list: LRU_ACTIVE });
      continue;
    }
    looked(k, pfn);
    const page = getPage(k.s, pfn);
    if (testAndClearReferenced(k, pfn)) {
      setAge(k, pfn, ageUp(page.age));
      k.emit({ t: 'lru_move', pfn, list: LRU_ACTIVE });
      continue;
    }
    const age = ageDown(page.age);
    setAge(k, pfn, age);
    if (age === 0 && unmappedCachePage(k, pfn)) {
      k.emit({ t: 'lru_move', pfn, list: LRU_INACTIVE_DIRTY });
      return true;
    }
    k.emit({ t: 'lru_move', pfn, list: LRU_ACTIVE });
  }
  return false;
}

/**
 * page_launder: each inactive_dirty page once from the tail. A page referenced or mapped
 * again goes back to the active list; a dirty one is written (writepage); then it is clean
 * and goes to inactive_clean. Returns how many reached inactive_clean.
 */
export function page_launder_240(k: Kernel): number {
  const lists = lruSlice(k.s).lists;
  let n = lists[LRU_INACTIVE_DIRTY].nr;
  let cleaned = 0;
  while (n-- > 0 && lists[LRU_INACTIVE_DIRTY].tail >= 0) {
    const pfn = lists[LRU_INACTIVE_DIRTY].tail;
    if (busy(k, pfn)) {
      k.emit({ t: 'lru_move', pfn, list: LRU_INACTIVE_DIRTY });
      continue;
    }
    looked(k, pfn);
    const page = getPage(k.s, pfn);
    if (testAndClearReferenced(k, pfn) || !unmappedCachePage(k, pfn)) {
      setAge(k, pfn, ageUp(page.age));
      k.emit({ t: 'lru_move', pfn, list: LRU_ACTIVE });
      continue;
    }
    if ((page.flags & PG_dirty) !== 0) {
      k.emit({ t: 'writepage', pfn });
      queue_write(k, pfn, file_dev(k, page.inode));
    }
    k.emit({ t: 'lru_move', pfn, list: LRU_INACTIVE_CLEAN });
    cleaned++;
  }
  return cleaned;
}

/** reclaim_page: free the first inactive_clean page from the tail that is still unmapped, clean and unreferenced. */
export function reclaim_page_240(k: Kernel): boolean {
  const lists = lruSlice(k.s).lists;
  let n = lists[LRU_INACTIVE_CLEAN].nr;
  while (n-- > 0 && lists[LRU_INACTIVE_CLEAN].tail >= 0) {
    const pfn = lists[LRU_INACTIVE_CLEAN].tail;
    const page = getPage(k.s, pfn);
    if (busy(k, pfn) || !unmappedCachePage(k, pfn) || (page.flags & PG_referenced) !== 0) {
      k.emit({ t: 'lru_move', pfn, list: LRU_ACTIVE });
      continue;
    }
    if ((page.flags & PG_dirty) !== 0) {
      k.emit({ t: 'lru_move', pfn, list: LRU_INACTIVE_DIRTY });
      continue;
    }
    looked(k, pfn);
    k.emit({ t: 'page_cache_del', pfn });
    free_page(k, pfn, 0, 1);
    return true;
  }
  return false;
}

/**
 * do_try_to_free_pages, one page at a time: free from inactive_clean; else launder and try
 * again; else, priority 6 down to 0, refill_inactive: refill_inactive_scan and swap_out
 * (whose walk frees an anonymous page outright when it takes its last pte).
 */
export function try_to_free_page_240(k: Kernel): boolean {
  if (reclaim_page_240(k)) return true;
  if (page_launder_240(k) > 0 && reclaim_page_240(k)) return true;
  for (let priority = DEF_PRIORITY; priority >= 0; priority--) {
    while (refill_inactive_scan_240(k, priority)) {
      if (page_launder_240(k) > 0 && reclaim_page_240(k)) return true;
    }
    if (swap_out(k, priority, try_to_swap_out_240)) return true;
    if (page_launder_240(k) > 0 && reclaim_page_240(k)) return true;
  }
  // always end on a refill_inactive_scan
  while (refill_inactive_scan_240(k, 0)) if (page_launder_240(k) > 0 && reclaim_page_240(k)) return true;
  return false;
}
