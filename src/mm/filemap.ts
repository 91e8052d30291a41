// The page cache (mm/filemap.c, 2.1.47): pages hashed by (inode, offset) into buckets
// sized by memory at boot as 2.2's page_cache_init() does (pageHashBuckets in state.ts;
// 2.1.47 had a fixed 2,048). A page in the cache holds one reference for the cache.

import type { Kernel } from '../kernel/kernel.js';
import { pageHashFn } from '../reducer/index.js';
import { getPage } from '../state.js';
import { PG_dirty, PG_locked, PG_referenced } from '../include/page-flags.js';
import { free_page } from './page_alloc.js';

/**
 * find_page(): the pfn caching (inode, offset), or -1. As 2.1.47's __find_page
 * (include/linux/pagemap.h) a hit sets PG_referenced, so shrink_mmap gives a page found
 * by a fault (or read) another lap; the reference the kernel takes is the caller's get_page.
 */
export function find_page(k: Kernel, inode: number, offset: number): number {
  const hash = k.s.pageHash;
  const bucket = hash[pageHashFn(inode, offset, hash.length)];
  for (let i = 0; i < bucket.length; i++) {
    const pfn = bucket[i];
    const p = getPage(k.s, pfn);
    if (p.inode !== inode || p.offset !== offset) continue;
    if ((p.flags & PG_referenced) === 0) k.emit({ t: 'page_flags', pfn, set: PG_referenced, clear: 0 });
    return pfn;
  }
  return -1;
}

/** Read a file page into a freshly allocated frame and add it to the page cache (the allocation's reference becomes the cache's). */
export function read_file_page(k: Kernel, pfn: number, inode: number, offset: number): void {
  const file = k.files.get(inode);
  k.emit({ t: 'page_cache_add', pfn, inode, offset });
  // the strict clock variant: a page just read starts unreferenced (page_cache_add marks it referenced)
  if (k.cfg.strict?.refOnLoad === false) k.emit({ t: 'page_flags', pfn, set: 0, clear: PG_referenced });
  k.reclaim.hooks?.pageCached?.(k, pfn);
  k.ioWait(file?.backing === 'nfs' ? k.cfg.latencies.nfsReadUs : k.cfg.latencies.diskReadUs);
}

// shrink_mmap (2.1.47 mm/filemap.c): the clock over mem_map that frees page-cache pages; the
// old kswapd's first resort (src/mm/swap_out.ts).

/** shrink_mmap's budgets: at most count_max pages looked at, stopping after count_min page-cache pages. */
export function shrinkMmapBudget(nframes: number, priority: number): { countMax: number; countMin: number } {
  return { countMax: (nframes << 1) >> (priority >> 1), countMin: (nframes << 1) >> priority };
}

/** shrink_mmap(priority, dma): one step of the hand per page; returns true when a page was freed. */
export function shrink_mmap(k: Kernel, priority: number): boolean {
  const s = k.s;
  let { countMax, countMin } = shrinkMmapBudget(s.nframes, priority);
  let cpu = 0;
  let freed = false;
  do {
    const pfn = k.s.hand;
    const page = getPage(k.s, pfn);
    countMax--;
    if (page.inode !== 0) countMin--;
    cpu += k.cfg.latencies.scanPageUs;
    k.emit({ t: 'clock_advance', hand: pfn + 1 >= s.nframes ? 0 : pfn + 1, ptes: 0 });
    if ((page.flags & PG_locked) !== 0) continue;
    if (page.count === 1) {
      if ((page.flags & PG_referenced) !== 0) {
        // referenced since the hand last passed: clear it and keep the page
        k.emit({ t: 'page_flags', pfn, set: 0, clear: PG_referenced });
        continue;
      }
      if (page.inode !== 0) {
        if ((page.flags & PG_dirty) !== 0) {
          // a shared mapping's data outlived its ptes: write it back first
          k.emit({ t: 'writepage', pfn });
          cpu += k.cfg.latencies.writeSubmitUs;
        }
        k.emit({ t: 'page_cache_del', pfn });
        free_page(k, pfn, 0, 1);
        freed = true;
        break;
      }
    } else if (page.count > 1 && (page.flags & PG_referenced) === 0) {
      // more than one user: it cannot go, but it counts as referenced
      k.emit({ t: 'page_flags', pfn, set: PG_referenced, clear: 0 });
    }
  } while (countMax > 0 && countMin > 0);
  k.tick(cpu);
  return freed;
}
