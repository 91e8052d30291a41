// The fault handler and page-table walkers of src/mm/memory.ts (2.1.47 mm/memory.c):
// do_no_page, do_wp_page, do_swap_page, copy_page_range, zap_page_range, each on a
// hand-built tiny machine, asserting the ptes, page counts, map counts and swap counts.
import { describe, expect, it } from 'vitest';
import {
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  _PAGE_PRESENT,
  _PAGE_RW,
  _PAGE_USER,
  SWP_OFFSET,
  ZERO_PAGE_PFN,
  mk_pte,
  pte_dirty,
  pte_is_swap,
  pte_pfn,
  pte_write,
  pte_young,
} from '../../src/arch/i386/page.js';
import { checkState } from '../../src/check/invariants.js';
import { FAULT, OP, type Event } from '../../src/events.js';
import { do_execve } from '../../src/fs/exec.js';
import { PG_dirty, PG_swap_cache } from '../../src/include/page-flags.js';
import { do_fork } from '../../src/kernel/fork.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { access, copy_page_range, find_vma, pte_alloc, pte_offset, read_pte, zap_page_range } from '../../src/mm/memory.js';
import { reclaim_page } from '../../src/mm/vmscan.js';
import { __get_free_pages, free_page, GFP_ATOMIC } from '../../src/mm/page_alloc.js';
import { do_exit } from '../../src/kernel/exit.js';
import { swapCount } from '../../src/reducer/index.js';
import type { RunOptions } from '../../src/run-config.js';
import { getPage, VM_READ, VM_WRITE, VmaKind, type Vma } from '../../src/state.js';
import { anonVma, bareKernel, LIB, libVma, eventsOf } from '../helpers.js';

const HEAP = 0x08100000;
const pteOf = (k: Kernel, mm: number, addr: number): number => pte_offset(k, k.s.mms[mm], addr);
const pteVal = (k: Kernel, mm: number, addr: number): number => read_pte(k, pteOf(k, mm, addr));
const pfnOf = (k: Kernel, mm: number, addr: number): number => pte_pfn(pteVal(k, mm, addr));
const sharedFile = (pages: number): Vma => ({ ...libVma(pages), kind: VmaKind.SharedFile, prot: VM_READ | VM_WRITE });

const faults = (ev: Event[]): number[] => ev.flatMap((e) => (e.t === 'fault' ? [e.kind] : []));

/** One process, one vma; returns the kernel and the mm. */
function proc(vmas: Vma[], rmap = 'pte-chain', opts: Partial<RunOptions> = {}): { k: Kernel; mm: number } {
  const { k } = bareKernel(rmap, undefined, undefined, opts);
  return { k, mm: do_execve(k, -1, vmas) };
}

/** Swap the page at `addr` out (the clock's unmap-and-free on that one page). */
function swapOut(k: Kernel, mm: number, addr: number): number {
  expect(reclaim_page(k, pfnOf(k, mm, addr))).toBe(true);
  expect(pte_is_swap(pteVal(k, mm, addr))).toBe(true);
  return SWP_OFFSET(pteVal(k, mm, addr));
}

