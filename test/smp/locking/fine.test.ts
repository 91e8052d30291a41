import { describe, expect, it } from 'vitest';
import { pte_pfn, pte_present } from '../../../src/arch/i386/page.js';
import { forEachPte } from '../../../src/check/rules.js';
import { OP, type Event } from '../../../src/events.js';
import { PG_reserved } from '../../../src/include/page-flags.js';
import { pageLock, pageTableLock } from '../../../src/include/locks.js';
import { clock_step } from '../../../src/mm/vmscan.js';
import { bklLocking } from '../../../src/smp/locking/bkl.js';
import { fineLocking } from '../../../src/smp/locking/fine.js';
import { getPage } from '../../../src/state.js';
import { recordEvents, simulation } from '../../helpers.js';

/** A 2-CPU fine-locked machine after some work, and a user page with the mm mapping it. */
function machine() {
  const sim = simulation('tiny', '2', { cpus: 2, sched: 'rr', locking: 'fine' });
  sim.run(4000);
  const s = sim.machine.state();
  let found: { pfn: number; mm: number } | null = null;
  forEachPte(s, (_pte, val, mm) => {
    if (found === null && pte_present(val) && (getPage(s, pte_pfn(val)).flags & PG_reserved) === 0) found = { pfn: pte_pfn(val), mm };
  });
  if (found === null) throw new Error('no user page');
  return { sim, k: sim.kernel, ...(found as { pfn: number; mm: number }) };
}

describe('--locking fine', () => {
  it("kswapd trylocks and skips a page whose mm's page_table_lock another CPU holds (2.4 try_to_swap_out's spin_trylock)", () => {
    const { sim, k, pfn, mm } = machine();
    const emit = (e: Event): void => sim.machine.emit(e);
    emit({ t: 'cpu', cpu: 1 });
    emit({ t: 'lock_acquire', lock: pageTableLock(mm) });
    emit({ t: 'cpu', cpu: 0 });
    expect(fineLocking.reclaimMayTouch(k, 0, pfn)).toBe(false);
    expect(fineLocking.reclaimMayTouch(k, 1, pfn)).toBe(true);
    // the clock passes over it: no pte visited, nothing unmapped
    emit({ t: 'clock_advance', hand: pfn, ptes: 0 });
    const before = getPage(k.s, pfn).mapcount;
    const scanned = k.s.stats.ptesVisited;
    expect(clock_step(k)).toBe(false);
    expect(k.s.stats.ptesVisited).toBe(scanned);
    expect(getPage(k.s, pfn).mapcount).toBe(before);
    expect(k.s.smp?.nviolations).toBe(0);
  });

  it('kswapd skips a page another CPU has locked (PG_locked); under bkl nothing is skipped', () => {
    const { sim, k, pfn } = machine();
    sim.machine.emit({ t: 'cpu', cpu: 1 });
    sim.machine.emit({ t: 'lock_acquire', lock: pageLock(pfn) });
    expect(fineLocking.reclaimMayTouch(k, 0, pfn)).toBe(false);
    expect(bklLocking.reclaimMayTouch(k, 0, pfn)).toBe(true);
  });

  it('a fault re-reads its plan under the pagemap lock: a page read ahead while it slept is locked before it is mapped', () => {
    // explore found this schedule: the fault planned a read, and a read-ahead cached the page meanwhile
    const sim = simulation('forky', '7', { cpus: 2, sched: 'pct:3', locking: 'fine', schedSeed: '111' });
    const s = sim.run(3000);
    expect(s.smp?.violations).toEqual([]);
  });

  it('a fault holds its page_table_lock from reading the pte to writing it, and other CPUs run in between', () => {
    const { events } = recordEvents('forky', '7', 40000, { cpus: 4, sched: 'random', locking: 'fine' });
    let cpu = 0;
    const holding = new Map<number, number>(); // cpu -> ptl it took last
    let interleaved = 0;
    const switched = new Set<number>();
    for (const e of events) {
      if (e.t === 'cpu') {
        cpu = e.cpu;
        for (const c of holding.keys()) if (c !== cpu) switched.add(c);
      }
      if (e.t === 'lock_acquire' && Math.floor(e.lock / 2 ** 24) === 3) holding.set(cpu, e.lock);
      if (e.t === 'op' && e.kind === OP.fault) {
        expect(holding.get(cpu), 'a fault runs holding its mm page_table_lock').toBe(pageTableLock(e.mm));
        if (switched.has(cpu)) interleaved++;
      }
      if (e.t === 'lock_release' && holding.get(cpu) === e.lock) {
        holding.delete(cpu);
        switched.delete(cpu);
      }
    }
    expect(interleaved).toBeGreaterThan(0);
  });
});
