// The old kswapd against kernel-2.1-facts.md: budgets, ageing, task visits, swap_cnt.
import { describe, expect, it } from 'vitest';
import { pte_is_swap, pte_pfn, pte_present, pte_young } from '../../src/arch/i386/page.js';
import { access, pte_offset, read_pte } from '../../src/mm/memory.js';
import { AGE_CLUSTER_SIZE, MAX_PAGE_AGE, age_page, touch_page } from '../../src/include/swapctl.js';
import { shrinkMmapBudget, shrink_mmap } from '../../src/mm/filemap.js';
import {
  do_try_to_free_page,
  oldSlice,
  swapOutCounter,
  swap_out,
  swap_out_process,
  try_to_swap_out,
  SwapResult,
} from '../../src/mm/swap_out.js';
import { do_fork } from '../../src/kernel/fork.js';
import { PG_referenced } from '../../src/include/page-flags.js';
import { do_execve } from '../../src/fs/exec.js';
import { do_exit } from '../../src/kernel/exit.js';
import { getPage } from '../../src/state.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { anonVma, bareKernel, checkKernel, LIB, libVma, sharedPage } from '../helpers.js';

const HEAP = 0x08100000;
const pteOf = (k: Kernel, mm: number, addr: number): number => pte_offset(k, k.s.mms[mm], addr);
const pfnOf = (k: Kernel, mm: number, addr: number): number => pte_pfn(read_pte(k, pteOf(k, mm, addr)));

describe('shrink_mmap budgets', () => {
  it('count_max = 2N >> (priority/2), count_min = 2N >> priority; 8 MB at priority 6 scans at most 512', () => {
    expect(shrinkMmapBudget(2048, 6)).toEqual({ countMax: 512, countMin: 64 });
    expect(shrinkMmapBudget(2048, 0)).toEqual({ countMax: 4096, countMin: 4096 });
    expect(shrinkMmapBudget(2048, 3)).toEqual({ countMax: 2048, countMin: 512 });
  });
  it('with no page-cache pages the hand moves exactly count_max pages and frees nothing', () => {
    const { k, events } = bareKernel('none', 'old');
    for (const prio of [6, 4, 2]) {
      events.length = 0;
      expect(shrink_mmap(k, prio)).toBe(false);
      expect(events.filter((e) => e.t === 'clock_advance')).toHaveLength(shrinkMmapBudget(64, prio).countMax);
    }
  });
  it('a page-cache page nobody maps gets a second chance (PG_referenced), then is freed', () => {
    const { k } = sharedPage('none', 1, 'old');
    const mm = Number(Object.keys(k.s.mms)[0]);
    const pfn = pfnOf(k, mm, LIB);
    // unmap it: exit the process, the page stays cached with only the cache's reference
    do_exit(k, mm);
    expect(getPage(k.s, pfn).count).toBe(1);
    expect(getPage(k.s, pfn).inode).not.toBe(0);
    const before = k.s.stats.reclaimed;
    // the first lap clears PG_referenced (set when it entered the page cache) and keeps it
    expect(shrink_mmap(k, 2)).toBe(false); // count_max = 64: one lap of the 64 frames
    expect(getPage(k.s, pfn).count).toBe(1);
    expect(shrink_mmap(k, 2)).toBe(true);
    expect(getPage(k.s, pfn).count).toBe(0);
    expect(k.s.stats.reclaimed).toBe(before + 1);
  });
});