describe('handle_mm_fault / access', () => {
  it('segv for an address outside every vma and for a write to a read-only vma', () => {
    const { k, mm } = proc([libVma(2)]);
    expect(access(k, mm, HEAP, false)).toBe('segv');
    expect(access(k, mm, LIB, true)).toBe('segv');
    expect(find_vma(k.s.mms[mm], LIB + 4096)).toMatchObject({ start: LIB });
    expect(find_vma(k.s.mms[mm], LIB + 2 * 4096)).toBeUndefined();
  });

  it('a present pte: the MMU sets accessed (hw_access) only when it is old, and dirty only on a write to a clean pte', () => {
    const { k, mm } = proc([anonVma(HEAP, 1)]);
    access(k, mm, HEAP, true);
    const pte = pteOf(k, mm, HEAP);
    expect(eventsOf(k, () => access(k, mm, HEAP, false))).toEqual([]);
    k.emit({ t: 'pte_mkold', pte });
    expect(eventsOf(k, () => access(k, mm, HEAP, false))).toEqual([{ t: 'hw_access', pte, write: 0 }]);
    expect(pte_young(read_pte(k, pte))).toBe(true);
  });

  it('pte_alloc: the first fault under a 4 MB region allocates its page table, order 1 for pte-chain (link page), order 0 for pte_chain', () => {
    for (const [rmap, order] of [
      ['pte-chain', 1],
      ['pte_chain', 0],
    ] as const) {
      const { k, mm } = proc([anonVma(HEAP, 1)], rmap);
      expect(pteOf(k, mm, HEAP)).toBe(0);
      const ev = eventsOf(k, () => expect(pte_alloc(k, mm, HEAP)).not.toBe(0));
      expect(ev.filter((e) => e.t === 'page_alloc').map((e) => (e.t === 'page_alloc' ? e.order : -1))).toEqual([order]);
      expect(ev.filter((e) => e.t === 'pt_alloc')).toHaveLength(1);
      // a second call finds it
      expect(eventsOf(k, () => pte_alloc(k, mm, HEAP + 4096))).toEqual([]);
    }
  });
});

describe('do_no_page', () => {
  it('anonymous read: the zero page, read-only, not linked (it is reserved)', () => {
    const { k, mm } = proc([anonVma(HEAP, 1)]);
    const ev = eventsOf(k, () => access(k, mm, HEAP, false));
    expect(faults(ev)).toEqual([FAULT.zero]);
    expect(pteVal(k, mm, HEAP)).toBe(mk_pte(ZERO_PAGE_PFN, _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED));
    expect(ev.filter((e) => e.t === 'pte_link')).toEqual([]);
    expect(getPage(k.s, ZERO_PAGE_PFN).mapcount).toBe(0);
  });

  it('anonymous write: a new page, count 1, one linked pte, writable, dirty and young', () => {
    const { k, mm } = proc([anonVma(HEAP, 1)]);
    const ev = eventsOf(k, () => access(k, mm, HEAP, true));
    expect(faults(ev)).toEqual([FAULT.anon]);
    const v = pteVal(k, mm, HEAP);
    expect([pte_write(v), pte_dirty(v), pte_young(v)]).toEqual([true, true, true]);
    expect(getPage(k.s, pte_pfn(v))).toMatchObject({ count: 1, mapcount: 1, inode: 0, age: 3 });
  });

  it('file read: a major fault reads the page into the page cache (count = cache + pte); a second mapper faults minor onto the same page', () => {
    const { k } = bareKernel('pte-chain');
    const a = do_execve(k, -1, [libVma(2)]);
    const b = do_execve(k, -1, [libVma(2)]);
    expect(faults(eventsOf(k, () => access(k, a, LIB + 4096, false)))).toEqual([FAULT.file_major]);
    const pfn = pfnOf(k, a, LIB + 4096);
    expect(getPage(k.s, pfn)).toMatchObject({ count: 2, mapcount: 1, inode: 1, offset: 1, age: 16 });
    expect(pte_write(pteVal(k, a, LIB + 4096))).toBe(false);
    expect(faults(eventsOf(k, () => access(k, b, LIB + 4096, false)))).toEqual([FAULT.file]);
    expect(pfnOf(k, b, LIB + 4096)).toBe(pfn);
    expect(getPage(k.s, pfn)).toMatchObject({ count: 3, mapcount: 2 });
    expect(k.s.stats.fileReads).toBe(1);
  });

  it('write to a private file mapping (filemap_nopage, no_share): the writer gets a private copy; the cached page keeps only the cache reference', () => {
    const { k, mm } = proc([{ ...libVma(2), prot: VM_READ | VM_WRITE }]);
    access(k, mm, LIB, true);
    const copy = pfnOf(k, mm, LIB);
    expect(getPage(k.s, copy)).toMatchObject({ count: 1, mapcount: 1, inode: 0 });
    expect(pte_write(pteVal(k, mm, LIB))).toBe(true);
    const cached = k.s.pageHash.flat().find((p) => getPage(k.s, p).inode === 1);
    expect(cached).toBeDefined();
    expect(getPage(k.s, cached ?? -1)).toMatchObject({ count: 1, mapcount: 0, offset: 0 });
  });

  it('shared writable file mapping: the pte maps the page-cache page itself, writable', () => {
    const { k, mm } = proc([sharedFile(2)]);
    access(k, mm, LIB, false);
    const pfn = pfnOf(k, mm, LIB);
    expect(getPage(k.s, pfn)).toMatchObject({ inode: 1, count: 2, mapcount: 1 });
    expect(pte_write(pteVal(k, mm, LIB))).toBe(true);
    expect(pte_dirty(pteVal(k, mm, LIB))).toBe(false);
  });
});

