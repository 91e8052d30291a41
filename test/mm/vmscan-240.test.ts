// 2.4.0 as released (src/mm/vmscan-240.ts; 2.4.0-prerelease mm/vmscan.c): no reverse map. Each
// test names the kernel function whose rule it checks.
import { describe, expect, it } from 'vitest';
import { pte_is_swap, pte_pfn, pte_present, pte_young } from '../../src/arch/i386/page.js';
import { do_execve } from '../../src/fs/exec.js';
import { PG_dirty, PG_referenced } from '../../src/include/page-flags.js';
import { do_fork } from '../../src/kernel/fork.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { access, pte_offset, read_pte } from '../../src/mm/memory.js';
import { SwapResult } from '../../src/mm/swap_out.js';
import {
  page_launder_240,
  reclaim_page_240,
  refill_inactive_scan_240,
  try_to_free_page_240,
  try_to_swap_out_240,
} from '../../src/mm/vmscan-240.js';
import { LRU_ACTIVE, LRU_INACTIVE_CLEAN, LRU_INACTIVE_DIRTY, lruListOf, PAGE_AGE_ADV, PAGE_AGE_START } from '../../src/mm/vmscan-lru.js';
import { getPage } from '../../src/state.js';
import { anonVma, bareKernel, checkKernel, LIB, libVma } from '../helpers.js';

const HEAP = 0x08100000;
const pteOf = (k: Kernel, mm: number, addr: number): number => pte_offset(k, k.s.mms[mm], addr);
const pfnOf = (k: Kernel, mm: number, addr: number): number => pte_pfn(read_pte(k, pteOf(k, mm, addr)));
const listOf = (k: Kernel, pfn: number): number => lruListOf(getPage(k.s, pfn).flags);

/** One process with an anonymous page and a mapped file page, under 2.4.0 (rmap none). */
function machine(rmap = 'none') {
  const { k } = bareKernel(rmap, 'active-inactive');
  const mm = do_execve(k, -1, [anonVma(HEAP, 1), libVma(2)]);
  access(k, mm, HEAP, true);
  access(k, mm, LIB, false);
  return { k, mm, anon: pfnOf(k, mm, HEAP), file: pfnOf(k, mm, LIB) };
}

/** try_to_swap_out on the pte of `addr`, as swap_out's walk would call it. */
function swapOutPte(k: Kernel, mm: number, addr: number): SwapResult {
  const vma = k.s.mms[mm].vmas.find((v) => addr >= v.start && addr < v.end);
  if (vma === undefined) throw new Error('no vma');
  return try_to_swap_out_240(k, k.s.mms[mm], vma, addr, pteOf(k, mm, addr), 1);
}

describe('2.4.0 needs no reverse map', () => {
  it('runs with --rmap none; its pages enter the active list at PAGE_AGE_START (lru_cache_add)', () => {
    const { k, anon, file } = machine();
    expect(listOf(k, anon)).toBe(LRU_ACTIVE);
    expect(listOf(k, file)).toBe(LRU_ACTIVE);
    expect(getPage(k.s, anon).age).toBe(PAGE_AGE_START);
  });
});

describe('try_to_swap_out (2.4.0 mm/vmscan.c)', () => {
  it('a young pte is made old and its page aged up (age_page_up); nothing is unmapped', () => {
    const { k, mm, anon } = machine();
    expect(swapOutPte(k, mm, HEAP)).toBe(SwapResult.None);
    expect(pte_young(read_pte(k, pteOf(k, mm, HEAP)))).toBe(false);
    expect(getPage(k.s, anon).age).toBe(PAGE_AGE_START + PAGE_AGE_ADV);
  });

  it('an old pte of an active page with age > 0 is left: active pages age in refill_inactive_scan, not here', () => {
    const { k, mm, anon } = machine();
    k.emit({ t: 'pte_mkold', pte: pteOf(k, mm, HEAP) });
    expect(swapOutPte(k, mm, HEAP)).toBe(SwapResult.None);
    expect(getPage(k.s, anon).age).toBe(PAGE_AGE_START);
    expect(pte_present(read_pte(k, pteOf(k, mm, HEAP)))).toBe(true);
  });

  it("at age 0 an anonymous page's only pte gets a new swap entry and the page goes (written at once: mmsim's swap cache holds no page)", () => {
    const { k, mm, anon } = machine();
    k.emit({ t: 'pte_mkold', pte: pteOf(k, mm, HEAP) });
    k.emit({ t: 'page_age', pfn: anon, age: 0 });
    expect(swapOutPte(k, mm, HEAP)).toBe(SwapResult.Freed);
    expect(pte_is_swap(read_pte(k, pteOf(k, mm, HEAP)))).toBe(true);
    expect(getPage(k.s, anon).count).toBe(0);
    expect(k.s.stats.swapWrites).toBe(1);
    expect(checkKernel(k)).toEqual([]);
  });

  it('a shared anonymous page is added to the swap cache (add_to_swap_cache): this pte takes the entry, the sharer keeps the page', () => {
    const { k, mm, anon } = machine();
    const child = do_fork(k, mm);
    k.emit({ t: 'pte_mkold', pte: pteOf(k, mm, HEAP) });
    k.emit({ t: 'page_age', pfn: anon, age: 0 });
    expect(swapOutPte(k, mm, HEAP)).toBe(SwapResult.Unmapped);
    expect(pte_is_swap(read_pte(k, pteOf(k, mm, HEAP)))).toBe(true);
    expect(pfnOf(k, child, HEAP)).toBe(anon);
    expect(getPage(k.s, anon)).toMatchObject({ count: 1 });
    expect(getPage(k.s, anon).swap).toBeGreaterThan(0);
    expect(checkKernel(k)).toEqual([]);
    // the sharer's pte then takes the cached entry: no second write, the page goes
    k.emit({ t: 'page_age', pfn: anon, age: 0 });
    expect(swapOutPte(k, child, HEAP)).toBe(SwapResult.Freed);
    expect(k.s.stats.swapWrites).toBe(1);
    expect(checkKernel(k)).toEqual([]);
  });

  it('a file page loses its pte (drop_pte) and, unmapped, is deactivated (deactivate_page) to inactive_dirty', () => {
    const { k, mm, file } = machine();
    k.emit({ t: 'pte_mkold', pte: pteOf(k, mm, LIB) });
    k.emit({ t: 'page_age', pfn: file, age: 0 });
    expect(swapOutPte(k, mm, LIB)).toBe(SwapResult.Unmapped);
    expect(read_pte(k, pteOf(k, mm, LIB))).toBe(0);
    expect(getPage(k.s, file).count).toBe(1);
    expect(listOf(k, file)).toBe(LRU_INACTIVE_DIRTY);
    expect(checkKernel(k)).toEqual([]);
  });
});

