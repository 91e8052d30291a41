// page_referenced (named after 2.5's mm/rmap.c): walk a page's reverse map, test and clear
// the accessed bit of every pte (one pte_mkold per young pte), and note dirtiness. The
// page's reference is the OR of its ptes' accessed bits and PG_referenced, which the caller
// clears when it acts on it. Shared by the page-centric clock and the active/inactive lists.

import { pte_dirty, pte_young } from '../arch/i386/page.js';
import { CODE_OF } from '../events.js';
import type { Kernel } from '../kernel/kernel.js';
import { getPage } from '../state.js';
import { read_pte } from './memory.js';
import { PG_dirty, PG_referenced } from '../include/page-flags.js';

export interface PageReference {
  /** The ptes mapping the page, in reverse-map order. */
  ptes: number[];
  /** Some pte was young, or the page had PG_referenced. */
  referenced: boolean;
  /** Some pte was dirty, or the page had PG_dirty. */
  dirty: boolean;
}

/** page_referenced_into's answer: bits, so that a look allocates no object. */
export const PR_REFERENCED = 1,
  PR_DIRTY = 2;

/**
 * ptes with a count of their own: a caller that looks at page after page (the clock) reuses
 * one, and it keeps its capacity (an array cut to length 0 gives its store back to V8, and
 * the next push allocates one again). Entries at n and beyond are stale.
 */
export interface PteBuffer {
  ptes: number[];
  n: number;
}

export function page_referenced(k: Kernel, pfn: number): PageReference {
  const buf: PteBuffer = { ptes: [], n: 0 };
  const r = page_referenced_into(k, pfn, buf);
  return { ptes: buf.ptes, referenced: (r & PR_REFERENCED) !== 0, dirty: (r & PR_DIRTY) !== 0 };
}

/** page_referenced with the ptes left in `buf` and the answer as PR_* bits. */
export function page_referenced_into(k: Kernel, pfn: number, buf: PteBuffer): number {
  const page = getPage(k.s, pfn);
  let referenced = (page.flags & PG_referenced) !== 0;
  let dirty = (page.flags & PG_dirty) !== 0;
  rmap_walk_into(k, pfn, buf);
  const ptes = buf.ptes,
    n = buf.n;
  for (let i = 0; i < n; i++) {
    const pte = ptes[i];
    const v = read_pte(k, pte);
    if (pte_young(v)) {
      referenced = true;
      k.emit({ t: 'pte_mkold', pte }, CODE_OF.pte_mkold);
    }
    if (pte_dirty(v)) dirty = true;
  }
  // pte_chain: a one-entry chain collapses back to direct here, under memory pressure only
  k.rmap.hooks?.referenced?.(k, pfn, n);
  return (referenced ? PR_REFERENCED : 0) | (dirty ? PR_DIRTY : 0);
}

// rmap_walk's collector: one function, not a closure per walk (forEach is synchronous and never nests)
let walkOut: PteBuffer = { ptes: [], n: 0 };
function collect(pte: number): void {
  walkOut.ptes[walkOut.n++] = pte;
}

/**
 * The ptes mapping `pfn`, through the design's reverse map, into `buf` (its first buf.n
 * entries; the reclaim paths reuse one buffer from page to page). A design whose walk visits vmas
 * (objrmap, anon_vma) reports how many; the walk emits that as an `rmap_walk` event, which
 * stats.vmasVisited counts. The design's forEach stays a pure function of the state.
 */
export function rmap_walk_into(k: Kernel, pfn: number, buf: PteBuffer): void {
  buf.n = 0;
  walkOut = buf;
  k.rmap.forEach(k.s, pfn, collect);
  const vmas = k.rmap.walkCost?.(k.s, pfn);
  if (vmas !== undefined) {
    k.emit({ t: 'rmap_walk', pfn, vmas }, CODE_OF.rmap_walk);
    // each vma visited: vma_address and page_check_address's walk to the pte
    k.chargeNs(vmas * k.cfg.latencies.vmaVisitNs);
  }
}
