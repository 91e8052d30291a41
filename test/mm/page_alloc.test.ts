// __get_free_pages / free_pages (src/mm/page_alloc.ts, after 2.1.47's mm/page_alloc.c) on
// the tiny machine: frames 8..63 free at boot, watermarks min 4 / low 6 / high 8.
import { describe, expect, it } from 'vitest';
import { pte_pfn } from '../../src/arch/i386/page.js';
import { do_execve } from '../../src/fs/exec.js';
import { PG_swap_cache } from '../../src/include/page-flags.js';
import { access, pte_offset, read_pte } from '../../src/mm/memory.js';
import {
  __get_free_pages,
  free_page,
  freeBlockOrder,
  GFP_ATOMIC,
  GFP_BUFFER,
  GFP_KERNEL,
  GFP_NFS,
  rmqueue,
} from '../../src/mm/page_alloc.js';
import { EventStore } from '../../src/event-store.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { initialState, kernelConfig, kernelDesigns, makeRunConfig } from '../../src/run-config.js';
import { loadScenario } from '../../src/workload/scenario.js';
import { reclaim_page } from '../../src/mm/vmscan.js';
import { swapCount } from '../../src/reducer/index.js';
import { getPage, NR_MEM_LISTS } from '../../src/state.js';
import { checkState } from '../../src/check/invariants.js';
import { anonVma, bareKernel, eventsOf } from '../helpers.js';

const HEAP = 0x08100000;

/** The heads of each order's free list, lowest order first. */
function freeLists(k: Kernel): number[][] {
  return k.s.freeArea.map((a) => {
    const out: number[] = [];
    for (let b = a.head; b >= 0; b = getPage(k.s, b).next) out.push(b);
    return out;
  });
}

describe('boot (free_area_init + mem_init handing frames to free_pages_ok one by one)', () => {
  it('tiny boots with 56 free frames merged into aligned blocks: 8 (order 3), 16 (order 4), 32 (order 5)', () => {
    const { k } = bareKernel('pte-chain');
    expect(k.s.nrFree).toBe(56);
    expect(freeLists(k)).toEqual([[], [], [], [8], [16], [32]]);
  });
});

// EXPAND (2.1.47 mm/page_alloc.c) splits the block `high` times: each time it puts the LOWER half
// on the next list down (add_mem_queue(area, map)) and moves on into the upper half (map += size),
// so the request is served from the top of the block and the free halves are the bottom ones.
describe('RMQUEUE / EXPAND', () => {
  it('an order-0 request takes the lowest non-empty list and hands out the TOP page; the lower halves go back, one per order', () => {
    const { k } = bareKernel('pte-chain');
    expect(rmqueue(k, 0)).toEqual({ pfn: 15, from: 3 });
    const ev = eventsOf(k, () => expect(__get_free_pages(k, 0)).toBe(15));
    expect(ev).toEqual([{ t: 'page_alloc', pfn: 15, order: 0, from: 3 }]);
    // 8..15 split: 8..11 to order 2, 12..13 to order 1, 14 to order 0; 15 allocated
    expect(freeLists(k)).toEqual([[14], [12], [8], [], [16], [32]]);
    expect(k.s.nrFree).toBe(55);
    expect(getPage(k.s, 15)).toMatchObject({ count: 1, age: 3 });
  });

  it('an order-1 request splits an order-3 block into order 2 + order 1 and takes the top pair', () => {
    const { k } = bareKernel('pte-chain');
    expect(__get_free_pages(k, 1)).toBe(14);
    expect(freeLists(k)).toEqual([[], [12], [8], [], [16], [32]]);
    expect(getPage(k.s, 14).count).toBe(1);
    expect(getPage(k.s, 15).count).toBe(1);
    expect(k.s.nrFree).toBe(54);
  });

  it('an order-4 request with the order-3 list non-empty skips it and takes the order-4 block whole', () => {
    const { k } = bareKernel('pte-chain');
    expect(__get_free_pages(k, 4)).toBe(16);
    expect(freeLists(k)).toEqual([[], [], [], [8], [], [32]]);
  });

  it('the lists are LIFO (add_mem_queue at the head): the page freed last is the next handed out', () => {
    const { k } = bareKernel('pte-chain');
    const a = __get_free_pages(k, 0); // 15
    const b = __get_free_pages(k, 0); // 14
    const c = __get_free_pages(k, 0); // 13 (from 12..13)
    expect([a, b, c]).toEqual([15, 14, 13]);
    free_page(k, a); // 15's buddy 14 is in use: no merge
    expect(freeLists(k)[0]).toEqual([15, 12]);
    expect(__get_free_pages(k, 0)).toBe(15);
  });
});

