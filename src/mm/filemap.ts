// The page cache (mm/filemap.c, 2.1.47): pages hashed by (inode, offset) into
// PAGE_HASH_SIZE buckets. A page in the cache holds one reference for the cache.

import type { Kernel } from '../kernel/kernel.js';
import { pageHashFn } from '../reducer/index.js';
import { getPage } from '../state.js';
import { PG_referenced } from './page-flags.js';
import { PAGE_AGE_START } from './vmscan-lru.js';

/** find_page(): the pfn caching (inode, offset), or -1. */
export function find_page(k: Kernel, inode: number, offset: number): number {
  const bucket = k.s.pageHash[pageHashFn(inode, offset)];
  for (let i = 0; i < bucket.length; i++) {
    const p = getPage(k.s, bucket[i]);
    if (p.inode === inode && p.offset === offset) return bucket[i];
  }
  return -1;
}

/** Read a file page into a freshly allocated frame and add it to the page cache (the allocation's reference becomes the cache's). */
export function read_file_page(k: Kernel, pfn: number, inode: number, offset: number): void {
  const file = k.files.get(inode);
  k.emit({ t: 'page_cache_add', pfn, inode, offset });
  // the strict clock variant: a page just read starts unreferenced (page_cache_add marks it referenced)
  if (k.cfg.strict?.refOnLoad === false) k.emit({ t: 'page_flags', pfn, set: 0, clear: PG_referenced });
  // policy active-inactive: the page-cache page starts at PAGE_AGE_START (page_cache_add set 2.1's PAGE_AGE_VALUE)
  if (k.s.lru !== undefined) k.emit({ t: 'page_age', pfn, age: PAGE_AGE_START });
  k.tick(file?.backing === 'nfs' ? k.cfg.latencies.nfsReadUs : k.cfg.latencies.diskReadUs);
}
