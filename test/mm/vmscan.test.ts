// The page-centric clock of src/mm/vmscan.ts (LaHaise's 1997 kswapd over 2.1.47's mem_map
// hand), asserted step by step on hand-built machines: which ptes are made old, which are
// rewritten, what the page's count and the swap map read afterwards.
import { describe, expect, it } from 'vitest';
import { SWP_ENTRY, SWP_OFFSET, pte_is_swap, pte_pfn, pte_present, pte_young } from '../../src/arch/i386/page.js';
import { do_fork } from '../../src/kernel/fork.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { do_execve } from '../../src/fs/exec.js';
import { PG_dirty, PG_referenced } from '../../src/include/page-flags.js';
import { access, pte_offset, read_pte } from '../../src/mm/memory.js';
import { __get_free_pages, GFP_ATOMIC } from '../../src/mm/page_alloc.js';
import { clock_step, clock_try_to_free_page, expectedRefs, reclaim_page, swap_tick } from '../../src/mm/vmscan.js';
import { swapCount } from '../../src/reducer/index.js';
import { getPage, VM_READ, VM_WRITE, VmaKind } from '../../src/state.js';
import { checkState } from '../../src/check/invariants.js';
import { nr_async_pages } from '../../src/mm/page_io.js';
import { anonVma, bareKernel, LIB, sharedPage, eventsOf } from '../helpers.js';

const HEAP = 0x08100000;
const pteOf = (k: Kernel, mm: number, addr: number): number => pte_offset(k, k.s.mms[mm], addr);
const pfnOf = (k: Kernel, mm: number, addr: number): number => pte_pfn(read_pte(k, pteOf(k, mm, addr)));
/** Put the clock hand on `pfn` (the hand is state; only the reducer moves it). */
const handTo = (k: Kernel, pfn: number): void => k.emit({ t: 'clock_advance', hand: pfn, ptes: 0 });

/** Record the events `f` emits. */
/** A parent that wrote one anonymous page, then forked n-1 children: one page, n COW ptes. */
function sharedAnon(n: number): { k: Kernel; mms: number[]; pfn: number } {
  const { k } = bareKernel('pte-chain');
  const parent = do_execve(k, -1, [anonVma(HEAP, 4)]);
  expect(access(k, parent, HEAP, true)).toBe('ok');
  const mms = [parent];
  for (let i = 1; i < n; i++) mms.push(do_fork(k, parent));
  return { k, mms, pfn: pfnOf(k, parent, HEAP) };
}