describe('do_wp_page', () => {
  it('write after a read of anonymous memory: the zero page is copied (not unlinked, it was never linked)', () => {
    const { k, mm } = proc([anonVma(HEAP, 1)]);
    access(k, mm, HEAP, false);
    const zeroCount = getPage(k.s, ZERO_PAGE_PFN).count;
    const ev = eventsOf(k, () => access(k, mm, HEAP, true));
    expect(faults(ev)).toEqual([FAULT.anon]);
    expect(ev.filter((e) => e.t === 'pte_unlink')).toEqual([]);
    expect(pfnOf(k, mm, HEAP)).not.toBe(ZERO_PAGE_PFN);
    expect(getPage(k.s, ZERO_PAGE_PFN).count).toBe(zeroCount);
    expect(getPage(k.s, pfnOf(k, mm, HEAP)).mapcount).toBe(1);
  });

  it('COW after fork: the child writing gets a copy, its pte is unlinked from the old page; the parent then writes in place (count 1, no copy)', () => {
    const { k, mm: parent } = proc([anonVma(HEAP, 1)]);
    access(k, parent, HEAP, true);
    const old = pfnOf(k, parent, HEAP);
    const child = do_fork(k, parent);
    expect(getPage(k.s, old)).toMatchObject({ count: 2, mapcount: 2 });
    const childPte = pteOf(k, child, HEAP);
    const ev = eventsOf(k, () => access(k, child, HEAP, true));
    expect(faults(ev)).toEqual([FAULT.cow]);
    expect(ev).toContainEqual({ t: 'pte_unlink', pte: childPte, pfn: old });
    const copy = pfnOf(k, child, HEAP);
    expect(copy).not.toBe(old);
    expect(getPage(k.s, copy)).toMatchObject({ count: 1, mapcount: 1 });
    expect(getPage(k.s, old)).toMatchObject({ count: 1, mapcount: 1 });
    // the parent's pte is still write-protected from fork: do_wp_page with count 1 reuses the page
    expect(pte_write(pteVal(k, parent, HEAP))).toBe(false);
    const ev2 = eventsOf(k, () => access(k, parent, HEAP, true));
    expect(faults(ev2)).toEqual([FAULT.wp]);
    expect(ev2.filter((e) => e.t === 'page_alloc')).toEqual([]);
    expect(pfnOf(k, parent, HEAP)).toBe(old);
    expect(pte_write(pteVal(k, parent, HEAP))).toBe(true);
    expect(checkState(k.s)).toEqual([]);
  });

  // 2.1.47 mm/memory.c do_wp_page on a page we alone hold only marks the pte dirty and writable; the
  // stale swap-cache entry is dropped lazily (by try_to_swap_out on the dirty pte, fork or free).
  it('a sole-owner write to a swap-cached page keeps PG_swap_cache and its swap reference (2.1.47 do_wp_page)', () => {
    const { k, mm } = proc([anonVma(HEAP, 1)]);
    access(k, mm, HEAP, true);
    const entry = swapOut(k, mm, HEAP);
    access(k, mm, HEAP, false);
    access(k, mm, HEAP, true);
    const page = getPage(k.s, pfnOf(k, mm, HEAP));
    expect(page.flags & PG_swap_cache).toBe(PG_swap_cache);
    expect(swapCount(k.s, entry)).toBe(1);
  });
});