describe('page ageing (swapctl.h)', () => {
  it('touch_page adds PAGE_ADVANCE 3, capped at MAX_PAGE_AGE 20; age_page takes 1, down to 0', () => {
    expect(touch_page(3)).toBe(6);
    expect(touch_page(16)).toBe(19);
    expect(touch_page(17)).toBe(20);
    expect(touch_page(19)).toBe(MAX_PAGE_AGE);
    expect(touch_page(20)).toBe(20);
    expect(age_page(3)).toBe(2);
    expect(age_page(1)).toBe(0);
    expect(age_page(0)).toBe(0);
  });
  it('new pages start at age 3, page-cache pages at 16', () => {
    const { k } = bareKernel('none', 'old');
    const mm = do_execve(k, -1, [anonVma(HEAP, 4)]);
    access(k, mm, HEAP, true);
    expect(getPage(k.s, pfnOf(k, mm, HEAP)).age).toBe(3);
    const sp = sharedPage('none', 1, 'old');
    const m2 = Number(Object.keys(sp.k.s.mms)[0]);
    expect(getPage(sp.k.s, pfnOf(sp.k, m2, LIB)).age).toBe(16);
  });
  it('try_to_swap_out: young pte -> made old and page touched; old pte -> aged; age > 0 survives; age 0 dirty anon -> swap entry', () => {
    const { k } = bareKernel('pte_chain', 'old');
    const mm = do_execve(k, -1, [anonVma(HEAP, 4)]);
    access(k, mm, HEAP, true);
    const pte = pteOf(k, mm, HEAP);
    const pfn = pfnOf(k, mm, HEAP);
    const vma = k.s.mms[mm].vmas[0];
    expect(pte_young(read_pte(k, pte))).toBe(true);
    expect(try_to_swap_out(k, k.s.mms[mm], vma, HEAP, pte, 1)).toBe(SwapResult.None);
    expect(pte_young(read_pte(k, pte))).toBe(false);
    expect(getPage(k.s, pfn).age).toBe(6);
    for (let age = 5; age >= 1; age--) {
      expect(try_to_swap_out(k, k.s.mms[mm], vma, HEAP, pte, 1)).toBe(SwapResult.None);
      expect(getPage(k.s, pfn).age).toBe(age);
      expect(pte_present(read_pte(k, pte))).toBe(true);
    }
    const writes = k.s.stats.swapWrites;
    expect(try_to_swap_out(k, k.s.mms[mm], vma, HEAP, pte, 1)).toBe(SwapResult.Freed);
    expect(pte_is_swap(read_pte(k, pte))).toBe(true);
    expect(getPage(k.s, pfn).count).toBe(0);
    expect(k.s.stats.swapWrites).toBe(writes + 1);
    expect(k.s.stats.rmapErrors).toBe(0);
    expect(getPage(k.s, pfn).mapcount).toBe(0);
  });
  it("a page mapped by 3 processes is aged 3 times by one walk over them (the seed's complaint)", () => {
    const { k, mms } = sharedPage('none', 3, 'old');
    const pfn = pfnOf(k, mms[0], LIB);
    for (const mm of mms) k.emit({ t: 'pte_mkold', pte: pteOf(k, mm, LIB) });
    const age = getPage(k.s, pfn).age;
    for (const mm of mms) expect(swap_out_process(k, mm)).toBe(SwapResult.None);
    expect(getPage(k.s, pfn).age).toBe(age - 3);
  });
});