describe('clock_step (the seed kswapd: test and clear every pte of the page under the hand)', () => {
  it('a referenced shared page survives one lap: every young pte is made old, nothing is unmapped', () => {
    const { k, mms } = sharedPage('pte-chain', 3);
    const pfn = pfnOf(k, mms[0], LIB);
    for (const mm of mms) expect(pte_young(read_pte(k, pteOf(k, mm, LIB)))).toBe(true);
    handTo(k, pfn);
    const ev = eventsOf(k, () => expect(clock_step(k)).toBe(false));
    // one look at the page for all three mappings: one clock_advance carrying 3 ptes
    expect(ev.filter((e) => e.t === 'clock_advance')).toEqual([{ t: 'clock_advance', hand: pfn + 1, ptes: 3 }]);
    expect(ev.filter((e) => e.t === 'pte_mkold').map((e) => (e.t === 'pte_mkold' ? e.pte : 0))).toEqual(
      expect.arrayContaining(mms.map((mm) => pteOf(k, mm, LIB))),
    );
    expect(ev.filter((e) => e.t === 'pte_mkold')).toHaveLength(3);
    for (const mm of mms) {
      const v = read_pte(k, pteOf(k, mm, LIB));
      expect(pte_present(v)).toBe(true);
      expect(pte_young(v)).toBe(false);
    }
    // page_cache_add set PG_referenced; the lap that acted on the reference cleared it
    expect(getPage(k.s, pfn).flags & PG_referenced).toBe(0);
    expect(getPage(k.s, pfn).count).toBe(4);
    expect(k.s.hand).toBe(pfn + 1);
  });

  it('an unreferenced shared file page is unmapped from every pte at once, leaves the page cache and is freed', () => {
    const { k, mms } = sharedPage('pte-chain', 3);
    const pfn = pfnOf(k, mms[0], LIB);
    const ptes = mms.map((mm) => pteOf(k, mm, LIB));
    handTo(k, pfn);
    clock_step(k); // first lap: clears the accessed bits
    handTo(k, pfn);
    const ev = eventsOf(k, () => expect(clock_step(k)).toBe(true));
    expect(ev.filter((e) => e.t === 'pte_unlink')).toHaveLength(3);
    expect(ev.filter((e) => e.t === 'pte_clear').map((e) => (e.t === 'pte_clear' ? e.pte : 0))).toEqual(expect.arrayContaining(ptes));
    expect(ev.filter((e) => e.t === 'writepage')).toEqual([]); // clean: no write-back
    expect(ev.filter((e) => e.t === 'page_cache_del')).toEqual([{ t: 'page_cache_del', pfn }]);
    expect(ev.filter((e) => e.t === 'page_free')).toEqual([{ t: 'page_free', pfn, order: 0, reclaim: 1 }]);
    for (const pte of ptes) expect(read_pte(k, pte)).toBe(0);
    expect(getPage(k.s, pfn)).toMatchObject({ count: 0, mapcount: 0, inode: 0 });
    expect(checkState(k.s)).toEqual([]);
  });

  it('an unreferenced shared anonymous page: one swap_out with refs = 3, every pte gets the same swap entry', () => {
    const { k, mms, pfn } = sharedAnon(3);
    expect(getPage(k.s, pfn).count).toBe(3);
    const ptes = mms.map((mm) => pteOf(k, mm, HEAP));
    handTo(k, pfn);
    clock_step(k); // the parent's pte was young
    handTo(k, pfn);
    const ev = eventsOf(k, () => expect(clock_step(k)).toBe(true));
    const out = ev.filter((e) => e.t === 'swap_out');
    expect(out).toHaveLength(1);
    const entry = out[0].t === 'swap_out' ? out[0].entry : -1;
    expect(out[0]).toMatchObject({ pfn, refs: 3 });
    for (const pte of ptes) expect(read_pte(k, pte)).toBe(SWP_ENTRY(entry));
    expect(swapCount(k.s, entry)).toBe(3);
    expect(getPage(k.s, pfn).count).toBe(0);
    expect(k.s.stats.swapWrites).toBe(1);
    expect(checkState(k.s)).toEqual([]);
  });

  it('a dirty file page (shared writable mapping) is written back before it leaves the page cache', () => {
    const { k } = bareKernel('pte-chain');
    const mm = do_execve(k, -1, [
      { start: LIB, end: LIB + 4 * 4096, kind: VmaKind.SharedFile, prot: VM_READ | VM_WRITE, file: 1, pgoff: 0 },
    ]);
    expect(access(k, mm, LIB, true)).toBe('ok');
    const pfn = pfnOf(k, mm, LIB);
    handTo(k, pfn);
    clock_step(k);
    handTo(k, pfn);
    const ev = eventsOf(k, () => expect(clock_step(k)).toBe(true));
    const types = ev.map((e) => e.t);
    expect(types).toContain('writepage');
    expect(types.indexOf('writepage')).toBeLessThan(types.indexOf('page_cache_del'));
    expect(k.s.stats.fileWrites).toBe(1);
    expect(getPage(k.s, pfn).flags & PG_dirty).toBe(0);
  });

  it('a page with a reference beyond its mappings and the cache is passed over without touching its ptes', () => {
    const { k, mms } = sharedPage('pte-chain', 2);
    const pfn = pfnOf(k, mms[0], LIB);
    k.emit({ t: 'get_page', pfn }); // e.g. a read in progress holds it
    expect(getPage(k.s, pfn).count).toBe(expectedRefs(getPage(k.s, pfn)) + 1);
    handTo(k, pfn);
    const ev = eventsOf(k, () => expect(clock_step(k)).toBe(false));
    expect(ev).toEqual([{ t: 'clock_advance', hand: pfn + 1, ptes: 0 }]);
    for (const mm of mms) expect(pte_young(read_pte(k, pteOf(k, mm, LIB)))).toBe(true);
  });

  it('free, reserved and page-table frames are skipped; the hand wraps from the last frame to the first', () => {
    const { k } = bareKernel('pte-chain');
    const mm = do_execve(k, -1, [anonVma(HEAP, 1)]);
    access(k, mm, HEAP, true);
    const pgd = k.s.mms[mm].pgd;
    for (const pfn of [0, pgd, k.s.mms[mm].pgdir[Math.floor(HEAP / (1 << 22))]]) {
      handTo(k, pfn);
      expect(eventsOf(k, () => clock_step(k))).toEqual([{ t: 'clock_advance', hand: pfn + 1, ptes: 0 }]);
    }
    handTo(k, k.s.nframes - 1);
    clock_step(k);
    expect(k.s.hand).toBe(0);
  });
});

