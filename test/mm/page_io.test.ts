// The block devices of src/mm/page_io.ts against 2.1.47's mm/page_io.c (rw_swap_page) and
// fs/buffer.c (after_unlock_page): one disk serving requests in order, kswapd's asynchronous
// swap-out counted in nr_async_pages and freed when its write completes, direct reclaim's
// synchronous one, and reads that wait behind queued writes.
import { describe, expect, it } from 'vitest';
import { pte_is_swap, pte_pfn } from '../../src/arch/i386/page.js';
import { do_execve } from '../../src/fs/exec.js';
import { PG_locked, PG_referenced } from '../../src/include/page-flags.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { access, pte_offset, read_pte } from '../../src/mm/memory.js';
import { __get_free_pages, free_page } from '../../src/mm/page_alloc.js';
import { DEV_DISK, inflightDone, nr_async_pages, read_page_sync, start_swap_write } from '../../src/mm/page_io.js';
import { try_to_swap_out, SwapResult } from '../../src/mm/swap_out.js';
import { clock_step } from '../../src/mm/vmscan.js';
import { apply, ReducerError } from '../../src/reducer/index.js';
import { getPage, type State } from '../../src/state.js';
import { anonVma, bareKernel, checkKernel, eventsOf } from '../helpers.js';

const HEAP = 0x08100000;
const pteOf = (k: Kernel, mm: number, addr: number): number => pte_offset(k, k.s.mms[mm], addr);
const pfnOf = (k: Kernel, mm: number, addr: number): number => pte_pfn(read_pte(k, pteOf(k, mm, addr)));

/** A process with one written anonymous page, made unreferenced, the clock hand on it. */
function ripeAnon(rmap = 'pte-chain', reclaim = 'clock'): { k: Kernel; mm: number; pfn: number } {
  const { k } = bareKernel(rmap, reclaim);
  const mm = do_execve(k, -1, [anonVma(HEAP, 2)]);
  access(k, mm, HEAP, true);
  const pfn = pfnOf(k, mm, HEAP);
  k.emit({ t: 'pte_mkold', pte: pteOf(k, mm, HEAP) });
  k.emit({ t: 'page_flags', pfn, set: 0, clear: PG_referenced });
  k.emit({ t: 'clock_advance', hand: pfn, ptes: 0 });
  return { k, mm, pfn };
}

describe('one disk, requests served in order (ll_rw_block)', () => {
  it('a read queued behind two writes waits for both: the process sleeps 2 writes + 1 read', () => {
    const { k } = bareKernel('pte-chain');
    const lat = k.cfg.latencies;
    k.op('kswapd', -1);
    const a = __get_free_pages(k, 0);
    const b = __get_free_pages(k, 0);
    const t0 = k.s.time;
    // as try_to_swap_out: start the write (the I/O takes its reference), then drop ours
    start_swap_write(k, a);
    free_page(k, a);
    start_swap_write(k, b);
    free_page(k, b);
    expect(k.s.io.disk).toBe(k.s.time + 2 * lat.diskWriteUs - lat.writeSubmitUs);
    k.op('fault', -1);
    const c = __get_free_pages(k, 0);
    const ev = eventsOf(k, () => read_page_sync(k, c, DEV_DISK));
    const slept = ev.filter((e) => e.t === 'io_wait').reduce((n, e) => n + (e.t === 'io_wait' ? e.us : 0), 0);
    // the first write starts after its submit; the second submit overlaps it; the read follows both
    expect(k.s.time - t0).toBe(lat.writeSubmitUs + 2 * lat.diskWriteUs + lat.diskReadUs);
    expect(slept).toBe(2 * lat.diskWriteUs + lat.diskReadUs - lat.writeSubmitUs);
    expect(k.s.stats.ioWaitUs).toBe(slept);
    // both writes completed while the process slept: their pages are free (PG_free_after)
    expect(getPage(k.s, a).count).toBe(0);
    expect(getPage(k.s, b).count).toBe(0);
    expect(nr_async_pages(k.s)).toBe(0);
  });

  it('an idle disk starts a request at once', () => {
    const { k } = bareKernel('pte-chain');
    k.op('fault', -1);
    const pfn = __get_free_pages(k, 0);
    const t0 = k.s.time;
    read_page_sync(k, pfn, DEV_DISK);
    expect(k.s.time - t0).toBe(k.cfg.latencies.diskReadUs);
  });
});

