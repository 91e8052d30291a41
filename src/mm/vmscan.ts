// LaHaise's page-centric kswapd (mm/vmscan.c of the 1997 patch): a single clock hand over
// mem_map. For each page it tests and clears the accessed bit of every pte on the page's
// reverse map, so a shared page is looked at once for all its mappings. An unreferenced
// page is unmapped from all its ptes at once, written out if dirty, and freed.

import { age_page, touch_page } from '../include/swapctl.js';
import { SWP_ENTRY, pte_dirty } from '../arch/i386/page.js';
import { CODE_OF } from '../events.js';
import type { Kernel } from '../kernel/kernel.js';
import { SWAPOUT_INTERVAL_US } from '../kernel/config.js';
import { getPage, type Page } from '../state.js';
import { free_page } from './page_alloc.js';
import { page_referenced_into, PR_DIRTY, PR_REFERENCED, rmap_walk_into, type PteBuffer } from './rmap.js';
import { PG_dirty, PG_kernel, PG_locked, PG_referenced, PG_reserved, PG_swap_cache } from '../include/page-flags.js';
import { read_pte } from './memory.js';
import { get_swap_page } from './swapfile.js';
import { delete_from_swap_cache } from './swap_state.js';
import { file_dev, finish_swap_write, nr_async_pages, queue_write, start_swap_write } from './page_io.js';

export const SKIP = PG_reserved | PG_locked | PG_kernel;

/** References a page may hold and still be reclaimable: one per mapping plus the page cache's. */
export function expectedRefs(p: Page): number {
  return p.mapcount + (p.inode !== 0 ? 1 : 0);
}

/** Examine the page under the hand, advance the hand; returns true when the page was freed. */
export function clock_step(k: Kernel, lo = 0, hi = k.s.nframes): boolean {
  const s = k.s;
  const pfn = s.hand;
  const next = pfn + 1 >= hi ? lo : pfn + 1;
  const page = getPage(s, pfn);
  // with several CPUs, a page another CPU has locked, or whose ptes it holds locked, is skipped (trylock)
  if (page.count === 0 || (page.flags & SKIP) !== 0 || page.count !== expectedRefs(page) || k.reclaimMayTouch?.(pfn) === false) {
    k.emit({ t: 'clock_advance', hand: next, ptes: 0 }, CODE_OF.clock_advance);
    return false;
  }
  const depth = lookDepth++;
  const freed = clock_look(k, pfn, next, lookBuffer(depth));
  // not reached when an error unwinds: the depth stays one higher, and no buffer is shared
  lookDepth = depth;
  return freed;
}

/**
 * The reclaim paths' pte buffers by nesting depth (reclaim inside reclaim gets its own),
 * kept from look to look: a new array per page looked at was most of what the clock
 * allocated outside its events.
 */
const lookBuffers: PteBuffer[] = [];
let lookDepth = 0;
function lookBuffer(depth: number): PteBuffer {
  return lookBuffers[depth] ?? (lookBuffers[depth] = { ptes: [], n: 0 });
}

/** clock_step on a page it may take: look at its ptes, then keep it or free it. */
function clock_look(k: Kernel, pfn: number, next: number, buf: PteBuffer): boolean {
  const lat = k.cfg.latencies;
  // Test and clear the accessed bit of every pte mapping the page: the OR is the page's reference.
  const r = page_referenced_into(k, pfn, buf);
  const nptes = buf.n;
  k.emit({ t: 'clock_advance', hand: next, ptes: nptes }, CODE_OF.clock_advance);
  k.tick(lat.scanPageUs + nptes * lat.scanPteUs);
  if ((r & PR_REFERENCED) !== 0) {
    if ((getPage(k.s, pfn).flags & PG_referenced) !== 0) k.emit({ t: 'page_flags', pfn, set: 0, clear: PG_referenced }, CODE_OF.page_flags);
    // --age 2.1.47: touch_page once per look (the page-centric clock looks at a page, not a pte)
    if (k.cfg.ageing === true) setAge(k, pfn, touch_page(getPage(k.s, pfn).age));
    return false;
  }
  if (k.cfg.ageing === true) {
    // age_page: an unreferenced page survives while its age is above 0
    const age = age_page(getPage(k.s, pfn).age);
    setAge(k, pfn, age);
    if (age > 0) return false;
  }
  return unmap_and_free(k, pfn, buf.ptes, (r & PR_DIRTY) !== 0, nptes);
}

function setAge(k: Kernel, pfn: number, age: number): void {
  if (getPage(k.s, pfn).age !== age) k.emit({ t: 'page_age', pfn, age }, CODE_OF.page_age);
}

/**
 * Reclaim one chosen page now (strict-mode fifo/lru/opt pick the victim themselves):
 * unmap it from every pte on its reverse map, write it out if dirty, and free it.
 */
