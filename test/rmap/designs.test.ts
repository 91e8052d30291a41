import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { apply } from '../../src/reducer/index.js';
import { boot } from '../../src/mm/boot.js';
import { PG_direct } from '../../src/include/page-flags.js';
import { rmapDesign } from '../../src/designs/registry.js';
import { NRPTE } from '../../src/rmap/chain-blocks.js';
import { getPage, type State } from '../../src/state.js';
import { checkState } from '../../src/check/invariants.js';
import { arenaOf } from '../../src/rmap/arena.js';
import { loadScenario } from '../../src/workload/scenario.js';
import { makeRunConfig } from '../../src/run-config.js';
import { Simulation } from '../../src/simulation.js';

const PFN = 20;
/** A machine with 8 page tables (no mm checks are made by link/unlink) and no mappings yet. */
function machine(rmap: string): State {
  const s = boot({ nframes: 64, reserved: 8, swapSlots: 16, rmap, reclaim: 'clock' });
  apply(s, { t: 'mm_create', mm: 1, pgd: 9, parent: -1 });
  for (let i = 0; i < 8; i++) apply(s, { t: 'pt_alloc', pfn: 30 + 2 * i, mm: 1, index: i });
  return s;
}
const pteN = (i: number): number => (30 + 2 * (i % 8)) * 4096 + Math.floor(i / 8) * 4;

describe('pte_chain (2.5): direct pointer, then blocks of NRPTE', () => {
  it('NRPTE is 7 for 32-byte cache lines and 4-byte pte addresses', () => {
    expect(NRPTE).toBe(7);
  });
  it('first mapping is direct; the second converts to a chain; removal does not go back to direct', () => {
    const s = machine('pte_chain');
    apply(s, { t: 'pte_link', pte: pteN(0), pfn: PFN });
    expect(getPage(s, PFN).flags & PG_direct).toBe(PG_direct);
    expect(getPage(s, PFN).rmap).toBe(pteN(0));
    expect(arenaOf(s).used).toBe(0);
    apply(s, { t: 'pte_link', pte: pteN(1), pfn: PFN });
    expect(getPage(s, PFN).flags & PG_direct).toBe(0);
    expect(arenaOf(s).used).toBe(1);
    apply(s, { t: 'pte_unlink', pte: pteN(0), pfn: PFN });
    expect(getPage(s, PFN).flags & PG_direct).toBe(0);
    expect(rmapDesign('pte_chain').entries(s, PFN).ptes).toEqual([pteN(1)]);
    apply(s, { t: 'pte_unlink', pte: pteN(1), pfn: PFN });
    expect(getPage(s, PFN).rmap).toBe(0);
    expect(arenaOf(s).used).toBe(0);
  });
  it('duplicate add and removing a missing entry are counted as rmap errors, not thrown', () => {
    for (const rmap of ['pte_chain', 'pte-pool']) {
      const s = machine(rmap);
      apply(s, { t: 'pte_link', pte: pteN(0), pfn: PFN });
      apply(s, { t: 'pte_link', pte: pteN(0), pfn: PFN });
      expect(s.stats.rmapErrors).toBe(1);
      apply(s, { t: 'pte_link', pte: pteN(1), pfn: PFN });
      apply(s, { t: 'pte_link', pte: pteN(1), pfn: PFN });
      expect(s.stats.rmapErrors).toBe(2);
      apply(s, { t: 'pte_unlink', pte: pteN(5), pfn: PFN });
      expect(s.stats.rmapErrors).toBe(3);
      expect(getPage(s, PFN).mapcount).toBe(2);
    }
  });
});

describe('block designs hold their structure under any link/unlink sequence', () => {
  for (const rmap of ['pte_chain', 'pte-pool', 'pte-chain']) {
    it(`${rmap}: the map is the set of linked ptes, blocks are accounted`, () => {
      fc.assert(
        fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 40 })), { maxLength: 120 }), (ops) => {
          const s = machine(rmap);
          const want = new Set<number>();
          let errors = 0;
          for (const [add, i] of ops) {
            const pte = pteN(i);
            if (add) {
              if (want.has(pte) && rmap !== 'pte-chain') errors++;
              if (want.has(pte) && rmap === 'pte-chain') continue; // LaHaise's list cannot see duplicates
              apply(s, { t: 'pte_link', pte, pfn: PFN });
              want.add(pte);
            } else {
              if (!want.has(pte)) errors++;
              apply(s, { t: 'pte_unlink', pte, pfn: PFN });
              want.delete(pte);
            }
          }
          const d = rmapDesign(rmap);
          const rep = d.entries(s, PFN);
          expect(rep.problem).toBeNull();
          expect(rep.ptes.slice().sort((a, b) => a - b)).toEqual([...want].sort((a, b) => a - b));
          expect(getPage(s, PFN).mapcount).toBe(want.size);
          expect(s.stats.rmapErrors).toBe(errors);
          const seen: number[] = [];
          d.forEach(s, PFN, (p) => seen.push(p));
          expect(seen.sort((a, b) => a - b)).toEqual([...want].sort((a, b) => a - b));
          if (rmap === 'pte_chain')
            expect(arenaOf(s).used).toBe(want.size <= 1 && (getPage(s, PFN).flags & PG_direct) !== 0 ? 0 : Math.ceil(want.size / NRPTE));
          if (rmap === 'pte-pool') expect(arenaOf(s).used).toBeGreaterThanOrEqual(Math.ceil(want.size / 3));
        }),
        { numRuns: 150, seed: 7 },
      );
    });
  }
});

describe('each rmap design stays consistent over seeded runs', () => {
  const combos: [string, string][] = [
    ['clock', 'pte-chain'],
    ['clock', 'pte-pool'],
    ['clock', 'pte_chain'],
    ['old', 'none'],
    ['old', 'pte_chain'],
    ['old', 'pte-pool'],
  ];
  for (const scenario of ['tiny', 'forky', 'x486']) {
    for (const [reclaim, rmap] of combos) {
      it(`${scenario} ${reclaim}/${rmap}`, () => {
        // smaller memories than the scenarios' own so that short runs spend most of their time in reclaim
        const seeds = scenario === 'tiny' ? 8 : 3;
        const events = scenario === 'tiny' ? 6000 : 30000;
        const mem = { tiny: undefined, forky: '2M', x486: '4M' }[scenario];
        for (let seed = 1; seed <= seeds; seed++) {
          const sim = new Simulation(makeRunConfig(loadScenario(scenario), { seed: String(seed), reclaim, rmap, mem }), 'direct');
          let checks = 0;
          for (let at = events / 4; at <= events; at += events / 4) {
            const s = sim.run(at);
            expect(checkState(s), `seed ${seed} at ${s.stats.events} events`).toEqual([]);
            expect(s.stats.rmapErrors).toBe(0);
            checks++;
          }
          expect(checks).toBe(4);
          expect(sim.machine.state().stats.reclaimed, 'the run must reach reclaim to test it').toBeGreaterThan(0);
        }
      });
    }
  }
});
