// The swap cache (mm/swap_state.c, 2.1.47): a page that has a copy on swap keeps its swap
// entry in pg_swap_entry and holds one reference to that entry while it stays in the cache.

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
