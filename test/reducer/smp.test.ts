import { describe, expect, it } from 'vitest';
import { pte_pfn, pte_present } from '../../src/arch/i386/page.js';
import { checkState } from '../../src/check/invariants.js';
import { forEachPte } from '../../src/check/rules.js';
import { STARVATION_EVENTS } from '../../src/check/smp-rules.js';
import type { Event } from '../../src/events.js';
import { PG_reserved } from '../../src/include/page-flags.js';
import { BKL, mmapSem, pageLock, pageTableLock } from '../../src/include/locks.js';
import { apply, ReducerError } from '../../src/reducer/index.js';
import { cloneState } from '../../src/snapshot/clone.js';
import { getPage, type State } from '../../src/state.js';
import { simulation } from '../helpers.js';

/** A 2-CPU machine after some work, idle (no lock held), and one present user pte in it. */
function machine(locking = 'fine'): { s: State; pte: number; pfn: number; mm: number } {
  const s = cloneState(simulation('tiny', '2', { cpus: 2, sched: 'rr', locking }).run(4000));
  let found: { pte: number; pfn: number; mm: number } | null = null;
  forEachPte(s, (pte, val, mm) => {
    if (found === null && pte_present(val) && (getPage(s, pte_pfn(val)).flags & PG_reserved) === 0) found = { pte, pfn: pte_pfn(val), mm };
  });
  if (found === null) throw new Error('no user pte');
  return { s, ...(found as { pte: number; pfn: number; mm: number }) };
}

const run = (s: State, events: Event[]): void => {
  for (const e of events) apply(s, e);
};
const names = (s: State): string[] => checkState(s).map((v) => v.invariant);

