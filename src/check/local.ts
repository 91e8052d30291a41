// Local checks: only the pages and ptes one kernel operation touched, with the same rules as
// the full check (src/check/rules.ts and the designs' own). By induction (every pte change
// touches that pte, every reverse-map change touches that page) they catch the same per-page
// and per-pte breakage as the full check, at a cost proportional to the operation. Global
// invariants (buddy, swap map, rss, pt-block) are left to the periodic full check, except
// the cheap ones.

import { pte_pfn, pte_present } from '../arch/i386/page.js';
import type { Violation } from '../include/rules.js';
import type { Event } from '../events.js';
import type { State } from '../state.js';
import { readPteSafe } from './rules.js';
import { rulesFor, runRules, TouchedView } from './view.js';

export class Touched {
  pages = new Set<number>();
  ptes = new Set<number>();
  /** The callbacks noteTouches hands to touches(), made once rather than per event. */
  readonly onPte = (x: number, pages: readonly number[]): void => {
    this.ptes.add(x);
    for (let i = 0; i < pages.length; i++) this.pages.add(pages[i]);
  };
  readonly onPage = (p: number): void => {
    this.pages.add(p);
  };
  clear(): void {
    this.pages.clear();
    this.ptes.clear();
  }
}

const NONE: readonly number[] = [];

/**
 * What `e` is about to touch (call before applying it; it reads the old pte): the one
 * answer the local check and bisect share. `pte(x, pages)` names a pte and the pages it
 * mapped, maps or was (un)linked from; `page(p)` a page whose own state changes.
 */
export function touches(s: State, e: Event, pte: (x: number, pages: readonly number[]) => void, page: (p: number) => void): void {
  const maps = (v: number): boolean => pte_present(v) && pte_pfn(v) < s.nframes;
  switch (e.t) {
    case 'pte_set':
    case 'pte_clear':
    case 'pte_mkold':
    case 'hw_access': {
      const old = readPteSafe(s, e.pte);
      const next = e.t === 'pte_set' && maps(e.val);
      if (maps(old)) pte(e.pte, next ? [pte_pfn(old), pte_pfn(e.val)] : [pte_pfn(old)]);
      else pte(e.pte, next ? [pte_pfn(e.val)] : NONE);
      return;
    }
    case 'pte_link':
    case 'pte_unlink': {
      const old = readPteSafe(s, e.pte);
      pte(e.pte, maps(old) ? [e.pfn, pte_pfn(old)] : [e.pfn]);
      return;
    }
    case 'pt_free': {
      // freeing a table touches every pte in it and the pages they map (their chains may now dangle)
      const pt = s.pts[e.pfn];
      if (pt === undefined) return;
      for (let slot = 0; slot < 1024; slot++) {
        const v = pt.pte[slot >> 6][slot & 63];
        if (v !== 0) pte(e.pfn * 4096 + slot * 4, maps(v) ? [pte_pfn(v)] : NONE);
      }
      return;
    }
    case 'page_alloc':
    case 'page_free':
      for (let i = 0; i < 1 << e.order; i++) page(e.pfn + i);
      return;
    case 'lru_add':
    case 'lru_move':
    case 'lru_del':
    case 'get_page':
    case 'put_page':
    case 'page_flags':
    case 'swap_cache_add':
    case 'swap_cache_del':
    case 'page_cache_add':
    case 'page_cache_del':
    case 'swap_out':
    case 'swap_in':
    case 'rmap_collapse':
    case 'rmap_slab_grow':
      page(e.pfn);
      return;
    default:
  }
}

/** Record what `e` is about to touch; call before applying it. */
export function noteTouches(s: State, e: Event, t: Touched): void {
  touches(s, e, t.onPte, t.onPage);
}

export function checkTouched(s: State, t: Touched, only?: ReadonlySet<string>): Violation[] {
  const v = new TouchedView(s, t.ptes);
  return runRules(v, rulesFor(s), { pages: t.pages, ptes: t.ptes, tables: [], global: 'cheap' }, only);
}
