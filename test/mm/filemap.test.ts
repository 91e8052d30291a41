// The page cache and shrink_mmap (src/mm/filemap.ts, 2.1.47 mm/filemap.c): find_page's hash
// lookup, what a page entering the cache looks like, and shrink_mmap's per-page rules.
// (shrink_mmap's budgets and its second chance are in test/mm/swap_out.test.ts.) And
// filemap_nopage's one-page read-ahead.
import { describe, expect, it } from 'vitest';
import { pte_pfn } from '../../src/arch/i386/page.js';
import { do_execve } from '../../src/fs/exec.js';
import { PG_dirty, PG_locked, PG_referenced } from '../../src/include/page-flags.js';
import { FAULT } from '../../src/events.js';
import { DEV_NFS, inflightDone } from '../../src/mm/page_io.js';
import { do_exit } from '../../src/kernel/exit.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { access, pte_offset, read_pte } from '../../src/mm/memory.js';
import { find_page, read_file_page, shrink_mmap } from '../../src/mm/filemap.js';
import { __get_free_pages } from '../../src/mm/page_alloc.js';
import { pageHashFn } from '../../src/reducer/index.js';
import { getPage, pageHashBuckets, VM_READ, VM_WRITE, VmaKind } from '../../src/state.js';
import { bootState } from '../../src/reducer/boot.js';
import { bareKernel, checkKernel, LIB, libVma, eventsOf } from '../helpers.js';

const pfnOf = (k: Kernel, mm: number, addr: number): number => pte_pfn(read_pte(k, pte_offset(k, k.s.mms[mm], addr)));
const handTo = (k: Kernel, pfn: number): void => k.emit({ t: 'clock_advance', hand: pfn, ptes: 0 });

describe('page_cache_init (2.2.14/2.4 mm/filemap.c): the page hash sized by memory', () => {
  it('one 4-byte bucket pointer per frame, rounded up to a power-of-two number of pages: at least 1,024 buckets', () => {
    expect(pageHashBuckets(32)).toBe(1024);
    expect(pageHashBuckets(1024)).toBe(1024);
    expect(pageHashBuckets(1025)).toBe(2048);
    expect(pageHashBuckets(2048)).toBe(2048); // x486: the 2,048 that 2.1.47 fixed
    expect(pageHashBuckets(65536 + 64)).toBe(131072);
    expect(pageHashBuckets(1 << 18)).toBe(1 << 18);
  });

  it('boot gives the state that many buckets, and find_page looks in the one pageHashFn names', () => {
    const s = bootState({ nframes: 5000, reserved: 2, swapSlots: 64, rmap: 'pte-chain', reclaim: 'old' });
    expect(s.pageHash.length).toBe(8192);
    // offsets a 2,048-bucket hash would have chained together now fall in different buckets
    expect(pageHashFn(1, 3, 8192)).not.toBe(pageHashFn(1, 3 + 2048, 8192));
    expect(pageHashFn(1, 3, 2048)).toBe(pageHashFn(1, 3 + 2048, 2048));
  });
});

describe('find_page / read_file_page (the page hash)', () => {
  it('find_page is -1 until a page is read in; then it finds that frame by (inode, offset) only', () => {
    const { k } = bareKernel('none', 'old');
    expect(find_page(k, 1, 3)).toBe(-1);
    const pfn = __get_free_pages(k, 0);
    read_file_page(k, pfn, 1, 3);
    expect(find_page(k, 1, 3)).toBe(pfn);
    expect(find_page(k, 1, 2)).toBe(-1);
    expect(find_page(k, 2, 3)).toBe(-1);
    expect(k.s.pageHash[pageHashFn(1, 3, k.s.pageHash.length)]).toContain(pfn);
  });

  it('a hit sets PG_referenced, as 2.1.47 __find_page (include/linux/pagemap.h) does; a miss changes nothing', () => {
    const { k } = bareKernel('none', 'old');
    const pfn = __get_free_pages(k, 0);
    read_file_page(k, pfn, 1, 3);
    k.emit({ t: 'page_flags', pfn, set: 0, clear: PG_referenced });
    expect(eventsOf(k, () => find_page(k, 1, 4))).toEqual([]);
    expect(getPage(k.s, pfn).flags & PG_referenced).toBe(0);
    expect(find_page(k, 1, 3)).toBe(pfn);
    expect(getPage(k.s, pfn).flags & PG_referenced).toBe(PG_referenced);
    // already referenced: no event
    expect(eventsOf(k, () => find_page(k, 1, 3))).toEqual([]);
  });

  it('a page entering the cache: inode and offset set, PAGE_AGE_VALUE 16, PG_referenced, the allocation reference becomes the cache reference', () => {
    const { k } = bareKernel('none', 'old');
    const pfn = __get_free_pages(k, 0);
    const ev = eventsOf(k, () => read_file_page(k, pfn, 2, 5));
    expect(ev[0]).toEqual({ t: 'page_cache_add', pfn, inode: 2, offset: 5 });
    expect(getPage(k.s, pfn)).toMatchObject({ count: 1, inode: 2, offset: 5, age: 16 });
    expect(getPage(k.s, pfn).flags & PG_referenced).toBe(PG_referenced);
    // a disk read on an idle disk: the process sleeps diskReadUs
    expect(ev.filter((e) => e.t === 'io_wait')).toEqual([{ t: 'io_wait', us: k.cfg.latencies.diskReadUs }]);
  });
});