describe('free_pages_ok: merge while the pair bit says the buddy is free', () => {
  it('freeing both halves of every split merges the block back to order 3', () => {
    const { k } = bareKernel('pte-chain');
    const got = [0, 1, 2, 3].map(() => __get_free_pages(k, 0)); // 15, 14, 13, 12
    expect(got).toEqual([15, 14, 13, 12]);
    for (const pfn of got) free_page(k, pfn);
    expect(freeLists(k)).toEqual([[], [], [], [8], [16], [32]]);
    expect(k.s.nrFree).toBe(56);
    expect(checkState(k.s)).toEqual([]);
  });

  it('a page still referenced is not freed: put_page only', () => {
    const { k } = bareKernel('pte-chain');
    const pfn = __get_free_pages(k, 0);
    k.emit({ t: 'get_page', pfn });
    expect(eventsOf(k, () => free_page(k, pfn))).toEqual([{ t: 'put_page', pfn }]);
    expect(getPage(k.s, pfn).count).toBe(1);
    expect(freeBlockOrder(k, pfn)).toBe(-1);
    free_page(k, pfn);
    expect(freeBlockOrder(k, pfn)).toBe(3); // merged back with 8..14 into the order-3 block
  });

  it('__free_page at count 0 on a swap-cached page: delete_from_swap_cache (dropping its swap reference) before free_pages_ok', () => {
    const { k } = bareKernel('pte-chain');
    const mm = do_execve(k, -1, [anonVma(HEAP, 1)]);
    access(k, mm, HEAP, true);
    reclaim_page(k, pte_pfn(read_pte(k, pte_offset(k, k.s.mms[mm], HEAP))));
    access(k, mm, HEAP, false); // read swap-in: the page joins the swap cache
    const pte = pte_offset(k, k.s.mms[mm], HEAP);
    const pfn = pte_pfn(read_pte(k, pte));
    const entry = getPage(k.s, pfn).swap;
    expect(getPage(k.s, pfn).flags & PG_swap_cache).toBe(PG_swap_cache);
    expect(swapCount(k.s, entry)).toBe(1);
    k.emit({ t: 'pte_unlink', pte, pfn });
    k.emit({ t: 'pte_clear', pte });
    expect(eventsOf(k, () => free_page(k, pfn))).toEqual([
      { t: 'put_page', pfn },
      { t: 'swap_cache_del', pfn },
      { t: 'swap_free', entry },
      { t: 'page_free', pfn, order: 0, reclaim: 0 },
    ]);
    expect(swapCount(k.s, entry)).toBe(0);
    expect(k.s.swap.used).toBe(0);
  });
});

