import { describe, expect, it } from 'vitest';
import { boot } from '../../src/mm/boot.js';
import { apply } from '../../src/reducer/index.js';
import { pteChain } from '../../src/rmap/link-page.js';
import { pte_addr } from '../../src/arch/i386/pgtable.js';
import type { State } from '../../src/state.js';

/** One mm with one page table at pfn 40 and page 100 allocated. */
function setup(chainMode: number): { s: State; pte: (slot: number) => number } {
  const s = boot({ nframes: 256, reserved: 16, swapSlots: 16, rmap: 'pte-chain', reclaim: 'clock', options: { chainMode } });
  const pgd = s.freeArea[4].head; // order-4 block at 16
  apply(s, { t: 'page_alloc', pfn: pgd, order: 0, from: 4 });
  apply(s, { t: 'mm_create', mm: 1, pgd, parent: -1 });
  apply(s, { t: 'pt_alloc', pfn: 40, mm: 1, index: 0 });
  return { s, pte: (slot) => pte_addr(40, slot) };
}

describe.each([
  [0, 'null'],
  [1, 'circular'],
])('pte-chain (%s = %s mode)', (mode) => {
  it('links at the head and walks every pte once', () => {
    const { s, pte } = setup(mode);
    for (const slot of [1, 2, 3]) apply(s, { t: 'pte_link', pte: pte(slot), pfn: 100 });
    expect(pteChain.entries(s, 100)).toEqual({ ptes: mode === 0 ? [pte(3), pte(2), pte(1)] : [pte(1), pte(3), pte(2)], problem: null });
    expect(s.memMap[100 >> 6][100 & 63].mapcount).toBe(3);
  });

  it.each([1, 2, 3])('unlinks slot %i from anywhere in the chain', (victim) => {
    const { s, pte } = setup(mode);
    for (const slot of [1, 2, 3]) apply(s, { t: 'pte_link', pte: pte(slot), pfn: 100 });
    apply(s, { t: 'pte_unlink', pte: pte(victim), pfn: 100 });
    const rep = pteChain.entries(s, 100);
    expect(rep.problem).toBeNull();
    expect(new Set(rep.ptes)).toEqual(new Set([1, 2, 3].filter((x) => x !== victim).map(pte)));
    expect(pteChain.slotLink(s, pte(victim))).toBe(0);
    expect(s.stats.rmapErrors).toBe(0);
  });

  it('reports the whole chain and its cycle when the map count understates it (the walk past map count + 1 entries)', () => {
    const { s, pte } = setup(mode);
    for (const slot of [1, 2, 3]) apply(s, { t: 'pte_link', pte: pte(slot), pfn: 100 });
    const page = s.memMap[100 >> 6][100 & 63];
    page.mapcount = 1; // a chain longer than its count: the short walk gives up, the full one reports
    expect(pteChain.entries(s, 100)).toEqual({ ptes: mode === 0 ? [pte(3), pte(2), pte(1)] : [pte(1), pte(3), pte(2)], problem: null });
    // make the last entry point back at the second: a cycle that never reaches NULL or the head
    const links = (s.slices.rmap as { links: Record<number, number[][]> }).links[40];
    const rep = pteChain.entries(s, 100);
    const [, second, last] = rep.ptes;
    links[0][(last & 4095) >> 2] = second;
    page.mapcount = 3;
    expect(pteChain.entries(s, 100).problem).toMatch(/loops back to pte/);
  });

  it('empties completely and counts an unlink of a pte that is not there', () => {
    const { s, pte } = setup(mode);
    apply(s, { t: 'pte_link', pte: pte(5), pfn: 100 });
    apply(s, { t: 'pte_unlink', pte: pte(5), pfn: 100 });
    expect(s.memMap[100 >> 6][100 & 63].rmap).toBe(0);
    apply(s, { t: 'pte_unlink', pte: pte(5), pfn: 100 });
    expect(s.stats.rmapErrors).toBe(1);
  });
});

describe('pte-chain overhead', () => {
  it('is one 4 KiB link page per page table', () => {
    const { s } = setup(0);
    expect(pteChain.overhead(s)).toEqual({ bytes: 4096, frames: 1 });
  });
});
