// The 2.4-rmap policy (2.4.0's lists, driven through the reverse map as van Riel's 2.4-rmap did) on hand-built cases: the ageing rules
// (PAGE_AGE_START 2, ADV 3, MAX 64, halving), the way through inactive_dirty and
// inactive_clean, and pages leaving their list when they are freed.
import { describe, expect, it } from 'vitest';
import { pte_is_swap, pte_pfn, pte_write } from '../../src/arch/i386/page.js';
import { access, pte_offset, read_pte } from '../../src/mm/memory.js';
import {
  LRU_ACTIVE,
  PAGE_AGE_ADV,
  PAGE_AGE_MAX,
  PAGE_AGE_START,
  try_to_free_page_lists,
  lruSlice,
  ageDown,
  ageUp,
  page_launder,
  reclaim_clean,
  refill_inactive_scan,
} from '../../src/mm/vmscan-lru.js';
import { PG_active, PG_inactive_clean, PG_inactive_dirty, PG_swap_cache } from '../../src/include/page-flags.js';
import { do_execve } from '../../src/fs/exec.js';
import { do_exit } from '../../src/kernel/exit.js';
import { getPage } from '../../src/state.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { anonVma, bareKernel, checkKernel } from '../helpers.js';
import { ConfigError, makeRunConfig } from '../../src/run-config.js';
import { loadScenario } from '../../src/workload/scenario.js';

const HEAP = 0x08100000;
const pteOf = (k: Kernel, mm: number, addr: number): number => pte_offset(k, k.s.mms[mm], addr);
const pfnOf = (k: Kernel, mm: number, addr: number): number => pte_pfn(read_pte(k, pteOf(k, mm, addr)));
const age = (k: Kernel, pfn: number): number => getPage(k.s, pfn).age;
const LIST_FLAGS = PG_active | PG_inactive_dirty | PG_inactive_clean;

/** One process with two written anonymous pages, A and B, both on the active list. */
function twoPages() {
  const { k, events } = bareKernel('pte-chain', '2.4-rmap');
  const mm = do_execve(k, -1, [anonVma(HEAP, 4)]);
  expect(access(k, mm, HEAP, true)).toBe('ok');
  expect(access(k, mm, HEAP + 4096, true)).toBe('ok');
  return { k, events, mm, a: pfnOf(k, mm, HEAP), b: pfnOf(k, mm, HEAP + 4096) };
}

describe('ageing rules (2.4.0 swap.h)', () => {
  it('age_page_up adds PAGE_AGE_ADV 3 up to PAGE_AGE_MAX 64; age_page_down halves', () => {
    expect([PAGE_AGE_START, PAGE_AGE_ADV, PAGE_AGE_MAX]).toEqual([2, 3, 64]);
    expect(ageUp(2)).toBe(5);
    expect(ageUp(60)).toBe(63);
    expect(ageUp(61)).toBe(64);
    expect(ageUp(63)).toBe(64);
    expect(ageUp(64)).toBe(64);
    expect(ageDown(64)).toBe(32);
    expect(ageDown(5)).toBe(2);
    expect(ageDown(1)).toBe(0);
    expect(ageDown(0)).toBe(0);
  });

  it('new user pages enter the active list at PAGE_AGE_START', () => {
    const { k, a, b } = twoPages();
    for (const pfn of [a, b]) {
      expect(getPage(k.s, pfn).flags & LIST_FLAGS).toBe(PG_active);
      expect(age(k, pfn)).toBe(PAGE_AGE_START);
    }
    expect(lruSlice(k.s).lists[LRU_ACTIVE]).toMatchObject({ nr: 2 });
    expect(checkKernel(k)).toEqual([]);
  });

  it('refill_inactive_scan: referenced (any pte young) ages up, unreferenced halves, at 0 goes to inactive_dirty', () => {
    const { k, mm, a, b } = twoPages();
    // both were just touched (the faults left their ptes young): 2 -> 5
    expect(refill_inactive_scan(k, 0)).toBe(0);
    expect([age(k, a), age(k, b)]).toEqual([5, 5]);
    // the accessed bits were cleared by the scan
    expect(read_pte(k, pteOf(k, mm, HEAP)) & 0x20).toBe(0);
    // only A is used: A 5 -> 8, B 5 -> 2
    access(k, mm, HEAP, false);
    expect(refill_inactive_scan(k, 0)).toBe(0);
    expect([age(k, a), age(k, b)]).toEqual([8, 2]);
    // nobody: A 8 -> 4, B 2 -> 1; then A 4 -> 2, B 1 -> 0 and B leaves for inactive_dirty
    expect(refill_inactive_scan(k, 0)).toBe(0);
    expect([age(k, a), age(k, b)]).toEqual([4, 1]);
    expect(refill_inactive_scan(k, 0)).toBe(1);
    expect([age(k, a), age(k, b)]).toEqual([2, 0]);
    expect(getPage(k.s, b).flags & LIST_FLAGS).toBe(PG_inactive_dirty);
    expect(getPage(k.s, a).flags & LIST_FLAGS).toBe(PG_active);
    expect(lruSlice(k.s).lists.map((l) => l.nr)).toEqual([1, 1, 0]);
    // A used at every scan climbs by 3 and stops at 64
    const seen: number[] = [];
    for (let i = 0; i < 25; i++) {
      access(k, mm, HEAP, false);
      refill_inactive_scan(k, 0);
      seen.push(age(k, a));
    }
    expect(seen.slice(0, 3)).toEqual([5, 8, 11]);
    expect(seen.indexOf(64)).toBe(20); // 2 + 21 * 3 = 65, capped
    expect(seen.slice(20)).toEqual([64, 64, 64, 64, 64]);
    expect(checkKernel(k)).toEqual([]);
  });

  it('refill_inactive_scan looks at nr_active >> priority pages, at least one', () => {
    const { k, events } = bareKernel('pte-chain', '2.4-rmap');
    const mm = do_execve(k, -1, [anonVma(HEAP, 16)]);
    for (let i = 0; i < 16; i++) access(k, mm, HEAP + i * 4096, true);
    for (const [prio, n] of [
      [2, 4],
      [4, 1],
      [6, 1],
      [0, 16],
    ] as const) {
      events.length = 0;
      refill_inactive_scan(k, prio);
      expect(
        events.filter((e) => e.t === 'lru_scan'),
        `priority ${prio}`,
      ).toHaveLength(n);
    }
  });
});

