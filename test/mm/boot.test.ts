// boot (src/mm/boot.ts): mem_init hands every frame past the kernel's reservation to the buddy
// allocator one at a time, in pfn order; the rest stays reserved. (Free-list shapes after boot:
// test/reducer/buddy.test.ts and test/mm/page_alloc.test.ts.)
import { describe, expect, it } from 'vitest';
import { ZERO_PAGE_PFN } from '../../src/arch/i386/page.js';
import { checkState } from '../../src/check/invariants.js';
import { PG_DMA, PG_reserved } from '../../src/include/page-flags.js';
import { boot } from '../../src/mm/boot.js';
import { bootState } from '../../src/reducer/boot.js';
import { stateHash } from '../../src/snapshot/hash.js';
import { getPage } from '../../src/state.js';

describe('boot', () => {
  it('frames below `reserved` (the zero page among them) stay reserved with count 1; the rest are free with count 0', () => {
    const s = boot({ nframes: 64, reserved: 8, swapSlots: 16, rmap: 'pte-chain', reclaim: 'clock' });
    for (let pfn = 0; pfn < 8; pfn++) expect(getPage(s, pfn)).toMatchObject({ count: 1, flags: PG_reserved | PG_DMA });
    expect(getPage(s, ZERO_PAGE_PFN).flags & PG_reserved).toBe(PG_reserved);
    for (let pfn = 8; pfn < 64; pfn++) expect(getPage(s, pfn).count).toBe(0);
    expect(s.nrFree).toBe(56);
    expect(s.swap).toMatchObject({ nslots: 16, used: 0, clusterNext: 1, clusterNr: 0 });
    expect([s.hand, s.time, s.nextMm]).toEqual([0, 0, 1]);
    expect(checkState(s)).toEqual([]);
  });

  it('frames above 16 MB are not DMA-capable', () => {
    const s = boot({ nframes: 4160, reserved: 8, swapSlots: 16, rmap: 'pte-chain', reclaim: 'clock' });
    expect(getPage(s, 4095).flags & PG_DMA).toBe(PG_DMA);
    expect(getPage(s, 4096).flags & PG_DMA).toBe(0);
  });

  it('each design gets its own slice, and only the active ones: clock keeps none, old keeps its cursors', () => {
    const clock = boot({ nframes: 64, reserved: 8, swapSlots: 16, rmap: 'pte-chain', reclaim: 'clock' });
    expect(clock.slices.reclaim).toBeUndefined();
    expect(clock.slices.rmap).toBeDefined();
    const old = boot({ nframes: 64, reserved: 8, swapSlots: 16, rmap: 'none', reclaim: 'old' });
    expect(old.slices.reclaim).toEqual({ skipFactor: 0, state: 0, cursors: {} });
  });

  it('widening the µs clocks to doubles (a V8 representation, against a deoptimisation past 2^31) leaves every value and the hash as bootState made them', () => {
    const cfg = { nframes: 64, reserved: 8, swapSlots: 16, rmap: 'pte-chain', reclaim: 'clock' };
    const s = boot(cfg),
      plain = bootState(cfg);
    expect([s.time, s.io.disk, s.io.nfs, s.stats.ioWaitUs]).toEqual([plain.time, plain.io.disk, plain.io.nfs, plain.stats.ioWaitUs]);
    expect(Object.is(s.time, 0)).toBe(true); // not -0, not 0.5
    expect(stateHash(s)).toBe(stateHash(plain));
  });
});
