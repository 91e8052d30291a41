// The frame map: every page frame classified into one of the legend's states, one byte
// per frame, so a 262,144-frame machine is 256 KiB on the wire and one pass to paint.

import { PG_pgtable, PG_reserved, PG_swap_cache, PG_task } from '../include/page-flags.js';
import { getPage, type Page, type State } from '../state.js';
import { ANON, FREE, KERNEL, PAGECACHE, PAGETABLE, SWAPCACHE } from './legend.js';

/**
 * Precedence matters: a page-table frame is also allocated, a swap-cache page may be
 * mapped. The model's only kernel allocations are page tables, link pages and pgds (all
 * PG_pgtable) and task structs (PG_task, shown as kernel memory), so an allocated page
 * that is none of those nor cached is anonymous
 * (whether a reverse map counts its mappings or not: `--rmap none` keeps no map count).
 */
export function frameState(p: Page): number {
  if (p.count === 0) return FREE;
  if ((p.flags & (PG_reserved | PG_task)) !== 0) return KERNEL;
  if ((p.flags & PG_pgtable) !== 0) return PAGETABLE;
  if ((p.flags & PG_swap_cache) !== 0) return SWAPCACHE;
  if (p.inode !== 0) return PAGECACHE;
  return ANON;
}

export function frameMap(s: State): Uint8Array {
  const out = new Uint8Array(s.nframes);
  for (let pfn = 0; pfn < s.nframes; pfn++) out[pfn] = frameState(getPage(s, pfn));
  return out;
}