describe('do_swap_page', () => {
  it('read fault: the page joins the swap cache (the pte reference passes to it), the pte is read-only', () => {
    const { k, mm } = proc([anonVma(HEAP, 1)]);
    access(k, mm, HEAP, true);
    const entry = swapOut(k, mm, HEAP);
    expect(swapCount(k.s, entry)).toBe(1);
    const ev = eventsOf(k, () => access(k, mm, HEAP, false));
    expect(faults(ev)).toEqual([FAULT.swapin]);
    const pfn = pfnOf(k, mm, HEAP);
    expect(getPage(k.s, pfn)).toMatchObject({ count: 1, mapcount: 1, swap: entry });
    expect(getPage(k.s, pfn).flags & PG_swap_cache).toBe(PG_swap_cache);
    expect(pte_write(pteVal(k, mm, HEAP))).toBe(false);
    expect(swapCount(k.s, entry)).toBe(1);
    expect(k.s.stats.swapReads).toBe(1);
  });

  it('write fault: the pte is writable and dirty, the swap slot is freed, no swap cache', () => {
    const { k, mm } = proc([anonVma(HEAP, 1)]);
    access(k, mm, HEAP, true);
    const entry = swapOut(k, mm, HEAP);
    access(k, mm, HEAP, true);
    const v = pteVal(k, mm, HEAP);
    expect([pte_write(v), pte_dirty(v)]).toEqual([true, true]);
    expect(getPage(k.s, pte_pfn(v)).flags & PG_swap_cache).toBe(0);
    expect(swapCount(k.s, entry)).toBe(0);
  });

  it('a shared page swapped out at once and faulted back by each sharer becomes one private copy per sharer (no lookup by entry in 2.1.47)', () => {
    const { k, mm: parent } = proc([anonVma(HEAP, 1)]);
    access(k, parent, HEAP, true);
    const child = do_fork(k, parent);
    const entry = swapOut(k, parent, HEAP);
    expect(swapCount(k.s, entry)).toBe(2);
    access(k, parent, HEAP, false);
    access(k, child, HEAP, false);
    expect(pfnOf(k, parent, HEAP)).not.toBe(pfnOf(k, child, HEAP));
    expect(k.s.stats.swapReads).toBe(2);
  });
});