describe('swap_out task visits', () => {
  it('counter = (8 * nr_tasks) >> priority; the loop visits counter + 1 tasks when nothing can be freed', () => {
    expect(swapOutCounter(11, 6)).toBe(1);
    expect(swapOutCounter(3, 0)).toBe(24);
    expect(swapOutCounter(3, 6)).toBe(0);
    for (const prio of [6, 3, 1, 0]) {
      const { k, events } = bareKernel('none', 'old');
      const mms: number[] = [];
      for (let i = 0; i < 3; i++) {
        const mm = do_execve(k, -1, [anonVma(HEAP, 2)]);
        access(k, mm, HEAP, true);
        mms.push(mm);
      }
      // pages so young that nothing reaches age 0 in one call: every visit returns 0
      for (const mm of mms) k.emit({ t: 'page_age', pfn: pfnOf(k, mm, HEAP), age: 20 });
      events.length = 0;
      expect(swap_out(k, prio)).toBe(false);
      const visits = events.filter((e) => e.t === 'swap_cnt').length;
      expect(visits).toBe(swapOutCounter(3, prio) + 1);
    }
  });
  it('swap_cnt = max(rss / 32, 4), one taken per visit', () => {
    expect(AGE_CLUSTER_SIZE(1)).toBe(4);
    expect(AGE_CLUSTER_SIZE(127)).toBe(4);
    expect(AGE_CLUSTER_SIZE(160)).toBe(5);
    expect(AGE_CLUSTER_SIZE(640)).toBe(20);
    const { k } = bareKernel('none', 'old');
    const mm = do_execve(k, -1, [anonVma(HEAP, 2)]);
    access(k, mm, HEAP, true);
    k.emit({ t: 'page_age', pfn: pfnOf(k, mm, HEAP), age: 20 });
    swap_out(k, 6);
    expect(oldSlice(k.s).cursors[mm].cnt).toBe(AGE_CLUSTER_SIZE(1) - 1);
  });
  it('the start rotates: successive calls begin at different tasks (skip_factor)', () => {
    const { k, events } = bareKernel('none', 'old');
    for (let i = 0; i < 3; i++) {
      const mm = do_execve(k, -1, [anonVma(HEAP, 2)]);
      access(k, mm, HEAP, true);
      k.emit({ t: 'page_age', pfn: pfnOf(k, mm, HEAP), age: 20 });
    }
    const firsts: number[] = [];
    for (let i = 0; i < 3; i++) {
      events.length = 0;
      swap_out(k, 6);
      const first = events.find((e) => e.t === 'swap_cnt');
      firsts.push(first !== undefined && first.t === 'swap_cnt' ? first.mm : -1);
    }
    expect(new Set(firsts).size).toBeGreaterThan(1);
    expect(oldSlice(k.s).skipFactor).toBeGreaterThan(0);
  });
  it('swap_out_process resumes at swap_address after a pte it freed', () => {
    const { k } = bareKernel('none', 'old');
    const mm = do_execve(k, -1, [anonVma(HEAP, 4)]);
    for (let i = 0; i < 4; i++) access(k, mm, HEAP + i * 4096, true);
    for (let i = 0; i < 4; i++) {
      k.emit({ t: 'pte_mkold', pte: pteOf(k, mm, HEAP + i * 4096) });
      k.emit({ t: 'page_age', pfn: pfnOf(k, mm, HEAP + i * 4096), age: 1 });
    }
    expect(swap_out_process(k, mm)).toBe(SwapResult.Freed);
    expect(oldSlice(k.s).cursors[mm].addr).toBe(HEAP + 4096);
    expect(swap_out_process(k, mm)).toBe(SwapResult.Freed);
    expect(oldSlice(k.s).cursors[mm].addr).toBe(HEAP + 2 * 4096);
    expect(pte_is_swap(read_pte(k, pteOf(k, mm, HEAP + 4096)))).toBe(true);
  });
});

