// The swap cache (mm/swap_state.c, 2.1.47): a page that has a copy on swap keeps its swap
// entry in pg_swap_entry and holds one reference to that entry while it stays in the cache.
// Under --swap-cache 2.1.88 it can also be found by its entry (lookup_swap_cache); which
// rules a run follows is the state's (s.swap.cache exists only under 2.1.88's).

import type { Kernel } from '../kernel/kernel.js';
import { PG_swap_cache } from '../include/page-flags.js';
import { getPage } from '../state.js';

/**
 * delete_from_swap_cache(): `pfn` leaves the swap cache and the cache's reference to its swap
 * entry is dropped (swap_free), because the copy on swap is stale or no longer wanted. Does
 * nothing for a page that is not swap-cached.
 */
export function delete_from_swap_cache(k: Kernel, pfn: number): void {
  const page = getPage(k.s, pfn);
  if ((page.flags & PG_swap_cache) === 0) return;
  const entry = page.swap;
  k.emit({ t: 'swap_cache_del', pfn });
  k.emit({ t: 'swap_free', entry });
}

/** The run follows 2.1.88's swap-cache rules (--swap-cache 2.1.88): lookup by entry, Tweedie's invariant. */
export const swapCache2188 = (k: Kernel): boolean => k.s.swap.cache !== undefined;

/**
 * lookup_swap_cache (2.1.88 mm/swap_state.c): the page caching swap entry `entry`, or -1.
 * Always -1 under 2.1.47's rules, which have no way from an entry back to a page. mmsim's
 * swap cache holds no page reference (2.1.47's), so a page is found only while some pte
 * maps it; 2.1.88's lives in the page cache and keeps the page until shrink_mmap frees it.
 */
export function lookup_swap_cache(k: Kernel, entry: number): number {
  const c = k.s.swap.cache;
  return c === undefined ? -1 : c[entry >> 6][entry & 63] - 1;
}