describe('shrink_mmap (one step of the hand per page)', () => {
  it('count > 1 (mapped): the page cannot go, but is marked PG_referenced; the hand moves on', () => {
    const { k } = bareKernel('none', 'old');
    const mm = do_execve(k, -1, [libVma(1)]);
    access(k, mm, LIB, false);
    const pfn = pfnOf(k, mm, LIB);
    k.emit({ t: 'page_flags', pfn, set: 0, clear: PG_referenced });
    handTo(k, pfn);
    // priority 6 on 64 frames: count_max 16, count_min 2
    expect(shrink_mmap(k, 6)).toBe(false);
    expect(getPage(k.s, pfn).flags & PG_referenced).toBe(PG_referenced);
    expect(getPage(k.s, pfn).count).toBe(2);
  });

  it('count_min: the scan stops once that many page-cache pages have been looked at', () => {
    const { k } = bareKernel('none', 'old');
    const mm = do_execve(k, -1, [libVma(4)]);
    for (let i = 0; i < 4; i++) access(k, mm, LIB + i * 4096, false);
    const cached = [0, 1, 2, 3].map((i) => pfnOf(k, mm, LIB + i * 4096)).sort((a, b) => a - b);
    handTo(k, cached[0]);
    // priority 6: count_min = 128 >> 6 = 2, so the hand stops just past the second cached page
    const ev = eventsOf(k, () => shrink_mmap(k, 6));
    expect(k.s.hand).toBe(cached[1] + 1);
    expect(ev.filter((e) => e.t === 'clock_advance')).toHaveLength(cached[1] - cached[0] + 1);
  });

  it('an unmapped dirty page-cache page (a shared mapping outlived its ptes) is written back, then freed', () => {
    const { k } = bareKernel('none', 'old');
    const mm = do_execve(k, -1, [{ ...libVma(1), kind: VmaKind.SharedFile, prot: VM_READ | VM_WRITE }]);
    access(k, mm, LIB, true);
    const pfn = pfnOf(k, mm, LIB);
    do_exit(k, mm); // zap passes the pte's dirty bit to the page
    expect(getPage(k.s, pfn).flags & PG_dirty).toBe(PG_dirty);
    k.emit({ t: 'page_flags', pfn, set: 0, clear: PG_referenced });
    handTo(k, pfn);
    const ev = eventsOf(k, () => expect(shrink_mmap(k, 6)).toBe(true));
    const types = ev.map((e) => e.t);
    expect(types.indexOf('writepage')).toBeGreaterThanOrEqual(0);
    expect(types.indexOf('writepage')).toBeLessThan(types.indexOf('page_cache_del'));
    expect(getPage(k.s, pfn).count).toBe(0);
    expect(find_page(k, 1, 0)).toBe(-1);
    expect(k.s.stats.fileWrites).toBe(1);
  });

  it('a locked page is stepped over untouched', () => {
    const { k } = bareKernel('none', 'old');
    const pfn = __get_free_pages(k, 0);
    read_file_page(k, pfn, 1, 0);
    k.emit({ t: 'page_flags', pfn, set: PG_locked, clear: PG_referenced });
    handTo(k, pfn);
    shrink_mmap(k, 6);
    expect(getPage(k.s, pfn)).toMatchObject({ count: 1, inode: 1 });
  });

  it('an unreferenced anonymous page with count 1 is not the page cache: shrink_mmap leaves it', () => {
    const { k } = bareKernel('none', 'old');
    const pfn = __get_free_pages(k, 0);
    handTo(k, pfn);
    expect(shrink_mmap(k, 6)).toBe(false);
    expect(getPage(k.s, pfn).count).toBe(1);
  });
});

