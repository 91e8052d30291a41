// The hit filter (src/trace/hit-filter.ts): the driver skips access() for a reference only
// when access() would emit nothing (pte present and young, and writable and dirty for a
// write, as access() in mm/memory.ts tests it), and emits access()'s one hw_access itself when that
// is all access() would do. 'checked' runs access() for every reference
// and throws when the filter's answer differs, both ways; 'off' never consults it.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { hotAndFarRefs } from './arbitraries.js';
import { describe, expect, it } from 'vitest';
import { encodeEvent, type Event } from '../../src/events.js';
import { HitFilter } from '../../src/trace/hit-filter.js';
import { runReferenceString } from '../../src/trace/refstring.js';
import { runTrace } from '../../src/trace/run.js';
import type { StrictPolicyName } from '../../src/reclaim/strict.js';
import { _PAGE_ACCESSED, _PAGE_DIRTY, _PAGE_PRESENT, _PAGE_RW, _PAGE_USER, mk_pte, PAGE_SIZE } from '../../src/arch/i386/page.js';
import { pte_addr } from '../../src/arch/i386/pgtable.js';

const FIXTURE = new URL('../fixtures/walk.lackey.gz', import.meta.url).pathname;
// npm test runs a quarter of the cases; npm run soak (MMSIM_SOAK=1) runs them all
const params = {
  numRuns: process.env.MMSIM_SOAK === '1' ? 100 : 25,
  ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH } : {}),
};

function eventHash(): { sink: (e: Event) => void; digest: () => string } {
  const h = createHash('sha256');
  const buf: number[] = [];
  return {
    sink: (e) => encodeEvent(e, buf),
    digest: () => h.update(Float64Array.from(buf)).digest('hex'),
  };
}

describe('HitFilter', () => {
  it('follows one pte through the events: a read hit needs present+young, a write hit also writable+dirty', () => {
    const f = new HitFilter(1, 64);
    const pte = pte_addr(40, 5); // slot 5 of the table at pfn 40
    const addr = 3 * (1 << 22) + 5 * PAGE_SIZE; // that table is pgd entry 3
    f.observe({ t: 'pte_set', pte, val: mk_pte(50, _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED) });
    expect(f.hit(addr, false)).toBe(-1); // no table of mm 1 at pfn 40 yet
    f.observe({ t: 'pt_alloc', pfn: 41, mm: 2, index: 3 }); // another process's table
    f.observe({ t: 'pt_alloc', pfn: 40, mm: 1, index: 3 });
    f.observe({ t: 'pte_set', pte, val: mk_pte(50, _PAGE_PRESENT | _PAGE_USER | _PAGE_RW) });
    expect(f.hit(addr, false)).toBe(-1); // old: access() would emit hw_access
    f.observe({ t: 'hw_access', pte, write: 0 });
    expect(f.hit(addr, false)).toBe(50);
    expect(f.hit(addr, true)).toBe(-1); // clean: a write sets dirty
    f.observe({ t: 'hw_access', pte, write: 1 });
    expect(f.hit(addr, true)).toBe(50);
    f.observe({ t: 'pte_mkold', pte });
    expect(f.hit(addr, false)).toBe(-1);
    f.observe({ t: 'pte_set', pte, val: mk_pte(51, _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY) });
    expect(f.hit(addr, false)).toBe(51);
    expect(f.hit(addr, true)).toBe(-1); // read-only: a write faults
    f.observe({ t: 'pte_clear', pte });
    expect(f.hit(addr, false)).toBe(-1);
    f.observe({ t: 'pte_set', pte, val: mk_pte(52, _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED) });
    f.observe({ t: 'pt_free', pfn: 40 });
    expect(f.hit(addr, false)).toBe(-1);
  });

  it('pteSet and pteClear (the machine sink calls them directly) change the filter as observe() does', () => {
    const pte = pte_addr(40, 5),
      addr = 3 * (1 << 22) + 5 * PAGE_SIZE;
    const direct = new HitFilter(1, 64),
      observed = new HitFilter(1, 64);
    for (const f of [direct, observed]) f.observe({ t: 'pt_alloc', pfn: 40, mm: 1, index: 3 });
    const set = { t: 'pte_set', pte, val: mk_pte(50, _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED) } as const;
    direct.pteSet(set);
    observed.observe(set);
    expect([direct.hit(addr, false), observed.hit(addr, false)]).toEqual([50, 50]);
    direct.pteClear({ t: 'pte_clear', pte });
    observed.observe({ t: 'pte_clear', pte });
    expect([direct.hit(addr, false), observed.hit(addr, false)]).toEqual([-1, -1]);
    // whole arrays (786,432 bytes each) compared as bytes: toEqual walks them entry by entry (3 s)
    expect(Buffer.compare(direct.bits, observed.bits)).toBe(0);
    expect(Buffer.compare(new Uint8Array(direct.pfns.buffer), new Uint8Array(observed.pfns.buffer))).toBe(0);
  });

  it('knows the references that need only the MMU (hw_access) and the pte they touch', () => {
    const f = new HitFilter(1, 64);
    const pte = pte_addr(40, 5);
    const page = 3 * 1024 + 5; // slot 5 of pgd entry 3
    f.observe({ t: 'pt_alloc', pfn: 40, mm: 1, index: 3 });
    expect(f.mmuOnly(page, false)).toBe(0); // no pte: a fault
    f.observe({ t: 'pte_set', pte, val: mk_pte(50, _PAGE_PRESENT | _PAGE_USER) });
    expect(f.mmuOnly(page, false)).toBe(pte); // present and old
    expect(f.mmuOnly(page, true)).toBe(0); // read-only: a write faults
    f.observe({ t: 'pte_set', pte, val: mk_pte(50, _PAGE_PRESENT | _PAGE_USER | _PAGE_RW | _PAGE_ACCESSED) });
    expect(f.mmuOnly(page, false)).toBe(0); // a hit
    expect(f.mmuOnly(page, true)).toBe(pte); // young but clean: the write sets dirty
    f.observe({ t: 'hw_access', pte, write: 1 });
    expect(f.mmuOnly(page, true)).toBe(0);
    f.observe({ t: 'pte_mkold', pte });
    expect(f.mmuOnly(page, true)).toBe(pte);
    f.observe({ t: 'pt_free', pfn: 40 });
    expect(f.mmuOnly(page, false)).toBe(0);
    f.observe({ t: 'pt_alloc', pfn: 42, mm: 1, index: 3 }); // a new table there: its ptes start empty
    expect(f.mmuOnly(page, false)).toBe(0);
    f.observe({ t: 'pte_set', pte: pte_addr(42, 5), val: mk_pte(51, _PAGE_PRESENT | _PAGE_USER) });
    expect(f.mmuOnly(page, false)).toBe(pte_addr(42, 5));
  });
});