describe('inactive_dirty -> inactive_clean -> free', () => {
  it('page_launder writes a dirty anonymous page to swap (read-only, swap-cached), reclaim frees it through the rmap', () => {
    const { k, mm, a, b } = twoPages();
    for (let i = 0; i < 4; i++) {
      access(k, mm, HEAP, false);
      refill_inactive_scan(k, 0);
    }
    expect(getPage(k.s, b).flags & LIST_FLAGS).toBe(PG_inactive_dirty);
    expect(page_launder(k)).toBe(1);
    expect(getPage(k.s, b).flags & (LIST_FLAGS | PG_swap_cache)).toBe(PG_inactive_clean | PG_swap_cache);
    expect(pte_write(read_pte(k, pteOf(k, mm, HEAP + 4096)))).toBe(false);
    expect(checkKernel(k)).toEqual([]);
    const freed = k.s.stats.reclaimed;
    expect(reclaim_clean(k)).toBe(true);
    expect(k.s.stats.reclaimed).toBe(freed + 1);
    expect(getPage(k.s, b).count).toBe(0);
    expect(getPage(k.s, b).flags & LIST_FLAGS).toBe(0);
    expect(pte_is_swap(read_pte(k, pteOf(k, mm, HEAP + 4096)))).toBe(true);
    expect(lruSlice(k.s).lists.map((l) => l.nr)).toEqual([1, 0, 0]);
    expect(getPage(k.s, a).flags & LIST_FLAGS).toBe(PG_active);
    expect(checkKernel(k)).toEqual([]);
  });

  it('a page referenced again on inactive_clean goes back to the active list, one ADV younger', () => {
    const { k, mm, b } = twoPages();
    for (let i = 0; i < 4; i++) {
      access(k, mm, HEAP, false);
      refill_inactive_scan(k, 0);
    }
    page_launder(k);
    access(k, mm, HEAP + 4096, false);
    expect(reclaim_clean(k)).toBe(false);
    expect(getPage(k.s, b).flags & LIST_FLAGS).toBe(PG_active);
    expect(age(k, b)).toBe(PAGE_AGE_ADV);
    expect(checkKernel(k)).toEqual([]);
  });

  it('tryToFreePage frees a page from a machine of used pages; exit takes every page off its list', () => {
    const { k, mm } = twoPages();
    expect(try_to_free_page_lists(k)).toBe(true);
    expect(checkKernel(k)).toEqual([]);
    do_exit(k, mm);
    expect(lruSlice(k.s).lists.map((l) => l.nr)).toEqual([0, 0, 0]);
    expect(checkKernel(k)).toEqual([]);
  });

  it('needs a reverse map: --rmap none is refused', () => {
    expect(() => makeRunConfig(loadScenario('tiny'), { seed: '1', reclaim: '2.4-rmap', rmap: 'none' })).toThrow(ConfigError);
  });
});
