// The reducer (src/reducer/index.ts): each event's effect on a booted state, asserted field by
// field, and the malformed events it must refuse. The kernel functions each event stands for are
// named per test (set_pte, pte_clear, swap_duplicate, swap_free, add_to_page_cache, ...).
// (Buddy list splitting and merging: test/reducer/buddy.test.ts.)
import { describe, expect, it } from 'vitest';
import { _PAGE_ACCESSED, _PAGE_DIRTY, _PAGE_PRESENT, _PAGE_RW, _PAGE_USER, SWP_ENTRY, mk_pte } from '../../src/arch/i386/page.js';
import { pte_addr } from '../../src/arch/i386/pgtable.js';
import { OP, type Event } from '../../src/events.js';
import { PG_dirty, PG_pgtable, PG_referenced, PG_swap_cache } from '../../src/include/page-flags.js';
import { boot } from '../../src/mm/boot.js';
import { apply, pageHashFn, ReducerError, swapCount } from '../../src/reducer/index.js';
import { getPage, type State } from '../../src/state.js';

const fresh = (rmap = 'pte-chain', reclaim = 'clock'): State => boot({ nframes: 64, reserved: 8, swapSlots: 64, rmap, reclaim });

/** An mm (pgd at frame 63) with one page table (the order-1 block at 60) covering 0..4 MB. */
function withTable(): { s: State; pte: (i: number) => number; page: number } {
  const s = fresh();
  apply(s, { t: 'page_alloc', pfn: 63, order: 0, from: 5 });
  apply(s, { t: 'mm_create', mm: 1, pgd: 63, parent: -1 });
  apply(s, { t: 'page_alloc', pfn: 60, order: 1, from: 1 });
  apply(s, { t: 'pt_alloc', pfn: 60, mm: 1, index: 0 });
  apply(s, { t: 'page_alloc', pfn: 59, order: 0, from: 0 });
  return { s, pte: (i) => pte_addr(60, i), page: 59 };
}

const USER = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;