describe('skipping access() for hits changes nothing', () => {
  it('on the lackey fixture (reads and writes), every policy: checked agrees, and the events and state are those of off', async () => {
    for (const policy of ['clock', 'fifo', 'lru', 'opt'] as const) {
      for (const frames of [3, 16]) {
        for (const clockRefOnLoad of policy === 'clock' ? [true, false] : [true]) {
          const o = { format: 'lackey' as const, frames, policy, clockRefOnLoad, hash: true };
          await runTrace(FIXTURE, { ...o, hitFilter: 'checked' });
          const on = eventHash(),
            off = eventHash();
          const a = await runTrace(FIXTURE, { ...o, sink: on.sink });
          const b = await runTrace(FIXTURE, { ...o, hitFilter: 'off', sink: off.sink });
          expect(a).toEqual(b);
          expect(on.digest()).toBe(off.digest());
        }
      }
    }
  });

  it('under the Immer engine too (the filter follows events, not the state it reads)', async () => {
    const o = { format: 'lackey' as const, frames: 16, policy: 'clock' as const, engine: 'immer' as const, hash: true };
    const a = await runTrace(FIXTURE, { ...o, hitFilter: 'checked' });
    const b = await runTrace(FIXTURE, { ...o, hitFilter: 'off' });
    const c = await runTrace(FIXTURE, o); // 'on': the block loop and the driver's hw_access
    expect(a).toEqual(b);
    expect(c).toEqual(b);
  });

  it('on random reference strings with writes', () => {
    fc.assert(
      fc.property(
        hotAndFarRefs(120),
        fc.integer({ min: 1, max: 12 }),
        fc.constantFrom<StrictPolicyName>('clock', 'fifo', 'lru', 'opt'),
        fc.boolean(),
        (refs, frames, policy, clockRefOnLoad) => {
          const pages = refs.map(([p]) => p),
            writes = refs.map(([, w]) => w);
          const o = { frames, policy, clockRefOnLoad };
          const a = runReferenceString(pages, { ...o, hitFilter: 'checked' }, writes);
          const b = runReferenceString(pages, { ...o, hitFilter: 'off' }, writes);
          expect(a).toEqual(b);
        },
      ),
      params,
    );
  });
});
