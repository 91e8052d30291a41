// The kernel reads a DeepReadonly<State>: a write from kernel code does not compile. The
// writes below are type-checked by `tsc -p tsconfig.test.json` (part of `npm test`); each
// expect-error marker fails the build if the write it marks ever type-checks.

import { describe, expect, it } from 'vitest';
import { pte_pfn } from '../../src/arch/i386/page.js';
import { Kernel as KernelClass, type Kernel } from '../../src/kernel/kernel.js';
import { access, pte_offset, read_pte } from '../../src/mm/memory.js';
import { CODE_OF, EVENT_CODE } from '../../src/events.js';
import type { EventStore } from '../../src/event-store.js';
import { getPage } from '../../src/state.js';
import { checkState } from '../../src/check/invariants.js';
import { bareKernel, LIB, recordEvents, sharedPage } from '../helpers.js';

/** Never called: only compiled. */
function kernelWrites(k: Kernel): void {
  // @ts-expect-error a counter in the state
  k.s.nrFree = 0;
  // @ts-expect-error a field of struct page
  getPage(k.s, 0).count = 2;
  // @ts-expect-error a nested table (a pte chunk)
  k.s.pts[0].pte[0][0] = 1;
  // @ts-expect-error an array of the state
  k.s.mms[1].vmas.push({ start: 0, end: 4096, kind: 0, prot: 0, file: 0, pgoff: 0 });
  // @ts-expect-error the stats
  k.s.stats.events++;
}

/** Never called: only compiled. A hot emitter passes its event's code; another type's does not compile. */
function kernelCodes(k: Kernel): void {
  k.emit({ t: 'tick', us: 1 }, CODE_OF.tick);
  // @ts-expect-error the code of another event type
  k.emit({ t: 'tick', us: 1 }, CODE_OF.put_page);
  // @ts-expect-error a bare number
  k.emit({ t: 'put_page', pfn: 1 }, 7);
}

describe('Kernel', () => {
  it('reads the state the event store holds, and changes it only by emitting', () => {
    const { k, m } = bareKernel('pte-chain');
    expect(k.s).toBe(m.s);
    const before = m.events;
    const nrFree = k.s.nrFree;
    k.op('mmap', -1);
    expect(m.events).toBe(before + 1);
    expect(k.s.nrFree).toBe(nrFree);
    expect(typeof kernelWrites).toBe('function');
  });

  it("hands the store, the reducer and the sink each event's own type code", () => {
    const { k, mms } = sharedPage('pte-chain', 3);
    const store = k.m as EventStore;
    let seen = 0;
    const wrong: string[] = [];
    store.sink = (e, code) => {
      seen++;
      if (code !== EVENT_CODE[e.t]) wrong.push(`${e.t}: ${code}`);
    };
    // a fault path, reclaim and unmapping: every emitter in src/mm passes its own code or none
    for (const mm of mms) expect(access(k, mm, LIB + 4096, false)).toBe('ok');
    expect(k.reclaim.tryToFreePage(k)).toBe(true);
    expect(seen).toBeGreaterThan(5);
    expect(wrong).toEqual([]);
    expect(typeof kernelCodes).toBe('function');
  });
});

describe('Kernel CPU charged in ns (chargeNs: the walks of src/include/costs.ts)', () => {
  it('whole µs go out with the next tick and the rest carries: 1,500 ns then 700 ns make 1 µs, then 2 µs', () => {
    const { k } = bareKernel('pte-chain');
    const t0 = k.s.time;
    k.chargeNs(1500);
    k.tick(0);
    expect(k.s.time - t0).toBe(1);
    expect(k.pendingNs).toBe(500);
    k.chargeNs(700);
    k.flushTime();
    expect(k.s.time - t0).toBe(2);
    expect(k.pendingNs).toBe(200);
  });
});

