// __get_free_pages / free_pages (mm/page_alloc.c, 2.1.47): pick the first block on the
// lowest non-empty list at or above the order (RMQUEUE), split it (EXPAND keeps the top
// part), and when free memory is at the reserve, ask reclaim to free a page and retry.

import type { Kernel } from '../kernel/kernel.js';
import { NR_MEM_LISTS, getPage } from '../state.js';
import { PG_swap_cache } from './page-flags.js';

export const GFP_KERNEL = 0;
export const GFP_ATOMIC = 1;

/** RMQUEUE without the reserve check: the pfn that an allocation of `order` would get, or -1. */
export function rmqueue(k: Kernel, order: number): { pfn: number; from: number } | null {
  for (let from = order; from < NR_MEM_LISTS; from++) {
    const head = k.s.freeArea[from].head;
    if (head >= 0) return { pfn: head + (1 << from) - (1 << order), from };
  }
  return null;
}

/** Returns the first pfn of the allocated block, or -1 when memory cannot be found. */
export function __get_free_pages(k: Kernel, order: number, gfp = GFP_KERNEL): number {
  // Bounded retry: each round either allocates, or reclaim frees a page, or we give up.
  for (let attempt = 0; attempt < 64; attempt++) {
    if (gfp === GFP_ATOMIC || k.s.nrFree > k.cfg.watermarks.min) {
      const got = rmqueue(k, order);
      if (got !== null) {
        k.emit({ t: 'page_alloc', pfn: got.pfn, order, from: got.from });
        return got.pfn;
      }
    }
    if (!k.reclaim.tryToFreePage(k)) {
      // Nothing reclaimable: dip into the reserve before failing, as GFP_ATOMIC would.
      const got = rmqueue(k, order);
      if (got === null) return -1;
      k.emit({ t: 'page_alloc', pfn: got.pfn, order, from: got.from });
      return got.pfn;
    }
  }
  return -1;
}

/** __free_page: drop one reference; at zero leave the swap cache and return the block to the buddy lists. */
export function free_page(k: Kernel, pfn: number, order = 0, reclaim = 0): void {
  k.emit({ t: 'put_page', pfn });
  const page = getPage(k.s, pfn);
  if (page.count !== 0) return;
  if ((page.flags & PG_swap_cache) !== 0) {
    const entry = page.swap;
    k.emit({ t: 'swap_cache_del', pfn });
    k.emit({ t: 'swap_free', entry });
  }
  k.emit({ t: 'page_free', pfn, order, reclaim });
}
