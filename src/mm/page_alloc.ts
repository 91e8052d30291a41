// __get_free_pages / free_pages (mm/page_alloc.c, 2.1.47): pick the first block on the
// lowest non-empty list at or above the order (RMQUEUE), split it (EXPAND keeps the top
// part). Above the reserve an allocation either finds a block or fails at once; at the
// reserve it asks reclaim to free a page and tries again (docs/model.md, "The allocator").

import { CODE_OF } from '../events.js';
import type { Kernel } from '../kernel/kernel.js';
import { NR_MEM_LISTS, getPage } from '../state.js';
import type { StrictConfig } from '../kernel/config.js';
import { steal_specific_page } from './steal.js';
import { delete_from_swap_cache } from './swap_state.js';
import { freeBlockOrderAt } from '../reducer/buddy.js';

// The priorities of include/linux/mm.h that change what __get_free_pages does (their numbers are mmsim's).
export const GFP_KERNEL = 0;
/** Never reclaims and may take the reserve (interrupts). */
export const GFP_ATOMIC = 1;
/** A page for a user mapping: the same as GFP_KERNEL, except in strict mode (user frames only). */
export const GFP_USER = 2;
/** Buffer heads: may not call try_to_free_page (it could recurse into the buffer cache). */
export const GFP_BUFFER = 3;
/** The NFS client: keeps only 5 pages in reserve instead of min_free_pages. */
export const GFP_NFS = 4;

/** 2.1.47's __get_free_pages keeps this many pages back from GFP_NFS requests (a literal in mm/page_alloc.c). */
export const NFS_RESERVED_PAGES = 5;

/** RMQUEUE without the reserve check: the pfn that an allocation of `order` would get, or -1. */
export function rmqueue(k: Kernel, order: number): { pfn: number; from: number } | null {
  for (let from = order; from < NR_MEM_LISTS; from++) {
    const head = k.s.freeArea[from].head;
    if (head >= 0) return { pfn: head + (1 << from) - (1 << order), from };
  }
  return null;
}

/** RMQUEUE and account the allocation; -1 when no block of `order` or larger is free. */
function take(k: Kernel, order: number): number {
  const got = rmqueue(k, order);
  if (got === null) return -1;
  k.emit({ t: 'page_alloc', pfn: got.pfn, order, from: got.from }, CODE_OF.page_alloc);
  return got.pfn;
}

/** The allocation failed: counted per order (stats.allocFailures), -1 for the caller. */
function fail(k: Kernel, order: number, gfp: number): number {
  k.emit({ t: 'alloc_fail', order, gfp }, CODE_OF.alloc_fail);
  return -1;
}

/** Returns the first pfn of the allocated block, or -1 when memory cannot be found. */
export function __get_free_pages(k: Kernel, order: number, gfp = GFP_KERNEL): number {
  if (k.cfg.strict !== undefined) return strict_get_free_pages(k, k.cfg.strict, order, gfp);
  if (order >= NR_MEM_LISTS) return -1; // 2.1.47 returns 0 before looking: no such list
  if (k.cfg.alloc === 'retry') return retry_get_free_pages(k, order, gfp);
  const reserved = gfp === GFP_NFS ? NFS_RESERVED_PAGES : k.cfg.watermarks.min;
  // repeat: each try_to_free_page that succeeds freed a page, so nr_free_pages climbs to the
  // reserve; the bound only guards against a policy that claims success without freeing
  for (let round = 0; round <= k.s.nframes; round++) {
    if (gfp === GFP_ATOMIC || k.s.nrFree > reserved) {
      const pfn = take(k, order);
      if (pfn >= 0) return pfn;
      // --steal: LaHaise's steal_specific_page, tried where 2.1.47 gives up
      if (k.cfg.steal === true && order >= 1) {
        const stolen = steal_specific_page(k, order);
        if (stolen >= 0) return stolen;
      }
      // no block of the order: 0 at once, no reclaim, no dip into the reserve
      return fail(k, order, gfp);
    }
    if (gfp === GFP_BUFFER || !k.reclaim.tryToFreePage(k)) return fail(k, order, gfp);
  }
  return fail(k, order, gfp);
}

/**
 * `--alloc retry` (mmsim's allocator before it followed 2.1.47): a request that finds no
 * block reclaims and retries up to 64 times, and with nothing reclaimable dips into the reserve.
 */