describe('try_to_swap_out: what happens to a page at age 0 (2.1.47 mm/vmscan.c)', () => {
  /** An anonymous page written by `mm`, its pte made old and its age set to 1: the next look ages it to 0. */
  function ripe(k: Kernel, mm: number): { pte: number; pfn: number } {
    const pte = pteOf(k, mm, HEAP);
    const pfn = pfnOf(k, mm, HEAP);
    k.emit({ t: 'pte_mkold', pte });
    k.emit({ t: 'page_age', pfn, age: 1 });
    return { pte, pfn };
  }

  it('a dirty anonymous page with count > 1 (shared after fork) is never swapped (vmscan.c:106): its pte stays', () => {
    const { k } = bareKernel('pte_chain', 'old');
    const parent = do_execve(k, -1, [anonVma(HEAP, 1)]);
    access(k, parent, HEAP, true);
    do_fork(k, parent);
    const { pte, pfn } = ripe(k, parent);
    const vma = k.s.mms[parent].vmas[0];
    expect(try_to_swap_out(k, k.s.mms[parent], vma, HEAP, pte, 1)).toBe(SwapResult.None);
    expect(pte_present(read_pte(k, pte))).toBe(true);
    expect(getPage(k.s, pfn)).toMatchObject({ count: 2, age: 0 });
    expect(k.s.stats.swapWrites).toBe(0);
  });

  it('--swap-cache 2.1.88: a dirty shared anonymous page is swapped pte by pte through the swap cache, written once (2.1.88 try_to_swap_out)', () => {
    const { k } = bareKernel('pte_chain', 'old', undefined, { swapCache: '2.1.88' });
    const parent = do_execve(k, -1, [anonVma(HEAP, 1)]);
    access(k, parent, HEAP, true);
    const child = do_fork(k, parent);
    const { pte, pfn } = ripe(k, parent);
    const vma = k.s.mms[parent].vmas[0];
    expect(try_to_swap_out(k, k.s.mms[parent], vma, HEAP, pte, 1)).toBe(SwapResult.Unmapped);
    expect(pte_is_swap(read_pte(k, pte))).toBe(true);
    const entry = getPage(k.s, pfn).swap;
    expect(getPage(k.s, pfn)).toMatchObject({ count: 1 });
    expect(entry).toBeGreaterThan(0);
    expect(k.s.swap.map[entry >> 6][entry & 63]).toBe(2); // the parent's pte and the cache
    expect(checkKernel(k)).toEqual([]);
    // the child's pte (dirty from before the fork) takes the cached entry: no second write, the page goes
    const c = pteOf(k, child, HEAP);
    k.emit({ t: 'page_age', pfn, age: 1 });
    expect(try_to_swap_out(k, k.s.mms[child], vma, HEAP, c, 1)).toBe(SwapResult.Freed);
    expect(read_pte(k, c)).toBe(read_pte(k, pte));
    expect(k.s.stats.swapWrites).toBe(1);
    expect(k.s.swap.map[entry >> 6][entry & 63]).toBe(2); // the two ptes
    expect(checkKernel(k)).toEqual([]);
  });

  it("a clean swap-cached page: the pte takes the cache's swap entry, no write, the page is freed", () => {
    const { k } = bareKernel('pte_chain', 'old');
    const mm = do_execve(k, -1, [anonVma(HEAP, 1)]);
    access(k, mm, HEAP, true);
    const first = ripe(k, mm);
    const vma = k.s.mms[mm].vmas[0];
    expect(try_to_swap_out(k, k.s.mms[mm], vma, HEAP, first.pte, 1)).toBe(SwapResult.Freed);
    const entry = read_pte(k, first.pte);
    access(k, mm, HEAP, false); // read swap-in: swap-cached, clean, read-only
    const { pte, pfn } = ripe(k, mm);
    expect(getPage(k.s, pfn).swap).toBe(entry >>> 8);
    expect(try_to_swap_out(k, k.s.mms[mm], vma, HEAP, pte, 1)).toBe(SwapResult.Freed);
    expect(read_pte(k, pte)).toBe(entry);
    expect(k.s.stats.swapWrites).toBe(1); // only the first swap-out wrote
    expect(getPage(k.s, pfn).count).toBe(0);
  });

  it('--swap-cache 2.1.88: a clean swap-cached page mapped twice loses this pte to the entry; the page stays cached for the other (2.1.88 try_to_swap_out, in_swap_cache)', () => {
    const { k } = bareKernel('pte_chain', 'old', undefined, { swapCache: '2.1.88' });
    const parent = do_execve(k, -1, [anonVma(HEAP, 1)]);
    access(k, parent, HEAP, true);
    const first = ripe(k, parent);
    const vma = k.s.mms[parent].vmas[0];
    expect(try_to_swap_out(k, k.s.mms[parent], vma, HEAP, first.pte, 1)).toBe(SwapResult.Freed);
    access(k, parent, HEAP, false); // swap-cached, read-only
    const child = do_fork(k, parent); // 2.1.88's fork keeps it cached: count 2
    const { pte, pfn } = ripe(k, parent);
    const entry = getPage(k.s, pfn).swap;
    expect(try_to_swap_out(k, k.s.mms[parent], vma, HEAP, pte, 1)).toBe(SwapResult.Unmapped);
    expect(pte_is_swap(read_pte(k, pte))).toBe(true);
    expect(getPage(k.s, pfn)).toMatchObject({ count: 1, swap: entry });
    expect(pfnOf(k, child, HEAP)).toBe(pfn);
    expect(k.s.swap.map[entry >> 6][entry & 63]).toBe(2); // the cache's and the parent's pte's
    expect(checkKernel(k)).toEqual([]);
  });

  it('a dirty pte on a swap-cached page: delete_from_swap_cache (the copy on swap is stale), then the page is touched, not aged', () => {
    const { k } = bareKernel('pte_chain', 'old');
    const mm = do_execve(k, -1, [anonVma(HEAP, 1)]);
    access(k, mm, HEAP, true);
    const first = ripe(k, mm);
    const vma = k.s.mms[mm].vmas[0];
    try_to_swap_out(k, k.s.mms[mm], vma, HEAP, first.pte, 1);
    access(k, mm, HEAP, false);
    const pte = pteOf(k, mm, HEAP);
    const pfn = pfnOf(k, mm, HEAP);
    const entry = getPage(k.s, pfn).swap;
    // the state 2.1.47's do_wp_page leaves: pte dirty and writable, page still swap-cached
    access(k, mm, HEAP, true);
    expect(getPage(k.s, pfn).swap).toBe(entry);
    k.emit({ t: 'page_age', pfn, age: 1 });
    expect(try_to_swap_out(k, k.s.mms[mm], vma, HEAP, pte, 1)).toBe(SwapResult.None);
    expect(getPage(k.s, pfn).swap).toBe(0);
    expect(getPage(k.s, pfn).age).toBe(4);
    expect(k.s.swap.used).toBe(0);
    expect(entry).toBeGreaterThan(0);
  });
});