describe('pte_link / pte_unlink charge chainStepNs per entry walked', () => {
  /** The pfn of the library page three processes map, and its chain in order from the head. */
  const chainOf = (k: Kernel, pfn: number): number[] => {
    const out: number[] = [];
    k.rmap.forEach(k.s, pfn, (pte) => out.push(pte));
    return out;
  };
  const chargedBy = (k: Kernel, f: () => void): number => {
    const before = k.pendingNs;
    f();
    return k.pendingNs - before;
  };

  it("the seed's pte_unlink walks its singly linked chain from the head to the pte: the tail costs 3 steps, the head 1; pte_link pushes at the head: 1", () => {
    const { k, mms } = sharedPage('pte-chain', 3);
    const step = k.cfg.latencies.chainStepNs;
    const pfn = pfnAt(k, mms[0]);
    const chain = chainOf(k, pfn);
    expect(chain).toHaveLength(3);
    expect(chargedBy(k, () => k.emit({ t: 'pte_unlink', pte: chain[2], pfn }))).toBe(3 * step);
    expect(chargedBy(k, () => k.emit({ t: 'pte_unlink', pte: chain[0], pfn }))).toBe(1 * step);
    expect(chargedBy(k, () => k.emit({ t: 'pte_link', pte: chain[0], pfn }))).toBe(1 * step);
  });

  it('objrmap keeps a map count, not a list: an unlink is one step wherever the pte is; --rmap none links nothing and is charged nothing', () => {
    const { k, mms } = sharedPage('objrmap', 3);
    const pfn = pfnAt(k, mms[0]);
    const ptes = mms.map((mm) => pte_offset(k, k.s.mms[mm], LIB));
    expect(chargedBy(k, () => k.emit({ t: 'pte_unlink', pte: ptes[0], pfn }))).toBe(k.cfg.latencies.chainStepNs);
    const none = sharedPage('none', 2);
    const p2 = pfnAt(none.k, none.mms[0]);
    expect(
      chargedBy(none.k, () => none.k.emit({ t: 'pte_unlink', pte: pte_offset(none.k, none.k.s.mms[none.mms[0]], LIB), pfn: p2 })),
    ).toBe(0);
  });

  it("a design's own count (pte-chain's unlinkSteps) is what the kernel's forEach walk counts without it: position + 1, the whole chain for a pte not on it", () => {
    const { k, mms } = sharedPage('pte-chain', 3);
    const walkOnly = new KernelClass(k.m, k.cfg, { rmap: { ...k.rmap, unlinkSteps: undefined }, reclaim: k.reclaim });
    expect(k.rmap.unlinkSteps).toBeDefined();
    // the count itself, without emitting (an unlink would change the chain the other kernel counts)
    const steps = (kk: Kernel, pte: number, pfn: number): number =>
      (kk as unknown as { rmapSteps(link: boolean, pte: number, pfn: number): number }).rmapSteps(false, pte, pfn);
    const pfn = pfnAt(k, mms[0]);
    const chain = chainOf(k, pfn);
    expect(chain).toHaveLength(3);
    for (const [i, pte] of chain.entries()) {
      expect(steps(k, pte, pfn)).toBe(i + 1);
      expect(steps(walkOnly, pte, pfn)).toBe(i + 1);
    }
    const elsewhere = chain[0] + 4; // the next slot of the head's table: not on this chain
    expect(steps(k, elsewhere, pfn)).toBe(3);
    expect(steps(walkOnly, elsewhere, pfn)).toBe(3);
  });

  it('--cost chainStepNs=0 charges nothing', () => {
    const { k, mms } = sharedPage('pte-chain', 3);
    const cfg = { ...k.cfg, latencies: { ...k.cfg.latencies, chainStepNs: 0 } };
    const k0 = new KernelClass(k.m, cfg, { rmap: k.rmap, reclaim: k.reclaim });
    const pfn = pfnAt(k, mms[0]);
    const chain = chainOf(k0, pfn);
    expect(chargedBy(k0, () => k0.emit({ t: 'pte_unlink', pte: chain[2], pfn }))).toBe(0);
  });
});

const pfnAt = (k: Kernel, mm: number): number => pte_pfn(read_pte(k, pte_offset(k, k.s.mms[mm], LIB)));

describe('user time is not kswapd CPU', () => {
  it('user time run up after a kswapd operation goes out as user_time, so kswapdUs does not count it', () => {
    const { k } = bareKernel('pte-chain');
    k.op('kswapd', -1);
    k.tick(7);
    const kswapdUs = k.s.stats.kswapdUs;
    k.pendingUs = 500; // a process ran after kswapd
    k.op('mmap', -1);
    expect(k.s.stats.kswapdUs).toBe(kswapdUs);
    expect(kswapdUs).toBe(7);
  });
});

describe('flush_tlb_page with several CPUs (include/asm-i386/pgtable.h, SMP: smp_flush_tlb)', () => {
  it.each(['bkl', 'fine'])('%s: a tlb_shootdown of the same pte follows each change other CPUs held, and no rule breaks', (locking) => {
    const { events, sim } = recordEvents('forky', '7', 20000, { cpus: 4, sched: 'pct:3', locking, mem: '2M' });
    let shootdowns = 0;
    events.forEach((e, i) => {
      if (e.t !== 'tlb_shootdown') return;
      shootdowns++;
      const before = events[i - 1];
      expect(before.t === 'pte_set' || before.t === 'pte_clear').toBe(true);
      expect((before as { pte: number }).pte).toBe(e.pte);
    });
    expect(shootdowns).toBeGreaterThan(0);
    expect(checkState(sim.machine.state()).map((v) => v.invariant)).toEqual([]);
  });
});
