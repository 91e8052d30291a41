// RmapDesign.unlinkSteps against the walk it replaces: Kernel.rmapSteps used to count a
// pte_unlink's entries with a forEach callback (position of the pte + 1, or every entry
// visited when it is not on the map), and a design's own count must give the same number on
// every map, broken ones included, or the charged chainStepNs (and the log) would change.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RMAP_DESIGNS } from '../../src/designs/registry.js';
import type { RmapDesign } from '../../src/include/design.js';
import { boot } from '../../src/mm/boot.js';
import { apply } from '../../src/reducer/index.js';
import type { LinkPageSlice } from '../../src/rmap/link-page.js';
import { getPage, type State } from '../../src/state.js';

/** The count Kernel.rmapSteps made before designs had unlinkSteps (and still makes without it). */
function walkedSteps(d: RmapDesign, s: State, pte: number, pfn: number): number {
  let steps = 0,
    found = 0;
  d.forEach(s, pfn, (p) => {
    if (found === 0) steps++;
    if (p === pte) found = steps;
  });
  return found > 0 ? found : steps;
}

const PAGES = [20, 21, 22];
const TABLES = [30, 32, 34, 36];
/** Twelve ptes spread over four page tables. */
const PTES = Array.from({ length: 12 }, (_, i) => TABLES[i % 4] * 4096 + Math.floor(i / 4) * 4);

function machine(rmap: string, chainMode: number): State {
  const s = boot({ nframes: 64, reserved: 8, swapSlots: 16, rmap, reclaim: 'clock', options: { chainMode } });
  apply(s, { t: 'mm_create', mm: 1, pgd: 9, parent: -1 });
  for (const [index, pfn] of TABLES.entries()) apply(s, { t: 'pt_alloc', pfn, mm: 1, index });
  return s;
}

/** Every (pte, page) pair agrees; returns how many pairs were on a map, so a test can insist it saw some. */
function expectAgreement(d: RmapDesign, s: State): number {
  let onMap = 0;
  for (const pfn of PAGES) {
    for (const pte of PTES) {
      const want = walkedSteps(d, s, pte, pfn);
      expect(d.unlinkSteps?.(s, pte, pfn), `pte 0x${pte.toString(16)} of page ${pfn}`).toBe(want);
      let on = false;
      d.forEach(s, pfn, (p) => {
        if (p === pte) on = true;
      });
      if (on) onMap++;
    }
  }
  return onMap;
}

const withHook = [...RMAP_DESIGNS.values()].filter((d) => d.unlinkSteps !== undefined);
/** pte-chain runs in both of its modes; the others have one. */
const cases = withHook.flatMap((d) => (d.name === 'pte-chain' ? [0, 1] : [0]).map((mode) => [d.name, mode, d] as const));

/** Links and unlinks of PTES on PAGES, as the reducer applies them (duplicates and misses included). */
const ops = fc.array(fc.record({ link: fc.boolean(), pte: fc.nat(PTES.length - 1), pfn: fc.nat(PAGES.length - 1) }), {
  maxLength: 40,
});

describe('unlinkSteps', () => {
  it("the seed's pte-chain offers it (the trace fault path's unlink)", () => {
    expect(withHook.map((d) => d.name)).toContain('pte-chain');
  });

  it.each(cases)('%s (chain mode %i) counts what the forEach walk counts, on maps built by links and unlinks', (name, mode, d) => {
    fc.assert(
      fc.property(ops, (list) => {
        const s = machine(name, mode);
        for (const o of list) {
          const t = o.link ? 'pte_link' : 'pte_unlink';
          apply(s, { t, pte: PTES[o.pte], pfn: PAGES[o.pfn] });
        }
        expectAgreement(d, s);
      }),
      { numRuns: 200 },
    );
  });
});

describe.each([
  [0, 'NULL-terminated'],
  [1, 'circular'],
])('unlinkSteps on broken pte-chains (chain mode %i, %s)', (mode) => {
  const d = RMAP_DESIGNS.get('pte-chain') as RmapDesign;
  /** Page 20 mapped by the first `n` ptes (head: the last linked). */
  const chained = (n: number): State => {
    const s = machine('pte-chain', mode);
    for (let i = 0; i < n; i++) apply(s, { t: 'pte_link', pte: PTES[i], pfn: 20 });
    return s;
  };
  const setLink = (s: State, pte: number, next: number): void => {
    const slot = (pte & 4095) >> 2;
    (s.slices.rmap as LinkPageSlice).links[Math.floor(pte / 4096)][slot >> 6][slot & 63] = next;
  };

  it('a pte at the head is one step, one further down its position + 1, one not on the chain every entry', () => {
    const s = chained(4);
    const order: number[] = [];
    d.forEach(s, 20, (p) => order.push(p));
    expect(order).toHaveLength(4);
    for (const [i, pte] of order.entries()) expect(d.unlinkSteps?.(s, pte, 20)).toBe(i + 1);
    expect(d.unlinkSteps?.(s, PTES[9], 20)).toBe(4);
    expect(d.unlinkSteps?.(s, PTES[0], 21)).toBe(0); // an empty map walks nothing
    expect(expectAgreement(d, s)).toBe(4);
  });

  it('a chain that cycles without reaching NULL or its head is bounded by the map count, as the walk is', () => {
    const s = chained(4);
    const order: number[] = [];
    d.forEach(s, 20, (p) => order.push(p));
    setLink(s, order[3], order[1]); // the tail points back into the chain
    expect(d.unlinkSteps?.(s, PTES[9], 20)).toBe(walkedSteps(d, s, PTES[9], 20));
    expect(walkedSteps(d, s, PTES[9], 20)).toBe(5); // map count + 1 entries
    expectAgreement(d, s);
  });

  it('agrees under any corruption of link slots and map counts', () => {
    const corruption = fc.record({
      n: fc.integer({ min: 0, max: 6 }),
      links: fc.array(fc.tuple(fc.nat(PTES.length - 1), fc.integer({ min: -1, max: PTES.length - 1 })), { maxLength: 6 }),
      mapcount: fc.integer({ min: 0, max: 8 }),
    });
    fc.assert(
      fc.property(corruption, ({ n, links, mapcount }) => {
        const s = chained(n);
        // -1: NULL; a link may point anywhere, itself included
        for (const [from, to] of links) setLink(s, PTES[from], to < 0 ? 0 : PTES[to]);
        getPage(s, 20).mapcount = mapcount;
        expectAgreement(d, s);
      }),
      { numRuns: 300 },
    );
  });

  it('a head in a freed page table (its links gone) counts as the walk does', () => {
    const s = chained(3);
    const head = getPage(s, 20).rmap;
    apply(s, { t: 'pt_free', pfn: Math.floor(head / 4096) });
    expect(getPage(s, 20).rmap).toBe(head);
    expect(d.unlinkSteps?.(s, PTES[9], 20)).toBe(1);
    expectAgreement(d, s);
  });
});