describe('refill_inactive_scan (2.4.0): PG_referenced ages, only unmapped pages are deactivated', () => {
  it('a mapped page at age 0 stays on the active list (page_count > 1)', () => {
    const { k, file } = machine();
    k.emit({ t: 'page_flags', pfn: file, set: 0, clear: PG_referenced });
    k.emit({ t: 'page_age', pfn: file, age: 1 });
    for (let i = 0; i < 4; i++) refill_inactive_scan_240(k, 0);
    expect(getPage(k.s, file).age).toBe(0);
    expect(listOf(k, file)).toBe(LRU_ACTIVE);
  });

  it('an unmapped page-cache page at age 0 goes to inactive_dirty; PG_referenced ages a page up instead (and is cleared)', () => {
    const { k, mm, file } = machine();
    // unmap it by hand as swap_out would, keeping it active
    k.emit({ t: 'pte_mkold', pte: pteOf(k, mm, LIB) });
    k.emit({ t: 'page_age', pfn: file, age: 0 });
    swapOutPte(k, mm, LIB);
    k.emit({ t: 'lru_move', pfn: file, list: LRU_ACTIVE });
    k.emit({ t: 'page_flags', pfn: file, set: PG_referenced, clear: 0 });
    k.emit({ t: 'page_age', pfn: file, age: 1 });
    let moved = false;
    for (let i = 0; i < 4 && !moved; i++) moved = refill_inactive_scan_240(k, 0);
    expect(moved).toBe(true);
    expect(getPage(k.s, file).flags & PG_referenced).toBe(0);
    expect(listOf(k, file)).toBe(LRU_INACTIVE_DIRTY);
  });
});

describe('page_launder and reclaim_page (2.4.0)', () => {
  it('page_launder writes a dirty unmapped page (writepage) and moves it to inactive_clean; reclaim_page frees it', () => {
    const { k, mm, file } = machine();
    k.emit({ t: 'pte_mkold', pte: pteOf(k, mm, LIB) });
    k.emit({ t: 'page_age', pfn: file, age: 0 });
    swapOutPte(k, mm, LIB);
    k.emit({ t: 'page_flags', pfn: file, set: PG_dirty, clear: PG_referenced });
    expect(page_launder_240(k)).toBe(1);
    expect(getPage(k.s, file).flags & PG_dirty).toBe(0);
    expect(k.s.stats.fileWrites).toBe(1);
    expect(listOf(k, file)).toBe(LRU_INACTIVE_CLEAN);
    expect(reclaim_page_240(k)).toBe(true);
    expect(getPage(k.s, file).count).toBe(0);
    expect(checkKernel(k)).toEqual([]);
  });

  it('page_launder sends a page mapped again back to the active list', () => {
    const { k, mm, file } = machine();
    k.emit({ t: 'pte_mkold', pte: pteOf(k, mm, LIB) });
    k.emit({ t: 'page_age', pfn: file, age: 0 });
    swapOutPte(k, mm, LIB);
    access(k, mm, LIB, false); // faulted back in: mapped again
    expect(page_launder_240(k)).toBe(0);
    expect(listOf(k, file)).toBe(LRU_ACTIVE);
  });

  it('do_try_to_free_pages frees pages from a machine of used pages and keeps every invariant', () => {
    const { k } = bareKernel('none', 'active-inactive');
    const mm = do_execve(k, -1, [anonVma(HEAP, 24), libVma(4)]);
    for (let i = 0; i < 24; i++) access(k, mm, HEAP + i * 4096, true);
    for (let i = 0; i < 4; i++) access(k, mm, LIB + i * 4096, false);
    const free = k.s.nrFree;
    let freed = 0;
    for (let i = 0; i < 10; i++) if (try_to_free_page_240(k)) freed++;
    // most calls free a page (a call can end with every page just aged up by swap_out)
    expect(freed).toBeGreaterThanOrEqual(5);
    expect(k.s.nrFree).toBe(free + freed);
    expect(checkKernel(k)).toEqual([]);
  });
});