describe('--swap-cache 2.1.88 (Tweedie: lookup_swap_cache, mm/swap_state.c)', () => {
  const rules88: Partial<RunOptions> = { swapCache: '2.1.88' };

  it('a shared page swapped out and faulted back by each sharer stays one page: the second finds it in the swap cache (swap_in)', () => {
    const { k, mm: parent } = proc([anonVma(HEAP, 1)], 'pte-chain', rules88);
    access(k, parent, HEAP, true);
    const child = do_fork(k, parent);
    const entry = swapOut(k, parent, HEAP);
    expect(swapCount(k.s, entry)).toBe(2);
    expect(faults(eventsOf(k, () => access(k, parent, HEAP, false)))).toEqual([FAULT.swapin]);
    const ev = eventsOf(k, () => access(k, child, HEAP, false));
    expect(faults(ev)).toEqual([FAULT.swapcache]);
    expect(ev.filter((e) => e.t === 'page_alloc' || e.t === 'swap_in')).toEqual([]);
    const pfn = pfnOf(k, parent, HEAP);
    expect(pfnOf(k, child, HEAP)).toBe(pfn);
    expect(getPage(k.s, pfn)).toMatchObject({ count: 2, mapcount: 2, swap: entry });
    // each pte's swap reference went; the cache keeps one
    expect(swapCount(k.s, entry)).toBe(1);
    expect(k.s.stats.swapReads).toBe(1);
    expect(pte_write(pteVal(k, child, HEAP))).toBe(false);
    expect(checkState(k.s)).toEqual([]);
  });

  it('a write fault on a swap pte whose page is cached and shared maps it read-only, then copies it (swap_in: is_page_shared)', () => {
    const { k, mm: parent } = proc([anonVma(HEAP, 1)], 'pte-chain', rules88);
    access(k, parent, HEAP, true);
    const child = do_fork(k, parent);
    swapOut(k, parent, HEAP);
    access(k, parent, HEAP, false);
    const ev = eventsOf(k, () => access(k, child, HEAP, true));
    expect(faults(ev)).toEqual([FAULT.swapcache, FAULT.cow]);
    expect(pfnOf(k, child, HEAP)).not.toBe(pfnOf(k, parent, HEAP));
    expect(checkState(k.s)).toEqual([]);
  });

  it('a sole-owner write drops the swap-cache entry and its swap reference (2.1.88 do_wp_page): never cached and writable', () => {
    const { k, mm } = proc([anonVma(HEAP, 1)], 'pte-chain', rules88);
    access(k, mm, HEAP, true);
    const entry = swapOut(k, mm, HEAP);
    access(k, mm, HEAP, false);
    access(k, mm, HEAP, true);
    const page = getPage(k.s, pfnOf(k, mm, HEAP));
    expect(page.flags & PG_swap_cache).toBe(0);
    expect(swapCount(k.s, entry)).toBe(0);
    expect(checkState(k.s)).toEqual([]);
  });

  it('fork keeps a swap-cached page in the cache (2.1.88 copy_one_pte: "No longer needed with the new swap cache code")', () => {
    const { k, mm: parent } = proc([anonVma(HEAP, 1)], 'pte-chain', rules88);
    access(k, parent, HEAP, true);
    const entry = swapOut(k, parent, HEAP);
    access(k, parent, HEAP, false);
    do_fork(k, parent);
    const page = getPage(k.s, pfnOf(k, parent, HEAP));
    expect([page.flags & PG_swap_cache, page.swap, page.count]).toEqual([PG_swap_cache, entry, 2]);
    expect(checkState(k.s)).toEqual([]);
  });

  it('2.1.47 rules: fork drops a swap-cached page from the cache and dirties its pte (copy_one_pte)', () => {
    const { k, mm: parent } = proc([anonVma(HEAP, 1)]);
    access(k, parent, HEAP, true);
    const entry = swapOut(k, parent, HEAP);
    access(k, parent, HEAP, false);
    do_fork(k, parent);
    expect(getPage(k.s, pfnOf(k, parent, HEAP)).flags & PG_swap_cache).toBe(0);
    expect(pte_dirty(pteVal(k, parent, HEAP))).toBe(true);
    expect(swapCount(k.s, entry)).toBe(0);
  });
});