describe('refusing malformed events', () => {
  it('an unknown event type is an error, never ignored', () => {
    expect(() => apply(fresh(), { t: 'no_such_event' } as never)).toThrow(ReducerError);
    // the type's code comes from a Map, so names every object has are unknown too
    for (const t of ['constructor', '__proto__', 'toString']) expect(() => apply(fresh(), { t } as never)).toThrow(/unknown event type/);
  });
  it('a pfn field that is missing is refused like one out of range (the checks follow the type, not the fields present)', () => {
    expect(() => apply(fresh(), { t: 'get_page' } as never)).toThrow(/pfn undefined .*outside mem_map/);
  });
  it('a pfn outside mem_map, or a block running past its end, names the pfn', () => {
    expect(() => apply(fresh(), { t: 'get_page', pfn: 64 })).toThrow(/pfn 64 .*outside mem_map \(0\.\.63\)/);
    expect(() => apply(fresh(), { t: 'page_free', pfn: 62, order: 2, reclaim: 0 })).toThrow(/pfn 62 \(order 2\)/);
  });
  it('every fault-path pfn event whose core handler checks the pfn itself refuses one outside mem_map with the same message', () => {
    // these skip validate() when no design handler runs first (apply's CHECKED_IN_CORE)
    const bad: Event[] = [
      { t: 'put_page', pfn: 64 },
      { t: 'get_page', pfn: 64 },
      { t: 'page_flags', pfn: 64, set: 1, clear: 0 },
      { t: 'pte_link', pte: pte_addr(60, 0), pfn: 64 },
      { t: 'pte_unlink', pte: pte_addr(60, 0), pfn: 64 },
      { t: 'page_cache_add', pfn: 64, inode: 1, offset: 0 },
      { t: 'page_cache_del', pfn: 64 },
      { t: 'io_start', pfn: 64, dev: 0, write: 0, us: 1, mode: 1 },
    ];
    for (const e of bad)
      expect(() => apply(fresh(), e), e.t).toThrow(new RegExp(`^${e.t}: pfn -?\\d+ is outside mem_map \\(0\\.\\.63\\)$`));
    expect(() => apply(fresh(), { t: 'page_alloc', pfn: 63, order: 1, from: 0 })).toThrow(
      /^page_alloc: pfn 63 \(order 1\) is outside mem_map/,
    );
    expect(() => apply(fresh(), { t: 'page_free', pfn: 62, order: 2, reclaim: 0 })).toThrow(
      /^page_free: pfn 62 \(order 2\) is outside mem_map/,
    );
    expect(() => apply(fresh(), { t: 'page_free', pfn: -1, order: 0, reclaim: 0 })).toThrow(
      /^page_free: pfn -1 \(order 0\) is outside mem_map/,
    );
    // refused before the buddy lists change
    const s = fresh();
    expect(() => apply(s, { t: 'page_alloc', pfn: 63, order: 1, from: 0 })).toThrow(ReducerError);
    expect(s.memMap).toEqual(fresh().memMap);
    expect(s.freeArea).toEqual(fresh().freeArea);
    expect(s.nrFree).toBe(fresh().nrFree);
  });
  it("a pfn event a design reacts to is checked before the design's handler runs (objrmap's page_cache_add)", () => {
    expect(() => apply(fresh('objrmap'), { t: 'page_cache_add', pfn: 64, inode: 1, offset: 0 })).toThrow(/pfn 64 is outside mem_map/);
  });
  it('swap entry 0 (the header) and entries past the device are refused', () => {
    expect(() => apply(fresh(), { t: 'swap_dup', entry: 0 })).toThrow(/1\.\.63/);
    expect(() => apply(fresh(), { t: 'swap_free', entry: 64 })).toThrow(ReducerError);
  });
  it("a design's own event under a run without that design is refused (lru_add under clock)", () => {
    expect(() => apply(fresh(), { t: 'lru_add', pfn: 10, list: 0 } as never)).toThrow(/do not emit it/);
  });
  it('pte_set on a pte in no allocated page table is refused', () => {
    expect(() => apply(fresh(), { t: 'pte_set', pte: pte_addr(20, 0), val: 1 })).toThrow(/not in an allocated page table/);
  });
  it('vma_remove where no vma starts is refused', () => {
    const { s } = withTable();
    expect(() => apply(s, { t: 'vma_remove', mm: 1, start: 0x1000 })).toThrow(/no vma at 0x1000/);
  });
});

describe('mm and page-table events', () => {
  it('mm_create marks the pgd a page-table frame and advances nextMm; mm_destroy undoes both marks', () => {
    const s = fresh();
    apply(s, { t: 'mm_create', mm: 4, pgd: 40, parent: -1 });
    expect(s.nextMm).toBe(5);
    expect(getPage(s, 40).flags & PG_pgtable).toBe(PG_pgtable);
    apply(s, { t: 'mm_destroy', mm: 4 });
    expect(s.mms[4]).toBeUndefined();
    expect(getPage(s, 40).flags & PG_pgtable).toBe(0);
  });
  it('pt_alloc under pte-chain marks both frames of the block (the table and its link page) and enters the pgdir', () => {
    const { s } = withTable();
    expect(s.mms[1].pgdir).toEqual({ 0: 60 });
    expect(getPage(s, 60).flags & PG_pgtable).toBe(PG_pgtable);
    expect(getPage(s, 61).flags & PG_pgtable).toBe(PG_pgtable);
    apply(s, { t: 'pt_free', pfn: 60 });
    expect(s.mms[1].pgdir).toEqual({});
    expect(getPage(s, 61).flags & PG_pgtable).toBe(0);
  });
  it('vma_add keeps the vmas sorted by start', () => {
    const { s } = withTable();
    for (const start of [0x3000, 0x1000, 0x2000])
      apply(s, { t: 'vma_add', mm: 1, start, end: start + 0x1000, kind: 0, prot: 3, file: 0, pgoff: 0 });
    expect(s.mms[1].vmas.map((v) => v.start)).toEqual([0x1000, 0x2000, 0x3000]);
  });
});