describe("kswapd's swap-out is asynchronous (rw_swap_page(WRITE, entry, page, wait 0))", () => {
  it('the page is unmapped but stays allocated, locked and counted in nr_async_pages; it is freed when its write completes (after_unlock_page)', () => {
    const { k, mm, pfn } = ripeAnon();
    const free = k.s.nrFree;
    const reclaimed = k.s.stats.reclaimed;
    k.op('kswapd', -1);
    expect(clock_step(k)).toBe(true);
    expect(pte_is_swap(read_pte(k, pteOf(k, mm, HEAP)))).toBe(true);
    // the I/O's reference (rw_swap_page's atomic_inc) and PG_locked, nothing else
    expect(getPage(k.s, pfn)).toMatchObject({ count: 1, mapcount: 0 });
    expect(getPage(k.s, pfn).flags & PG_locked).toBe(PG_locked);
    expect(nr_async_pages(k.s)).toBe(1);
    expect(k.s.nrFree).toBe(free);
    expect(checkKernel(k)).toEqual([]);
    // the hand skips a locked page
    k.emit({ t: 'clock_advance', hand: pfn, ptes: 0 });
    expect(clock_step(k)).toBe(false);
    // before the write is done, the next operation leaves it in flight
    const done = inflightDone(k.s, pfn);
    k.op('mmap', -1);
    expect(getPage(k.s, pfn).count).toBe(1);
    k.tick(done - k.s.time);
    const ev = eventsOf(k, () => k.op('mmap', -1));
    expect(ev.map((e) => e.t)).toEqual(['op', 'io_done', 'put_page', 'page_free']);
    expect(getPage(k.s, pfn).count).toBe(0);
    expect(k.s.nrFree).toBe(free + 1);
    expect(nr_async_pages(k.s)).toBe(0);
    expect(k.s.stats.reclaimed).toBe(reclaimed + 1);
    expect(checkKernel(k)).toEqual([]);
  });

  it("the old kswapd's try_to_swap_out writes the same way: the pte goes to swap, the page waits for its write", () => {
    const { k, mm, pfn } = ripeAnon('none', 'old');
    k.emit({ t: 'page_age', pfn, age: 1 });
    k.op('kswapd', -1);
    expect(try_to_swap_out(k, k.s.mms[mm], k.s.mms[mm].vmas[0], HEAP, pteOf(k, mm, HEAP), 1)).toBe(SwapResult.Freed);
    expect(getPage(k.s, pfn).count).toBe(1);
    expect(nr_async_pages(k.s)).toBe(1);
    expect(checkKernel(k)).toEqual([]);
  });
});

describe("direct reclaim's swap-out is synchronous (try_to_free_page(.., wait 1) from __get_free_pages)", () => {
  it('the allocating process sleeps until its write completes; the page is free when clock_step returns', () => {
    const { k, pfn } = ripeAnon();
    k.op('fault', -1);
    const t0 = k.s.time;
    const ev = eventsOf(k, () => expect(clock_step(k)).toBe(true));
    expect(ev.filter((e) => e.t === 'io_start')).toMatchObject([{ t: 'io_start', pfn, dev: DEV_DISK, write: 1, mode: 0 }]);
    expect(ev.filter((e) => e.t === 'io_wait')).toEqual([{ t: 'io_wait', us: k.cfg.latencies.diskWriteUs }]);
    expect(getPage(k.s, pfn).count).toBe(0);
    expect(nr_async_pages(k.s)).toBe(0);
    expect(k.s.time - t0).toBeGreaterThanOrEqual(k.cfg.latencies.diskWriteUs);
    // a sleep is not CPU: kswapd's account is untouched
    expect(k.s.stats.kswapdUs).toBe(0);
  });
});

describe('the reducer refuses malformed I/O events', () => {
  it('io_done with no request in flight, a device that does not exist, a request that would finish before the device is free', () => {
    const { k } = bareKernel('pte-chain');
    const s = structuredClone(k.s) as State;
    expect(() => apply(s, { t: 'io_done', pfn: 20 })).toThrow(ReducerError);
    expect(() => apply(s, { t: 'io_start', pfn: 20, dev: 2, write: 0, us: 5, mode: 0 })).toThrow(/device 2/);
    apply(s, { t: 'io_start', pfn: 20, dev: 0, write: 0, us: 100, mode: 0 });
    expect(() => apply(s, { t: 'io_start', pfn: 21, dev: 0, write: 0, us: 50, mode: 0 })).toThrow(/served in order/);
  });
});