describe('copy_page_range (fork)', () => {
  it('private writable pages are write-protected in both; the child pte is old and linked; the page count and map count rise', () => {
    const { k, mm: parent } = proc([anonVma(HEAP, 2)]);
    access(k, parent, HEAP, true);
    const pfn = pfnOf(k, parent, HEAP);
    const child = do_fork(k, parent);
    const pv = pteVal(k, parent, HEAP);
    const cv = pteVal(k, child, HEAP);
    expect(pte_write(pv)).toBe(false);
    expect(pte_write(cv)).toBe(false);
    expect(pte_young(pv)).toBe(true);
    expect(pte_young(cv)).toBe(false);
    expect(pte_pfn(cv)).toBe(pfn);
    expect(getPage(k.s, pfn)).toMatchObject({ count: 2, mapcount: 2 });
    // the untouched second page has no pte in either
    expect(pteVal(k, child, HEAP + 4096)).toBe(0);
  });

  it('a swap pte is duplicated (swap_duplicate): both hold the entry, its count is 2', () => {
    const { k, mm: parent } = proc([anonVma(HEAP, 1)]);
    access(k, parent, HEAP, true);
    const entry = swapOut(k, parent, HEAP);
    const child = do_fork(k, parent);
    expect(pteVal(k, child, HEAP)).toBe(pteVal(k, parent, HEAP));
    expect(swapCount(k.s, entry)).toBe(2);
  });

  it('copy_one_pte: a swap-cached page leaves the swap cache and its pte becomes dirty', () => {
    const { k, mm: parent } = proc([anonVma(HEAP, 1)]);
    access(k, parent, HEAP, true);
    const entry = swapOut(k, parent, HEAP);
    access(k, parent, HEAP, false);
    const pfn = pfnOf(k, parent, HEAP);
    const child = do_fork(k, parent);
    expect(getPage(k.s, pfn).flags & PG_swap_cache).toBe(0);
    expect(swapCount(k.s, entry)).toBe(0);
    expect(pte_dirty(pteVal(k, parent, HEAP))).toBe(true);
    expect(pte_pfn(pteVal(k, child, HEAP))).toBe(pfn);
  });

  it('a shared writable file mapping stays writable in parent and child', () => {
    const { k, mm: parent } = proc([sharedFile(1)]);
    access(k, parent, LIB, true);
    const child = do_fork(k, parent);
    expect(pte_write(pteVal(k, parent, LIB))).toBe(true);
    expect(pte_write(pteVal(k, child, LIB))).toBe(true);
  });

  it('emits nothing for a vma with no page table yet', () => {
    const { k, mm: parent } = proc([anonVma(HEAP, 4)]);
    const child = do_fork(k, parent);
    const vma = k.s.mms[parent].vmas[0];
    expect(eventsOf(k, () => expect(copy_page_range(k, child, parent, vma)).toBe(true)).filter((e) => e.t !== 'tick')).toEqual([]);
  });
});

describe('zap_page_range (munmap, exit)', () => {
  it('present pages: unlinked, cleared and their reference dropped (freed at 0); swap ptes: the slot is freed; the zero page: cleared only', () => {
    const { k, mm } = proc([anonVma(HEAP, 4)]);
    access(k, mm, HEAP, true); // page 0: private page
    access(k, mm, HEAP + 4096, true);
    const entry = swapOut(k, mm, HEAP + 4096); // page 1: swapped
    access(k, mm, HEAP + 2 * 4096, false); // page 2: zero page
    const pfn0 = pfnOf(k, mm, HEAP);
    const ptes = [0, 1, 2, 3].map((i) => pteOf(k, mm, HEAP + i * 4096));
    const vma = k.s.mms[mm].vmas[0];
    const ev = eventsOf(k, () => zap_page_range(k, mm, vma, vma.start, vma.end)).filter((e) => e.t !== 'tick');
    expect(ev).toEqual([
      { t: 'pte_unlink', pte: ptes[0], pfn: pfn0 },
      { t: 'pte_clear', pte: ptes[0] },
      { t: 'put_page', pfn: pfn0 },
      { t: 'page_free', pfn: pfn0, order: 0, reclaim: 0 },
      { t: 'pte_clear', pte: ptes[1] },
      { t: 'swap_free', entry },
      { t: 'pte_clear', pte: ptes[2] },
    ]);
    expect(k.s.mms[mm].rss).toBe(0);
    expect(k.s.swap.used).toBe(0);
  });

  it('a dirty pte of a shared file mapping passes its dirty bit to the page (PG_dirty) so reclaim writes it back', () => {
    const { k, mm } = proc([sharedFile(1)]);
    access(k, mm, LIB, true);
    const pfn = pfnOf(k, mm, LIB);
    expect(getPage(k.s, pfn).flags & PG_dirty).toBe(0);
    const vma = k.s.mms[mm].vmas[0];
    zap_page_range(k, mm, vma, vma.start, vma.end);
    expect(getPage(k.s, pfn)).toMatchObject({ count: 1, mapcount: 0, inode: 1 });
    expect(getPage(k.s, pfn).flags & PG_dirty).toBe(PG_dirty);
  });

  it('a dirty pte of a private file mapping that was never written (read-only) leaves the page clean', () => {
    const { k, mm } = proc([libVma(1)]);
    access(k, mm, LIB, false);
    const pfn = pfnOf(k, mm, LIB);
    const vma = k.s.mms[mm].vmas[0];
    zap_page_range(k, mm, vma, vma.start, vma.end);
    expect(getPage(k.s, pfn).flags & PG_dirty).toBe(0);
    expect(getPage(k.s, pfn).count).toBe(1);
  });
});