describe('pte events (set_pte, pte_clear, pte_mkold, the MMU)', () => {
  it('set_pte of a present pte counts one rss and one used slot; a swap entry counts a used slot but no rss; pte_clear undoes', () => {
    const { s, pte, page } = withTable();
    apply(s, { t: 'pte_set', pte: pte(0), val: mk_pte(page, USER) });
    apply(s, { t: 'pte_set', pte: pte(1), val: SWP_ENTRY(5) });
    expect(s.mms[1].rss).toBe(1);
    expect(s.pts[60].used).toBe(2);
    apply(s, { t: 'pte_set', pte: pte(0), val: SWP_ENTRY(6) }); // present -> swap: rss falls, used stays
    expect(s.mms[1].rss).toBe(0);
    expect(s.pts[60].used).toBe(2);
    apply(s, { t: 'pte_clear', pte: pte(0) });
    apply(s, { t: 'pte_clear', pte: pte(1) });
    expect(s.pts[60].used).toBe(0);
  });
  it('pte_mkold clears only the accessed bit; hw_access sets accessed, and dirty on a write', () => {
    const { s, pte, page } = withTable();
    apply(s, { t: 'pte_set', pte: pte(3), val: mk_pte(page, USER | _PAGE_RW) });
    apply(s, { t: 'pte_mkold', pte: pte(3) });
    expect(s.pts[60].pte[0][3]).toBe(mk_pte(page, _PAGE_PRESENT | _PAGE_USER | _PAGE_RW));
    apply(s, { t: 'hw_access', pte: pte(3), write: 0 });
    expect(s.pts[60].pte[0][3]).toBe(mk_pte(page, USER | _PAGE_RW));
    apply(s, { t: 'hw_access', pte: pte(3), write: 1 });
    expect(s.pts[60].pte[0][3]).toBe(mk_pte(page, USER | _PAGE_RW | _PAGE_DIRTY));
  });
  it("pte_link / pte_unlink go to the run's reverse map; unlinking a pte that is not on the chain counts an rmap error", () => {
    const { s, pte, page } = withTable();
    apply(s, { t: 'pte_set', pte: pte(0), val: mk_pte(page, USER) });
    apply(s, { t: 'pte_link', pte: pte(0), pfn: page });
    expect(getPage(s, page)).toMatchObject({ mapcount: 1, rmap: pte(0) });
    apply(s, { t: 'pte_unlink', pte: pte(5), pfn: page });
    expect(s.stats.rmapErrors).toBe(1);
    apply(s, { t: 'pte_unlink', pte: pte(0), pfn: page });
    expect(getPage(s, page)).toMatchObject({ mapcount: 0, rmap: 0 });
    expect(s.stats.rmapErrors).toBe(1);
  });
});