export function reclaim_page(k: Kernel, pfn: number): boolean {
  const page = getPage(k.s, pfn);
  if (page.count === 0 || (page.flags & SKIP) !== 0 || page.count !== expectedRefs(page)) return false;
  const depth = lookDepth++;
  const buf = lookBuffer(depth);
  rmap_walk_into(k, pfn, buf);
  let dirty = (page.flags & PG_dirty) !== 0;
  for (let i = 0; i < buf.n; i++) if (pte_dirty(read_pte(k, buf.ptes[i]))) dirty = true;
  const freed = unmap_and_free(k, pfn, buf.ptes, dirty, buf.n);
  lookDepth = depth; // as in clock_step
  return freed;
}

/** Unmap every pte of an unreferenced page at once (the first `n` of `ptes`), write it out if needed, and free it. */
export function unmap_and_free(k: Kernel, pfn: number, ptes: readonly number[], dirty: boolean, n = ptes.length): boolean {
  const page = getPage(k.s, pfn);
  if (page.inode === 0) {
    // Anonymous: its ptes get a swap entry. A clean swap-cached page is already on swap.
    let entry: number;
    let write = -1;
    if ((page.flags & PG_swap_cache) !== 0 && !dirty) {
      entry = page.swap;
      for (let i = 0; i < n; i++) k.emit({ t: 'swap_dup', entry }, CODE_OF.swap_dup);
      chargeOwnerWalks(k, n);
    } else {
      entry = get_swap_page(k);
      if (entry === 0) return false; // swap is full: the page stays
      chargeOwnerWalks(k, n);
      delete_from_swap_cache(k, pfn);
      k.emit({ t: 'swap_out', pfn, entry, refs: n }, CODE_OF.swap_out);
      write = start_swap_write(k, pfn);
    }
    for (let i = 0; i < n; i++) {
      const pte = ptes[i];
      unlink_for_swapout(k, pte, pfn);
      k.emit({ t: 'pte_set', pte, val: SWP_ENTRY(entry) }, CODE_OF.pte_set);
      free_page(k, pfn, 0, 1);
    }
    finish_swap_write(k, write);
    return n > 0;
  }
  // File page: drop the mappings, write back if dirty, then leave the page cache.
  chargeOwnerWalks(k, n);
  for (let i = 0; i < n; i++) {
    const pte = ptes[i];
    unlink_for_swapout(k, pte, pfn);
    k.emit({ t: 'pte_clear', pte }, CODE_OF.pte_clear);
    free_page(k, pfn, 0, 1);
  }
  if (dirty) {
    k.emit({ t: 'writepage', pfn }, CODE_OF.writepage);
    queue_write(k, pfn, file_dev(k, page.inode));
  }
  k.emit({ t: 'page_cache_del', pfn }, CODE_OF.page_cache_del);
  free_page(k, pfn, 0, 1);
  return true;
}

/**
 * A pte-based map names a pte, not its owner: unmapping it needs the mm and vma (rss, vm_ops,
 * the TLB), found by pte_getpmd -> pmd_getpgd -> pgd_getmm and find_vma (ownerWalkNs each).
 * A vma-based walk (objrmap, anon_vma) starts from the vma and pays vmaVisitNs instead.
 */
function chargeOwnerWalks(k: Kernel, ptes: number): void {
  if (k.rmap.walkCost === undefined) k.chargeNs(ptes * k.cfg.latencies.ownerWalkNs);
}

/** pte_unlink before the pte is rewritten; skipped by an injected swapout-no-unlink (the rewrite is then the bug). */
function unlink_for_swapout(k: Kernel, pte: number, pfn: number): void {
  if (k.inject.fire('swapout-no-unlink')) k.inject.note(k.m.events);
  else k.emit({ t: 'pte_unlink', pte, pfn }, CODE_OF.pte_unlink);
}

/** The clock's try_to_free_page: two full turns of the hand, the first clears referenced bits, the second finds them clear. */
export function clock_try_to_free_page(k: Kernel): boolean {
  const limit = 2 * k.s.nframes;
  for (let i = 0; i < limit; i++) if (clock_step(k)) return true;
  return false;
}

/**
 * swap_tick (each jiffy): wake kswapd when free memory (nr_free_pages + nr_async_pages) is
 * below free_pages_low, or below free_pages_high and swapout_interval has passed since its
 * last run. kswapd then frees pages until that sum reaches free_pages_high, one operation per
 * page freed (a page it writes out asynchronously is free once its write completes).
 */
export function swap_tick(k: Kernel): void {
  if (!kswapd_due(k)) return;
  const wm = k.cfg.watermarks;
  let rounds = 0;
  while (k.s.nrFree + nr_async_pages(k.s) < wm.high && rounds++ < wm.high * 2) {
    k.op('kswapd', -1);
    if (!k.reclaim.tryToFreePage(k)) break;
  }
}

/** swap_tick's test: free memory below free_pages_low, or below free_pages_high with swapout_interval passed. */
export function kswapd_due(k: Kernel): boolean {
  const wm = k.cfg.watermarks;
  const s = k.s;
  const due = s.time >= s.lastKswapd + SWAPOUT_INTERVAL_US;
  // pages under asynchronous write-out count as free: they will be (nr_async_pages, 2.1.47 swap_tick and kswapd)
  const free = s.nrFree + nr_async_pages(s);
  return free < wm.low || (free < wm.high && due);
}