describe('do_try_to_free_page (shrink_mmap, then swap_out, priority 6 down to 0)', () => {
  it('with no page-cache page to free it falls through to swap_out, and the next call resumes at swap_out (static state 4)', () => {
    const { k, events } = bareKernel('none', 'old');
    const mm = do_execve(k, -1, [anonVma(HEAP, 2)]);
    access(k, mm, HEAP, true);
    access(k, mm, HEAP + 4096, true);
    for (const a of [HEAP, HEAP + 4096]) {
      k.emit({ t: 'pte_mkold', pte: pteOf(k, mm, a) });
      k.emit({ t: 'page_age', pfn: pfnOf(k, mm, a), age: 1 });
    }
    events.length = 0;
    expect(do_try_to_free_page(k)).toBe(true);
    const types = events.map((e) => e.t);
    expect(types.indexOf('clock_advance')).toBeLessThan(types.indexOf('swap_out'));
    expect(oldSlice(k.s).state).toBe(4);
    events.length = 0;
    expect(do_try_to_free_page(k)).toBe(true);
    expect(events.filter((e) => e.t === 'clock_advance')).toEqual([]);
    expect(k.s.stats.swapWrites).toBe(2);
  });

  it('a free page-cache page is taken by shrink_mmap first; swap_out is not called', () => {
    const { k, events } = bareKernel('none', 'old');
    const mm = do_execve(k, -1, [libVma(1)]);
    access(k, mm, LIB, false);
    const pfn = pfnOf(k, mm, LIB);
    do_exit(k, mm);
    k.emit({ t: 'page_flags', pfn, set: 0, clear: PG_referenced });
    events.length = 0;
    expect(do_try_to_free_page(k)).toBe(true);
    expect(getPage(k.s, pfn).count).toBe(0);
    expect(events.filter((e) => e.t === 'swap_cnt')).toEqual([]);
    expect(oldSlice(k.s).state).toBe(0);
  });
});

describe("the old kswapd's pte-slot walk is charged (ptSlotNs per slot, swap_out_pmd)", () => {
  it('eight slots passed to reach the one present pte cost 8 ptSlotNs, the same count the swap_scan event reports', () => {
    const { k } = bareKernel('none', 'old', 'tiny', { cost: { ptSlotNs: 1, chainStepNs: 0 } });
    const mm = do_execve(k, -1, [anonVma(HEAP, 8)]);
    access(k, mm, HEAP + 7 * 4096, true);
    k.emit({ t: 'pte_mkold', pte: pteOf(k, mm, HEAP + 7 * 4096) });
    const before = k.pendingNs;
    const slotsBefore = k.s.stats.pteSlots;
    expect(swap_out_process(k, mm)).toBe(SwapResult.None);
    // one present pte, young before: made old, page touched; every slot 0..7 was read on the way
    expect(k.pendingNs - before).toBe(8);
    expect(k.s.stats.pteSlots - slotsBefore).toBe(8);
  });
});