describe('filemap_nopage read-ahead (2.1.47 mm/filemap.c: try_to_read_ahead(inode, offset + PAGE_SIZE, 0))', () => {
  // After a page-cache miss, filemap_nopage starts the read of the faulted page, then "a very
  // limited read-ahead": one page, the next of the file (not of the vma), if it is inside the
  // file and not cached. It is read asynchronously; the page sits locked in the page cache.
  it('filemap_nopage: a major fault on page 0 of a file also brings page 1 into the page cache, locked until its read completes', () => {
    const { k } = bareKernel('pte-chain');
    const mm = do_execve(k, -1, [libVma(4)]);
    access(k, mm, LIB, false);
    expect(find_page(k, 1, 0)).toBeGreaterThanOrEqual(0);
    const ahead = find_page(k, 1, 1);
    expect(ahead).toBeGreaterThanOrEqual(0);
    expect(find_page(k, 1, 2)).toBe(-1);
    // in the cache only (count 1, not mapped), locked while its read is in flight
    expect(getPage(k.s, ahead)).toMatchObject({ count: 1, mapcount: 0, inode: 1, offset: 1 });
    expect(getPage(k.s, ahead).flags & PG_locked).toBe(PG_locked);
    expect(k.s.stats).toMatchObject({ fileReads: 1, readAheads: 1 });
  });

  it('filemap_nopage: a fault on the page while its read-ahead is in flight sleeps until it completes (page_locked_wait), with no second read', () => {
    const { k } = bareKernel('pte-chain');
    const mm = do_execve(k, -1, [libVma(4)]);
    access(k, mm, LIB, false);
    const ahead = find_page(k, 1, 1);
    const done = inflightDone(k.s, ahead);
    // the read-ahead was queued behind the faulted page's read: it completes one read later
    expect(done).toBe(k.s.time + k.cfg.latencies.diskReadUs);
    const ev = eventsOf(k, () => access(k, mm, LIB + 4096, false));
    expect(ev.filter((e) => e.t === 'fault')).toMatchObject([{ t: 'fault', kind: FAULT.file }]);
    expect(ev.filter((e) => e.t === 'io_start')).toEqual([]);
    expect(k.s.time).toBeGreaterThanOrEqual(done);
    expect(getPage(k.s, ahead).flags & PG_locked).toBe(0);
    expect(pfnOf(k, mm, LIB + 4096)).toBe(ahead);
    expect(k.s.stats).toMatchObject({ fileReads: 1, readAheads: 1 });
    expect(checkKernel(k)).toEqual([]);
  });

  it('try_to_read_ahead: nothing past the end of the file (offset >= i_size), nothing already cached', () => {
    const { k } = bareKernel('pte-chain');
    const pages = k.files.get(1)?.pages ?? 0;
    const mm = do_execve(k, -1, [{ ...libVma(pages), pgoff: 0 }]);
    const free = k.s.nrFree;
    access(k, mm, LIB + (pages - 1) * 4096, false);
    // the last page of the file: read, nothing ahead (the page taken for read-ahead went back)
    expect(k.s.stats.readAheads).toBe(0);
    expect(free - k.s.nrFree).toBe(3); // the page and the order-1 page table: no page is left behind
    access(k, mm, LIB + (pages - 3) * 4096, false);
    expect(k.s.stats.readAheads).toBe(1);
    expect(find_page(k, 1, pages - 2)).toBeGreaterThanOrEqual(0);
    // reading pages-4 would read pages-3 ahead, but it is cached: no read-ahead
    access(k, mm, LIB + (pages - 4) * 4096, false);
    expect(k.s.stats).toMatchObject({ fileReads: 3, readAheads: 1 });
  });

  it('try_to_read_ahead reads from the file backing store: an NFS file occupies the NFS server, not the disk', () => {
    const { k } = bareKernel('pte-chain', 'clock', 'x486');
    const nfs = [...k.files.values()].find((f) => f.backing === 'nfs');
    expect(nfs).toBeDefined();
    const inode = nfs?.inode ?? 0;
    const mm = do_execve(k, -1, [{ ...libVma(2), file: inode }]);
    const ev = eventsOf(k, () => access(k, mm, LIB, false));
    expect(ev.filter((e) => e.t === 'io_start').map((e) => (e.t === 'io_start' ? [e.dev, e.write, e.mode] : []))).toEqual([
      [DEV_NFS, 0, 0],
      [DEV_NFS, 0, 1],
    ]);
    expect(k.s.io.disk).toBe(0);
  });
});
