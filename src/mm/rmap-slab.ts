// A reverse map's slab cache (pte-pool blocks, pte_chains, anon_vmas) takes its pages from
// mem_map through the buddy allocator, as the seed's link pages do (src/include/design.ts slab).

import { PAGE_SIZE } from '../arch/i386/page.js';
import type { Kernel } from '../kernel/kernel.js';
import { slabPages } from '../rmap/arena.js';
import { __get_free_pages, GFP_KERNEL } from './page_alloc.js';

/**
 * rmap_reserve: make room for `n` more reverse-map objects before an operation links ptes
 * (or, for anon_vma, prepares one), taking pages from the buddy allocator while the design's
 * slab cache is short: 2.5's pte_chain_alloc(GFP_KERNEL) before the page-table lock, 2.6's
 * anon_vma_prepare. A reverse map's memory thus competes with user pages, as the seed's link
 * pages do. Called where an allocation may reclaim (the fault's start, each pte fork copies),
 * never in the middle of one. Out of memory: the objects are made anyway (the run goes on;
 * the slab is then overdrawn, which test/mm/rmap.test.ts shows does not happen in the scenarios).
 */
export function rmap_reserve(k: Kernel, n = 1): void {
  const slab = k.rmap.slab;
  if (slab === undefined || k.cfg.strict !== undefined) return;
  const perPage = Math.floor(PAGE_SIZE / slab.objectBytes);
  while (slabPages(k.s) * perPage - slab.inUse(k.s) < n) {
    const pfn = __get_free_pages(k, 0, GFP_KERNEL);
    if (pfn < 0) return;
    k.emit({ t: 'rmap_slab_grow', pfn });
  }
}
