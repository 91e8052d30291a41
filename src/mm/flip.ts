// try_to_flip_page_to (LaHaise's 1997 "will do" list): with a reverse map the kernel can
// move a page's contents to another frame and relink every pte that maps it. The page
// keeps its identity (page cache, swap cache, dirty/referenced, age, reference count);
// only the frame changes. Used by steal_specific_page to empty an aligned block.

import { PAGE_SHIFT } from '../arch/i386/page.js';
import type { Kernel } from '../kernel/kernel.js';
import { getPage, type Page } from '../state.js';
import { freeBlockOrderAt } from '../reducer/buddy.js';
import {
  PG_dirty,
  PG_error,
  PG_locked,
  PG_pgtable,
  PG_referenced,
  PG_reserved,
  PG_swap_cache,
  PG_uptodate,
  PG_task,
} from '../include/page-flags.js';
import { readPte } from '../arch/i386/pgtable.js';
import type { DeepReadonly } from '../include/readonly.js';

const UNMOVABLE = PG_reserved | PG_locked | PG_pgtable | PG_task;
/** Flags that belong to the page's contents and travel with them (swap_cache moves by its own events). */
const CARRIED = PG_referenced | PG_dirty | PG_uptodate | PG_error;

/**
 * Whether try_to_flip_page_to may move `p`: an in-use user page (anonymous or page cache)
 * holding no reference beyond its mappings and the page cache's (a kernel path holding it
 * mid-operation pins it), and not reserved, locked, a page table or a task struct.
 */
export function flippable(p: DeepReadonly<Page>): boolean {
  return p.count > 0 && (p.flags & UNMOVABLE) === 0 && p.count === p.mapcount + (p.inode !== 0 ? 1 : 0);
}

/**
 * Move the page in frame `src` to the free frame `dst`: allocate dst, copy, relink every
 * pte of src through the reverse map, move the page-cache and swap-cache identity, flags,
 * age and references, then free src. Returns false (and emits nothing) when the page cannot
 * be moved, `dst` is not free, or the design has no reverse map.
 */
export function try_to_flip_page_to(k: Kernel, dst: number, src: number): boolean {
  if (!k.rmap.caps.tracksPtes || dst === src) return false;
  const s = k.s;
  const from = freeBlockOrderAt(s, dst);
  const page = getPage(s, src);
  if (from < 0 || !flippable(page)) return false;
  const ptes: number[] = [];
  k.rmap.forEach(s, src, (pte) => {
    ptes.push(pte);
  });
  if (ptes.length !== page.mapcount) return false; // a map we cannot walk completely: leave it
  const { inode, offset, age, swap } = page;
  const flags = page.flags;
  const refs = page.count;

  k.emit({ t: 'page_alloc', pfn: dst, order: 0, from });
  k.emit({ t: 'page_copy', from: src, to: dst });
  k.tick(k.cfg.latencies.pageCopyUs);
  for (const pte of ptes) {
    const v = readPte(s, pte);
    k.emit({ t: 'pte_unlink', pte, pfn: src });
    k.emit({ t: 'pte_set', pte, val: ((dst << PAGE_SHIFT) | (v & ((1 << PAGE_SHIFT) - 1))) >>> 0 });
    k.emit({ t: 'pte_link', pte, pfn: dst });
  }
  if (inode !== 0) {
    k.emit({ t: 'page_cache_del', pfn: src });
    k.emit({ t: 'page_cache_add', pfn: dst, inode, offset });
  }
  if ((flags & PG_swap_cache) !== 0) {
    k.emit({ t: 'swap_cache_add', pfn: dst, entry: swap });
    k.emit({ t: 'swap_cache_del', pfn: src });
  }
  // page_cache_add sets referenced; the page keeps exactly the flags it had
  const now = getPage(s, dst).flags;
  const set = flags & CARRIED & ~now,
    clear = now & CARRIED & ~flags;
  if (set !== 0 || clear !== 0) k.emit({ t: 'page_flags', pfn: dst, set, clear });
  if (getPage(s, dst).age !== age) k.emit({ t: 'page_age', pfn: dst, age });
  // references: dst has the allocation's one; it takes over each of src's
  for (let i = 1; i < refs; i++) k.emit({ t: 'get_page', pfn: dst });
  for (let i = 0; i < refs; i++) k.emit({ t: 'put_page', pfn: src });
  k.reclaim.hooks?.pageMoved?.(k, src, dst);
  k.emit({ t: 'page_free', pfn: src, order: 0, reclaim: 0 });
  return true;
}
