// The page cache (mm/filemap.c, 2.1.47): pages hashed by (inode, offset) into buckets
// sized by memory at boot as 2.2's page_cache_init() does (pageHashBuckets in state.ts;
// 2.1.47 had a fixed 2,048). A page in the cache holds one reference for the cache.

import { CODE_OF } from '../events.js';
import type { Kernel } from '../kernel/kernel.js';
import { pageHashFn } from '../reducer/index.js';
import { getPage } from '../state.js';
import { PG_dirty, PG_locked, PG_referenced } from '../include/page-flags.js';
import { __get_free_pages, free_page, GFP_KERNEL } from './page_alloc.js';
import { file_dev, queue_write, read_page_async, read_page_sync } from './page_io.js';

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
    if ((p.flags & PG_referenced) === 0) k.emit({ t: 'page_flags', pfn, set: PG_referenced, clear: 0 }, CODE_OF.page_flags);
    return pfn;
  }
  return -1;
}

/** Read a file page into a freshly allocated frame and add it to the page cache (the allocation's reference becomes the cache's). */
export function read_file_page(k: Kernel, pfn: number, inode: number, offset: number): void {
  k.emit({ t: 'page_cache_add', pfn, inode, offset }, CODE_OF.page_cache_add);
  // the strict clock variant: a page just read starts unreferenced (page_cache_add marks it referenced)
  if (k.cfg.strict?.refOnLoad === false) k.emit({ t: 'page_flags', pfn, set: 0, clear: PG_referenced }, CODE_OF.page_flags);
  k.reclaim.hooks?.pageCached?.(k, pfn);
  // readpage, and the process sleeps until the page is up to date (behind whatever the device has queued)
  read_page_sync(k, pfn, file_dev(k, inode));
}

/**
 * try_to_read_ahead(inode, offset, 0), as filemap_nopage calls it after reading a page from
 * disk or NFS (2.1.47 mm/filemap.c): take a free page first (GFP_KERNEL: it may reclaim), then,
 * if `offset` is inside the file and not already cached, add the page to the page cache and
 * start its read without waiting; the page stays locked until the read completes. Otherwise the
 * page goes back (2.1.47 hands it to filemap_nopage as its spare; mmsim frees it). Not in strict
 * mode, which pages on demand only.
 */
export function try_to_read_ahead(k: Kernel, inode: number, offset: number): void {
  if (k.cfg.strict !== undefined) return;
  const pfn = __get_free_pages(k, 0, GFP_KERNEL);
  if (pfn < 0) return;
  const file = k.files.get(inode);
  if (file === undefined || offset >= file.pages || find_page(k, inode, offset) >= 0) {
    free_page(k, pfn);
    return;
  }
  k.reclaim.hooks?.pageAdded?.(k, pfn);
  k.emit({ t: 'page_cache_add', pfn, inode, offset }, CODE_OF.page_cache_add);
  k.reclaim.hooks?.pageCached?.(k, pfn);
  read_page_async(k, pfn, file_dev(k, inode));
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
    k.emit({ t: 'clock_advance', hand: pfn + 1 >= s.nframes ? 0 : pfn + 1, ptes: 0 }, CODE_OF.clock_advance);
    if ((page.flags & PG_locked) !== 0) continue;
    if (page.count === 1) {
      if ((page.flags & PG_referenced) !== 0) {
        // referenced since the hand last passed: clear it and keep the page
        k.emit({ t: 'page_flags', pfn, set: 0, clear: PG_referenced }, CODE_OF.page_flags);
        continue;
      }
      if (page.inode !== 0) {
        if ((page.flags & PG_dirty) !== 0) {
          // a shared mapping's data outlived its ptes: write it back first
          k.emit({ t: 'writepage', pfn }, CODE_OF.writepage);
          queue_write(k, pfn, file_dev(k, page.inode));
        }
        k.emit({ t: 'page_cache_del', pfn }, CODE_OF.page_cache_del);
        free_page(k, pfn, 0, 1);
        freed = true;
        break;
      }
    } else if (page.count > 1 && (page.flags & PG_referenced) === 0) {
      // more than one user: it cannot go, but it counts as referenced
      k.emit({ t: 'page_flags', pfn, set: PG_referenced, clear: 0 }, CODE_OF.page_flags);
    }
  } while (countMax > 0 && countMin > 0);
  k.tick(cpu);
  return freed;
}