function retry_get_free_pages(k: Kernel, order: number, gfp: number): number {
  // --steal: a high-order request with no free block that large empties one (once per call)
  let steal = k.cfg.steal === true && order >= 1;
  for (let attempt = 0; attempt < 64; attempt++) {
    if (gfp === GFP_ATOMIC || k.s.nrFree > k.cfg.watermarks.min) {
      const pfn = take(k, order);
      if (pfn >= 0) return pfn;
      if (steal) {
        steal = false;
        const stolen = steal_specific_page(k, order);
        if (stolen >= 0) return stolen;
      }
    }
    if (gfp === GFP_BUFFER || !k.reclaim.tryToFreePage(k)) {
      // nothing reclaimable: dip into the reserve before failing, as GFP_ATOMIC would
      const pfn = take(k, order);
      if (pfn >= 0) return pfn;
      if (steal) {
        const stolen = steal_specific_page(k, order);
        if (stolen >= 0) return stolen;
      }
      return fail(k, order, gfp);
    }
  }
  return fail(k, order, gfp);
}

/** __free_page: drop one reference; at zero leave the swap cache and return the block to the buddy lists. */
export function free_page(k: Kernel, pfn: number, order = 0, reclaim = 0): void {
  k.emit({ t: 'put_page', pfn }, CODE_OF.put_page);
  const page = getPage(k.s, pfn);
  if (page.count !== 0) return;
  // e.g. a page on an LRU list leaves it before it is freed
  k.reclaim.hooks?.pageFreeing?.(k, pfn);
  delete_from_swap_cache(k, pfn);
  k.emit({ t: 'page_free', pfn, order, reclaim }, CODE_OF.page_free);
}

// Strict demand paging: user pages get exactly `userFrames` frames, handed out in clock
// order from the hand, and a user allocation with none free reclaims exactly one page.
// Kernel pages come from the pool below userBase (userBase is 32-aligned, so no buddy
// block straddles the boundary).

/** Order of the free buddy block that contains `pfn`, or -1 when `pfn` is not free. */
export function freeBlockOrder(k: Kernel, pfn: number): number {
  return freeBlockOrderAt(k.s, pfn);
}

/** The free user frame at or after the hand, in clock order (wrapping), or -1. */
export function strict_next_user_frame(k: Kernel, st: StrictConfig): number {
  const lo = st.userBase,
    n = st.userFrames;
  const hand = k.s.hand >= lo && k.s.hand < lo + n ? k.s.hand : lo;
  let best = -1,
    bestDist = n;
  for (let o = 0; o < NR_MEM_LISTS; o++) {
    for (let b = k.s.freeArea[o].head; b >= 0; b = getPage(k.s, b).next) {
      if (b < lo) continue;
      const cand = hand >= b && hand < b + (1 << o) ? hand : b;
      const dist = (cand - hand + n) % n;
      if (dist < bestDist) {
        bestDist = dist;
        best = cand;
      }
    }
  }
  return best;
}

/** strict_next_user_frame's frame, from the policy's index of free frames when it keeps one (no walk of the free lists). */
function next_user_frame(k: Kernel, st: StrictConfig): number {
  if (k.reclaim.freeUserFrame === undefined) return strict_next_user_frame(k, st);
  const lo = st.userBase;
  return k.reclaim.freeUserFrame(k.s.hand >= lo && k.s.hand < lo + st.userFrames ? k.s.hand : lo);
}

function strict_get_free_pages(k: Kernel, st: StrictConfig, order: number, gfp: number): number {
  if (gfp === GFP_USER && order === 0) {
    let pfn = next_user_frame(k, st);
    if (pfn < 0) {
      if (!k.reclaim.tryToFreePage(k)) return -1;
      pfn = next_user_frame(k, st);
      if (pfn < 0) return -1;
    }
    k.emit({ t: 'page_alloc', pfn, order: 0, from: freeBlockOrder(k, pfn) }, CODE_OF.page_alloc);
    k.reclaim.allocated?.(k, pfn);
    return pfn;
  }
  // RMQUEUE restricted to the kernel pool
  for (let from = order; from < NR_MEM_LISTS; from++) {
    for (let b = k.s.freeArea[from].head; b >= 0; b = getPage(k.s, b).next) {
      if (b >= st.userBase) continue;
      const pfn = b + (1 << from) - (1 << order);
      k.emit({ t: 'page_alloc', pfn, order, from }, CODE_OF.page_alloc);
      return pfn;
    }
  }
  return -1;
}