describe('__get_free_pages and the reserve (min_free_pages)', () => {
  /** One written anonymous page the clock can reclaim, then kernel pages taken down to `free`. */
  function atReserve(free: number): Kernel {
    const { k } = bareKernel('pte-chain');
    const mm = do_execve(k, -1, [anonVma(HEAP, 1)]);
    access(k, mm, HEAP, true);
    while (k.s.nrFree > free) __get_free_pages(k, 0, GFP_ATOMIC);
    return k;
  }

  it('above min_free_pages a GFP_KERNEL request allocates without reclaim', () => {
    const k = atReserve(5);
    const ev = eventsOf(k, () => expect(__get_free_pages(k, 0, GFP_KERNEL)).toBeGreaterThan(0));
    expect(ev.map((e) => e.t)).toEqual(['page_alloc']);
  });

  it('at min_free_pages a GFP_KERNEL request calls try_to_free_page first (here: swaps out the user page), then allocates', () => {
    const k = atReserve(4);
    const ev = eventsOf(k, () => expect(__get_free_pages(k, 0, GFP_KERNEL)).toBeGreaterThan(0));
    const types = ev.map((e) => e.t);
    expect(types).toContain('swap_out');
    expect(types.indexOf('swap_out')).toBeLessThan(types.indexOf('page_alloc'));
    expect(types.filter((t) => t === 'page_alloc')).toHaveLength(1);
    expect(k.s.nrFree).toBe(4);
  });

  it('GFP_ATOMIC never reclaims: it takes the reserve', () => {
    const k = atReserve(4);
    const ev = eventsOf(k, () => expect(__get_free_pages(k, 0, GFP_ATOMIC)).toBeGreaterThan(0));
    expect(ev.map((e) => e.t)).toEqual(['page_alloc']);
    expect(k.s.nrFree).toBe(3);
  });

  it('with nothing reclaimable, a GFP_KERNEL request at the reserve fails: no dip into the reserve (2.1.47 __get_free_pages)', () => {
    const { k } = bareKernel('pte-chain');
    while (k.s.nrFree > 4) __get_free_pages(k, 0, GFP_ATOMIC);
    const ev = eventsOf(k, () => expect(__get_free_pages(k, 0)).toBe(-1));
    expect(ev.filter((e) => e.t === 'page_alloc')).toEqual([]);
    expect(ev.at(-1)).toEqual({ t: 'alloc_fail', order: 0, gfp: GFP_KERNEL });
    expect(k.s.nrFree).toBe(4);
    expect(k.s.stats.allocFailures).toEqual([1, 0, 0, 0, 0, 0]);
  });

  // 2.1.47 mm/page_alloc.c, __get_free_pages: `if (priority == GFP_ATOMIC || nr_free_pages > reserved_pages)
  // { RMQUEUE(order, dma); return 0; }`. RMQUEUE returns from the function when it finds a block; when it
  // finds none the next statement returns 0: no try_to_free_page, no retry, whatever memory is free.
  it('above the reserve with no block of the order free, a high-order request fails at once without reclaim (2.1.47 __get_free_pages, RMQUEUE)', () => {
    const { k } = bareKernel('pte-chain');
    const all: number[] = [];
    while (k.s.nrFree > 0) all.push(__get_free_pages(k, 0, GFP_ATOMIC));
    for (const pfn of all) if (pfn % 2 === 0) free_page(k, pfn); // no two buddies free: 28 order-0 blocks
    expect(k.s.nrFree).toBe(28);
    const ev = eventsOf(k, () => expect(__get_free_pages(k, 1)).toBe(-1));
    expect(ev).toEqual([{ t: 'alloc_fail', order: 1, gfp: GFP_KERNEL }]);
    expect(k.s.stats.allocFailures).toEqual([0, 1, 0, 0, 0, 0]);
    // an order-0 request on the same machine is served at once
    expect(__get_free_pages(k, 0)).toBeGreaterThanOrEqual(0);
  });

  it('GFP_BUFFER at the reserve never calls try_to_free_page: it fails (2.1.47 __get_free_pages)', () => {
    const k = atReserve(4);
    const ev = eventsOf(k, () => expect(__get_free_pages(k, 0, GFP_BUFFER)).toBe(-1));
    expect(ev).toEqual([{ t: 'alloc_fail', order: 0, gfp: GFP_BUFFER }]);
  });

  it('GFP_NFS keeps 5 pages in reserve, not min_free_pages (2.1.47 __get_free_pages: reserved_pages = 5)', () => {
    // tiny's min_free_pages is 4: at 5 free pages GFP_KERNEL allocates, GFP_NFS reclaims first
    const kernel = atReserve(5);
    expect(eventsOf(kernel, () => __get_free_pages(kernel, 0, GFP_KERNEL)).map((e) => e.t)).toEqual(['page_alloc']);
    const nfs = atReserve(5);
    const types = eventsOf(nfs, () => expect(__get_free_pages(nfs, 0, GFP_NFS)).toBeGreaterThan(0)).map((e) => e.t);
    expect(types.indexOf('swap_out')).toBeGreaterThanOrEqual(0);
    expect(types.indexOf('swap_out')).toBeLessThan(types.indexOf('page_alloc'));
  });

  it('an order beyond the free lists (>= NR_MEM_LISTS) is refused before anything is looked at', () => {
    const { k } = bareKernel('pte-chain');
    expect(eventsOf(k, () => expect(__get_free_pages(k, NR_MEM_LISTS)).toBe(-1))).toEqual([]);
  });
});

describe('--alloc retry: the forgiving allocator mmsim had before (kept as an option)', () => {
  function retryKernel(): Kernel {
    const cfg = makeRunConfig(loadScenario('tiny'), { seed: '1', rmap: 'pte-chain', alloc: 'retry' });
    return new Kernel(new EventStore(initialState(cfg), 'direct'), kernelConfig(cfg), kernelDesigns(cfg));
  }

  it('is carried in the run configuration only when chosen', () => {
    expect(makeRunConfig(loadScenario('tiny'), { seed: '1', alloc: 'retry' }).alloc).toBe('retry');
    expect('alloc' in makeRunConfig(loadScenario('tiny'), { seed: '1', alloc: '2.1.47' })).toBe(false);
    expect(() => makeRunConfig(loadScenario('tiny'), { seed: '1', alloc: 'lax' as never })).toThrow(
      /--alloc 'lax' is not known: allowed values are 2.1.47, retry/,
    );
  });

  it('with nothing reclaimable it dips into the reserve, and fails only when memory is empty', () => {
    const k = retryKernel();
    while (k.s.nrFree > 4) __get_free_pages(k, 0, GFP_ATOMIC);
    expect(__get_free_pages(k, 0)).toBeGreaterThan(0);
    while (k.s.nrFree > 0) __get_free_pages(k, 0, GFP_ATOMIC);
    expect(__get_free_pages(k, 0)).toBe(-1);
    expect(k.s.stats.allocFailures?.[0]).toBe(1);
  });

  it('a high-order request with no block that large reclaims before it gives up', () => {
    const k = retryKernel();
    const mm = do_execve(k, -1, [anonVma(HEAP, 1)]);
    access(k, mm, HEAP, true);
    const all: number[] = [];
    while (k.s.nrFree > 0) all.push(__get_free_pages(k, 0, GFP_ATOMIC));
    for (const pfn of all) if (pfn % 2 === 0) free_page(k, pfn);
    const ev = eventsOf(k, () => __get_free_pages(k, 1));
    expect(ev.some((e) => e.t === 'clock_advance')).toBe(true);
  });
});