describe('SMP reducer: locks as state, locking rules recorded as events pass', () => {
  it('lock_wait queues, lock_release frees, the first waiter takes it and its clock moves up to the release', () => {
    const { s, mm } = machine();
    const ptl = pageTableLock(mm);
    const smp = s.smp as NonNullable<State['smp']>;
    run(s, [
      { t: 'cpu', cpu: 1 },
      { t: 'lock_acquire', lock: ptl },
      { t: 'tick', us: 500 },
      { t: 'cpu', cpu: 0 },
      { t: 'lock_wait', lock: ptl },
    ]);
    expect(smp.locks[ptl]).toMatchObject({ owner: 1, waiters: [0] });
    expect(smp.waiting[0]).toBe(ptl);
    // CPU 0 may not jump the queue, and nobody may take a held lock
    expect(() => apply(cloneState(s), { t: 'lock_acquire', lock: ptl })).toThrow(ReducerError);
    // CPU 0 ran behind CPU 1: it waited until CPU 1's release
    smp.clock[0] = smp.clock[1] - 300;
    run(s, [
      { t: 'cpu', cpu: 1 },
      { t: 'lock_release', lock: ptl },
      { t: 'cpu', cpu: 0 },
      { t: 'lock_acquire', lock: ptl },
    ]);
    expect(smp.locks[ptl]).toMatchObject({ owner: 0, waiters: [] });
    expect(smp.clock[0]).toBe(smp.clock[1]);
    expect(smp.lockStats[2].waitUs).toBeGreaterThanOrEqual(300);
    const st = smp.lockStats[2];
    expect(st.acquires).toBeGreaterThanOrEqual(2);
    expect(st.contended).toBeGreaterThanOrEqual(1);
    expect(names(s)).toEqual([]);
  });

  it('smp-pte-race: a pte changed while another CPU holds its page_table_lock', () => {
    const { s, pte, mm } = machine();
    run(s, [
      { t: 'cpu', cpu: 1 },
      { t: 'lock_acquire', lock: pageTableLock(mm) },
      { t: 'cpu', cpu: 0 },
      { t: 'pte_mkold', pte },
    ]);
    expect(s.smp?.violations[0]).toMatchObject({ rule: 'smp-pte-race', cpu: 0, other: 1, subject: pte });
    expect(names(s)).toContain('smp-pte-race');
  });

  it('the holder itself may change the pte', () => {
    const { s, pte, mm } = machine();
    run(s, [
      { t: 'cpu', cpu: 1 },
      { t: 'lock_acquire', lock: pageTableLock(mm) },
      { t: 'pte_mkold', pte },
    ]);
    expect(names(s)).toEqual([]);
  });

  it('smp-chain-race: a chain edited while another CPU holds the page; under bkl, while another holds the BKL', () => {
    for (const [locking, lock] of [
      ['fine', (pfn: number) => pageLock(pfn)],
      ['bkl', () => BKL],
    ] as const) {
      const { s, pte, pfn } = machine(locking);
      run(s, [
        { t: 'cpu', cpu: 1 },
        { t: 'lock_acquire', lock: lock(pfn) },
        { t: 'cpu', cpu: 0 },
        { t: 'pte_unlink', pte, pfn },
        { t: 'pte_link', pte, pfn },
      ]);
      expect(s.smp?.violations[0], locking).toMatchObject({ rule: 'smp-chain-race', cpu: 0, other: 1, subject: pfn });
      expect(names(s), locking).toContain('smp-chain-race');
    }
  });

  it('smp-lock-order: blocking on a lock that ranks before one held (a page lock, then page_table_lock)', () => {
    const { s, pfn, mm } = machine();
    run(s, [
      { t: 'lock_acquire', lock: pageLock(pfn) },
      { t: 'lock_acquire', lock: pageTableLock(mm) },
    ]);
    expect(s.smp?.violations[0]).toMatchObject({ rule: 'smp-lock-order', lock: pageTableLock(mm), subject: pageLock(pfn) });
    expect(names(s)).toContain('smp-lock-order');
    const ok = machine();
    run(ok.s, [
      { t: 'lock_acquire', lock: mmapSem(ok.mm) },
      { t: 'lock_acquire', lock: pageTableLock(ok.mm) },
    ]);
    expect(names(ok.s)).toEqual([]);
  });

  it('smp-deadlock: two CPUs each waiting for the lock the other holds', () => {
    const { s, pfn, mm } = machine();
    const a = pageTableLock(mm),
      b = pageLock(pfn);
    run(s, [
      { t: 'cpu', cpu: 0 },
      { t: 'lock_acquire', lock: a },
      { t: 'cpu', cpu: 1 },
      { t: 'lock_acquire', lock: b },
      { t: 'cpu', cpu: 0 },
      { t: 'lock_wait', lock: b },
    ]);
    expect(names(s)).toEqual([]);
    run(s, [
      { t: 'cpu', cpu: 1 },
      { t: 'lock_wait', lock: a },
    ]);
    expect(s.smp?.violations.map((v) => v.rule)).toEqual(['smp-deadlock']);
    expect(names(s)).toContain('smp-deadlock');
  });

  it(`smp-starvation: a CPU waiting for one lock more than ${STARVATION_EVENTS} events`, () => {
    const { s, mm } = machine();
    const ptl = pageTableLock(mm);
    run(s, [
      { t: 'cpu', cpu: 1 },
      { t: 'lock_acquire', lock: ptl },
      { t: 'cpu', cpu: 0 },
      { t: 'lock_wait', lock: ptl },
    ]);
    expect(names(s)).toEqual([]);
    s.stats.events += STARVATION_EVENTS + 1;
    expect(names(s)).toEqual(['smp-starvation']);
  });

  it('a lock event in a 1-CPU run, or for a CPU the machine lacks, is a malformed log', () => {
    const one = cloneState(simulation('tiny', '2').run(100));
    expect(() => apply(one, { t: 'cpu', cpu: 0 })).toThrow(/one CPU/);
    const { s } = machine();
    expect(() => apply(s, { t: 'cpu', cpu: 2 })).toThrow(ReducerError);
    expect(() => apply(s, { t: 'lock_release', lock: BKL })).toThrow(/does not hold/);
  });
});