describe('clock_try_to_free_page (two turns of the hand)', () => {
  it('frees the one user page of a machine in at most 2 * nframes steps, after clearing its bit on the first turn', () => {
    const { k } = bareKernel('pte-chain');
    const mm = do_execve(k, -1, [anonVma(HEAP, 1)]);
    access(k, mm, HEAP, true);
    const pfn = pfnOf(k, mm, HEAP);
    handTo(k, pfn); // the hand starts on the young page: it must come round once more
    const ev = eventsOf(k, () => expect(clock_try_to_free_page(k)).toBe(true));
    expect(ev.filter((e) => e.t === 'clock_advance')).toHaveLength(k.s.nframes + 1);
    expect(pte_is_swap(read_pte(k, pteOf(k, mm, HEAP)))).toBe(true);
    expect(getPage(k.s, pfn).count).toBe(0);
  });

  it('with nothing reclaimable it gives up after exactly 2 * nframes steps', () => {
    const { k } = bareKernel('pte-chain');
    const ev = eventsOf(k, () => expect(clock_try_to_free_page(k)).toBe(false));
    expect(ev.filter((e) => e.t === 'clock_advance')).toHaveLength(2 * k.s.nframes);
  });
});

describe('reclaim_page (strict mode picks the victim)', () => {
  it('unmaps the chosen page from every pte even when they are young', () => {
    const { k, mms } = sharedPage('pte-chain', 2);
    const pfn = pfnOf(k, mms[0], LIB);
    expect(reclaim_page(k, pfn)).toBe(true);
    for (const mm of mms) expect(read_pte(k, pteOf(k, mm, LIB))).toBe(0);
    expect(getPage(k.s, pfn).count).toBe(0);
  });
  it('refuses a free page', () => {
    const { k } = bareKernel('pte-chain');
    const free = k.s.freeArea[0].head >= 0 ? k.s.freeArea[0].head : k.s.freeArea[5].head;
    expect(reclaim_page(k, free)).toBe(false);
  });
});

