import { describe, expect, it } from 'vitest';
import { _PAGE_RW, pte_pfn, pte_present } from '../../src/arch/i386/page.js';
import { pte_table_pfn } from '../../src/arch/i386/pgtable.js';
import { checkState } from '../../src/check/invariants.js';
import { forEachPte } from '../../src/check/rules.js';
import { OP, type Event } from '../../src/events.js';
import { PG_reserved } from '../../src/include/page-flags.js';
import { apply, ReducerError } from '../../src/reducer/index.js';
import { takesAway } from '../../src/reducer/tlb.js';
import { cloneState } from '../../src/snapshot/clone.js';
import { getPage, type SmpState, type State } from '../../src/state.js';
import { simulation } from '../helpers.js';

/** A 2-CPU machine after some work, its TLBs emptied, and one present, writable user pte in it. */
function machine(): { s: State; smp: SmpState; pte: number; val: number } {
  const s = cloneState(simulation('tiny', '2', { cpus: 2, sched: 'rr', locking: 'fine' }).run(4000));
  let found: { pte: number; val: number } | null = null;
  forEachPte(s, (pte, val) => {
    if (found === null && pte_present(val) && (val & _PAGE_RW) !== 0 && (getPage(s, pte_pfn(val)).flags & PG_reserved) === 0)
      found = { pte, val };
  });
  if (found === null) throw new Error('no writable user pte');
  const smp = s.smp as SmpState;
  smp.tlb = [{}, {}];
  smp.tlbOwed = 0;
  // neither CPU is in a fault (a fault's own pte_set caches the pte it makes present)
  smp.opKind = [OP.kswapd, OP.kswapd];
  return { s, smp, ...(found as { pte: number; val: number }) };
}

const run = (s: State, events: Event[]): void => {
  for (const e of events) apply(s, e);
};
const names = (s: State): string[] => checkState(s).map((v) => v.invariant);

describe('SMP TLBs (src/reducer/tlb.ts): set_pte then flush_tlb_page, as mm/vmscan.c try_to_swap_out does', () => {
  it('a change takes a translation away when the pte stops being present, maps another page or loses its write bit', () => {
    const v = 0x1000 | 0x67; // present, rw, user, accessed, dirty
    expect(takesAway(v, 0)).toBe(true);
    expect(takesAway(v, 0x4200)).toBe(true); // a swap entry
    expect(takesAway(v, 0x2000 | 0x67)).toBe(true);
    expect(takesAway(v, v & ~_PAGE_RW)).toBe(true);
    // the accessed/dirty bits, or a write bit added, leave a cached copy usable
    expect(takesAway(v, v & ~0x60)).toBe(false);
    expect(takesAway(v & ~_PAGE_RW, v)).toBe(false);
    expect(takesAway(0, v)).toBe(false);
  });

  it('hw_access caches a pte on the CPU that walked it; its own change drops it (the local flush)', () => {
    const { s, smp, pte, val } = machine();
    run(s, [
      { t: 'cpu', cpu: 1 },
      { t: 'hw_access', pte, write: 1 },
    ]);
    expect(smp.tlb?.[1][pte]).toBe(1);
    expect(smp.tlb?.[0][pte]).toBeUndefined();
    run(s, [{ t: 'pte_set', pte, val: (val & ~_PAGE_RW) >>> 0 }]);
    expect(smp.tlb?.[1][pte]).toBeUndefined();
    expect(smp.tlbOwed).toBe(0);
    run(s, [{ t: 'tick', us: 1 }]);
    expect(names(s)).not.toContain('smp-stale-tlb');
  });

  it("a fault's pte_set caches the pte it makes present on its CPU (the access it retries)", () => {
    const { s, smp, pte, val } = machine();
    smp.opKind[0] = OP.fault;
    run(s, [{ t: 'pte_set', pte, val: (val & ~_PAGE_RW) >>> 0 }]);
    expect(smp.tlb?.[0][pte]).toBe(1);
    smp.opKind[0] = OP.kswapd;
    run(s, [{ t: 'pte_clear', pte }]);
    expect(smp.tlb?.[0][pte]).toBeUndefined();
  });

  it('a change while another CPU holds the pte owes a tlb_shootdown next, which flushes it there', () => {
    const { s, smp, pte, val } = machine();
    run(s, [
      { t: 'cpu', cpu: 1 },
      { t: 'hw_access', pte, write: 0 },
      { t: 'cpu', cpu: 0 },
      { t: 'pte_set', pte, val: (val & ~_PAGE_RW) >>> 0 },
    ]);
    expect(smp.tlbOwed).toBe(pte);
    run(s, [
      { t: 'tlb_shootdown', pte },
      { t: 'tick', us: 1 },
    ]);
    expect(smp.tlb?.[1][pte]).toBeUndefined();
    expect(smp.tlbOwed).toBe(0);
    expect(names(s)).not.toContain('smp-stale-tlb');
  });

  it('smp-stale-tlb: any other event first leaves the other CPU with the old translation, named at that event', () => {
    const { s, smp, pte } = machine();
    run(s, [
      { t: 'cpu', cpu: 1 },
      { t: 'hw_access', pte, write: 0 },
      { t: 'cpu', cpu: 0 },
      { t: 'pte_clear', pte },
    ]);
    const at = s.stats.events;
    run(s, [{ t: 'tick', us: 1 }]);
    expect(smp.violations.at(-1)).toMatchObject({ rule: 'smp-stale-tlb', event: at, cpu: 0, other: 1, subject: pte });
    expect(names(s)).toContain('smp-stale-tlb');
  });

  it('dropping the accessed bit (pte_mkold) owes nothing: the cached copy still maps the same page', () => {
    const { s, smp, pte } = machine();
    run(s, [
      { t: 'cpu', cpu: 1 },
      { t: 'hw_access', pte, write: 0 },
      { t: 'cpu', cpu: 0 },
      { t: 'pte_mkold', pte },
      { t: 'tick', us: 1 },
    ]);
    expect(smp.tlbOwed).toBe(0);
    expect(names(s)).not.toContain('smp-stale-tlb');
  });

  it('freeing a page table drops its ptes from every TLB', () => {
    const { s, smp, pte } = machine();
    run(s, [{ t: 'hw_access', pte, write: 0 }]);
    (smp.tlb as Record<number, 1>[])[1][pte] = 1;
    const pt = s.pts[pte_table_pfn(pte)];
    // empty the table the way exit does, then free it
    for (let i = 0; i < 1024; i++) {
      const v = pt.pte[i >> 6][i & 63];
      if (v !== 0) pt.pte[i >> 6][i & 63] = 0;
    }
    pt.used = 0;
    run(s, [{ t: 'pt_free', pfn: pt.pfn }]);
    expect(smp.tlb?.[0][pte]).toBeUndefined();
    expect(smp.tlb?.[1][pte]).toBeUndefined();
  });

  it('a tlb_shootdown in a 1-CPU run is a malformed log', () => {
    const s = cloneState(simulation('tiny', '2').run(500));
    expect(() => apply(s, { t: 'tlb_shootdown', pte: 0 })).toThrow(ReducerError);
  });
});