// keep the pte-bit imports honest: a writable dirty user pte is what a write fault sets
it('a write fault sets present|user|accessed|rw|dirty', () => {
  const { k, mm } = proc([anonVma(HEAP, 1)]);
  access(k, mm, HEAP, true);
  const pfn = pfnOf(k, mm, HEAP);
  expect(pteVal(k, mm, HEAP)).toBe(mk_pte(pfn, _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_RW | _PAGE_DIRTY));
});

// 2.1.47 mm/memory.c: handle_mm_fault calls oom(tsk) (an untrappable SIGKILL) when pte_alloc fails;
// do_no_page's anonymous_page sends SIGBUS when __get_free_page fails; do_wp_page and swap_in
// (mm/page_alloc.c) call oom(). arch/i386/mm/fault.c does nothing more: the process dies.
describe('out of memory in the fault path: the process is killed', () => {
  /** Every other frame free: plenty above min_free_pages, no order-1 block. */
  function fragment(k: Kernel): number[] {
    const all: number[] = [];
    while (k.s.nrFree > 0) all.push(__get_free_pages(k, 0, GFP_ATOMIC));
    for (const pfn of all) if (pfn % 2 === 0) free_page(k, pfn);
    return all.filter((pfn) => pfn % 2 !== 0);
  }

  it('pte-chain: no order-1 block for the page table, with memory above the reserve: handle_mm_fault -> oom(), no reclaim', () => {
    const { k, mm } = proc([anonVma(HEAP, 1)]);
    fragment(k);
    expect(k.s.nrFree).toBeGreaterThan(k.cfg.watermarks.min);
    const ev = eventsOf(k, () => expect(access(k, mm, HEAP, true)).toBe('oom'));
    expect(ev.filter((e) => e.t === 'clock_advance')).toEqual([]);
    expect(ev).toContainEqual({ t: 'alloc_fail', order: 1, gfp: 0 });
    expect(ev.at(-1)).toMatchObject({ t: 'op', kind: OP.oom, mm });
    expect(k.s.stats.ooms).toBe(1);
  });

  it('pte_chain (order-0 page tables) on the same fragmented machine: the fault succeeds', () => {
    const { k, mm } = proc([anonVma(HEAP, 1)], 'pte_chain');
    fragment(k);
    expect(access(k, mm, HEAP, true)).toBe('ok');
    expect(k.s.stats.ooms).toBe(0);
  });

  it('anonymous write at the reserve with nothing reclaimable: do_no_page fails (SIGBUS in 2.1.47), the process is killed', () => {
    const { k, mm } = proc([anonVma(HEAP, 2)]);
    expect(access(k, mm, HEAP, false)).toBe('ok'); // the page table now exists; the zero page is mapped
    while (k.s.nrFree > k.cfg.watermarks.min) __get_free_pages(k, 0, GFP_ATOMIC);
    expect(access(k, mm, HEAP + 4096, true)).toBe('oom');
    expect(k.s.stats.ooms).toBe(1);
  });

  it('killing the process (do_exit) after the failed fault leaves a consistent machine', () => {
    const { k, mm } = proc([anonVma(HEAP, 1)]);
    const taken = fragment(k);
    expect(access(k, mm, HEAP, true)).toBe('oom');
    do_exit(k, mm);
    expect(k.s.mms[mm]).toBeUndefined();
    for (const pfn of taken) free_page(k, pfn); // what the test itself took
    expect(checkState(k.s)).toEqual([]);
    expect(k.s.nrFree).toBe(56); // the pgd and the task struct came back too
  });
});