describe('swap_tick (kswapd wake-up: free_pages_low / free_pages_high)', () => {
  /** 4 written anonymous pages, then kernel pages taken until `free` frames are left. */
  function squeezed(free: number): { k: Kernel; mm: number } {
    const { k } = bareKernel('pte-chain');
    const mm = do_execve(k, -1, [anonVma(HEAP, 4)]);
    for (let i = 0; i < 4; i++) access(k, mm, HEAP + i * 4096, true);
    while (k.s.nrFree > free) __get_free_pages(k, 0, GFP_ATOMIC);
    return { k, mm };
  }

  it('below free_pages_low (6 on tiny) kswapd runs, one operation per page, until nr_free_pages + nr_async_pages reaches free_pages_high (8)', () => {
    const { k, mm } = squeezed(5);
    const ev = eventsOf(k, () => swap_tick(k));
    expect(ev.filter((e) => e.t === 'op')).toHaveLength(3);
    expect(k.s.stats.swapWrites).toBe(3);
    const swapped = [0, 1, 2, 3].filter((i) => pte_is_swap(read_pte(k, pteOf(k, mm, HEAP + i * 4096))));
    expect(swapped).toHaveLength(3);
    for (const i of swapped) expect(SWP_OFFSET(read_pte(k, pteOf(k, mm, HEAP + i * 4096)))).toBeGreaterThan(0);
    // kswapd's writes are asynchronous (rw_swap_page with wait 0): the three pages are under
    // write-out, not free yet, and count in nr_async_pages (2.1.47 mm/vmscan.c kswapd, swap_tick)
    expect(k.s.nrFree).toBe(5);
    expect(nr_async_pages(k.s)).toBe(3);
    // free 5 is below free_pages_low, but free + async is at free_pages_high: swap_tick leaves kswapd asleep
    k.emit({ t: 'tick', us: 1_000_000 });
    expect(eventsOf(k, () => swap_tick(k)).filter((e) => e.t === 'op')).toEqual([]);
    // the writes have completed by now: the next operation takes their interrupts and the pages are free
    k.op('mmap', -1);
    expect(k.s.nrFree).toBe(8);
    expect(nr_async_pages(k.s)).toBe(0);
  });

  it('between low and high it waits for swapout_interval since the last run', () => {
    const { k } = squeezed(7);
    expect(eventsOf(k, () => swap_tick(k)).filter((e) => e.t === 'op')).toEqual([]);
    k.emit({ t: 'tick', us: 250_000 }); // HZ/4 jiffies of 10 ms
    expect(eventsOf(k, () => swap_tick(k)).filter((e) => e.t === 'op')).toHaveLength(1);
    expect(k.s.nrFree + nr_async_pages(k.s)).toBe(8);
  });

  it('at or above free_pages_high nothing happens', () => {
    const { k } = squeezed(8);
    k.emit({ t: 'tick', us: 1_000_000 });
    expect(eventsOf(k, () => swap_tick(k))).toEqual([]);
  });
});

describe('the walks the clock pays for when it unmaps a page (ownerWalkNs, vmaVisitNs)', () => {
  /** A page three processes map, unreferenced, under the hand; costs in ns small enough to stay pending. */
  function ripeShared(rmap: string): { k: Kernel; pfn: number } {
    const { k } = bareKernel(rmap, 'clock', 'tiny', { cost: { ownerWalkNs: 1, vmaVisitNs: 10, chainStepNs: 0 } });
    const mms: number[] = [];
    for (let i = 0; i < 3; i++) {
      const mm = do_execve(k, -1, [{ start: LIB, end: LIB + 4 * 4096, kind: VmaKind.PrivateFile, prot: VM_READ, file: 1, pgoff: 0 }]);
      access(k, mm, LIB, false);
      mms.push(mm);
    }
    const pfn = pfnOf(k, mms[0], LIB);
    for (const mm of mms) k.emit({ t: 'pte_mkold', pte: pteOf(k, mm, LIB) });
    k.emit({ t: 'page_flags', pfn, set: 0, clear: PG_referenced });
    handTo(k, pfn);
    return { k, pfn };
  }

  it("pte-chain: each of the 3 ptes unmapped costs one pte_getpmd -> pmd_getpgd -> pgd_getmm -> find_vma walk (the seed's way to a pte's vm_ops)", () => {
    const { k, pfn } = ripeShared('pte-chain');
    const before = k.pendingNs;
    expect(clock_step(k)).toBe(true);
    expect(getPage(k.s, pfn).count).toBe(0);
    expect(k.pendingNs - before).toBe(3);
  });

  it('objrmap: no owner walk (the walk starts from the vma), but every vma its rmap_walk visits costs vmaVisitNs', () => {
    const { k } = ripeShared('objrmap');
    const before = k.pendingNs;
    const ev = eventsOf(k, () => expect(clock_step(k)).toBe(true));
    const vmas = ev.reduce((n, e) => n + (e.t === 'rmap_walk' ? e.vmas : 0), 0);
    expect(vmas).toBeGreaterThanOrEqual(3);
    expect(k.pendingNs - before).toBe(10 * vmas);
  });
});