describe('swap events', () => {
  it('swap_out (the write of a page to a new slot): the slot takes refs uses, the cluster cursor moves to it, the page is clean', () => {
    const s = fresh();
    apply(s, { t: 'page_flags', pfn: 20, set: PG_dirty, clear: 0 });
    apply(s, { t: 'swap_out', pfn: 20, entry: 7, refs: 3 });
    expect(swapCount(s, 7)).toBe(3);
    // no cluster yet: a first-free slot starts one of SWAP_CLUSTER_MAX (scan_swap_map)
    expect(s.swap).toMatchObject({ used: 1, clusterNext: 7, clusterNr: 32 });
    expect(getPage(s, 20).flags & PG_dirty).toBe(0);
    expect(s.stats.swapWrites).toBe(1);
    apply(s, { t: 'swap_out', pfn: 21, entry: 8, refs: 1 });
    expect(s.swap).toMatchObject({ used: 2, clusterNext: 8, clusterNr: 31 });
  });
  it('swap_duplicate / swap_free count uses; the slot is free again at 0', () => {
    const s = fresh();
    apply(s, { t: 'swap_dup', entry: 4 });
    apply(s, { t: 'swap_dup', entry: 4 });
    expect([swapCount(s, 4), s.swap.used]).toEqual([2, 1]);
    apply(s, { t: 'swap_free', entry: 4 });
    expect([swapCount(s, 4), s.swap.used]).toEqual([1, 1]);
    apply(s, { t: 'swap_free', entry: 4 });
    expect([swapCount(s, 4), s.swap.used]).toEqual([0, 0]);
  });
  it('swap_cache_add sets PG_swap_cache and pg_swap_entry; swap_cache_del clears both and leaves the swap count alone', () => {
    const s = fresh();
    apply(s, { t: 'swap_dup', entry: 9 });
    apply(s, { t: 'swap_cache_add', pfn: 20, entry: 9 });
    expect(getPage(s, 20).swap).toBe(9);
    expect(getPage(s, 20).flags & PG_swap_cache).toBe(PG_swap_cache);
    apply(s, { t: 'swap_cache_del', pfn: 20 });
    expect(getPage(s, 20).swap).toBe(0);
    expect(getPage(s, 20).flags & PG_swap_cache).toBe(0);
    expect(swapCount(s, 9)).toBe(1);
  });
});

describe('page-cache events (add_to_page_cache, remove_inode_page, writepage)', () => {
  it('page_cache_add hashes the page, sets PAGE_AGE_VALUE and PG_referenced; page_cache_del unhashes it', () => {
    const s = fresh();
    apply(s, { t: 'page_cache_add', pfn: 30, inode: 2, offset: 7 });
    expect(getPage(s, 30)).toMatchObject({ inode: 2, offset: 7, age: 16 });
    expect(getPage(s, 30).flags & PG_referenced).toBe(PG_referenced);
    expect(s.pageHash[pageHashFn(2, 7, s.pageHash.length)]).toEqual([30]);
    apply(s, { t: 'page_cache_del', pfn: 30 });
    expect(s.pageHash[pageHashFn(2, 7, s.pageHash.length)]).toEqual([]);
    expect(getPage(s, 30)).toMatchObject({ inode: 0, offset: 0 });
  });
  it('writepage clears PG_dirty and counts a file write', () => {
    const s = fresh();
    apply(s, { t: 'page_flags', pfn: 30, set: PG_dirty, clear: 0 });
    apply(s, { t: 'writepage', pfn: 30 });
    expect(getPage(s, 30).flags & PG_dirty).toBe(0);
    expect(s.stats.fileWrites).toBe(1);
  });
});

describe('operations, time and the clock hand', () => {
  it('a kswapd op stamps lastKswapd; ticks inside it are kswapd time; a clock step inside it is not a direct scan', () => {
    const s = fresh();
    apply(s, { t: 'tick', us: 1000 });
    apply(s, { t: 'op', kind: OP.kswapd, mm: -1, addr: 0 });
    expect([s.lastKswapd, s.stats.kswapdRuns, s.op.seq]).toEqual([1000, 1, 1]);
    apply(s, { t: 'tick', us: 30 });
    apply(s, { t: 'clock_advance', hand: 9, ptes: 2 });
    expect([s.time, s.stats.kswapdUs, s.hand]).toEqual([1030, 30, 9]);
    expect([s.stats.scanned, s.stats.directScanned, s.stats.ptesVisited]).toEqual([1, 0, 2]);
    apply(s, { t: 'op', kind: OP.fault, mm: 1, addr: 0 });
    apply(s, { t: 'tick', us: 5 });
    apply(s, { t: 'clock_advance', hand: 10, ptes: 0 });
    expect([s.stats.kswapdUs, s.stats.scanned, s.stats.directScanned]).toEqual([30, 2, 1]);
  });
  it('every applied event is counted', () => {
    const s = fresh();
    apply(s, { t: 'tick', us: 1 });
    apply(s, { t: 'get_page', pfn: 9 });
    apply(s, { t: 'put_page', pfn: 9 });
    expect(s.stats.events).toBe(3);
  });
});
