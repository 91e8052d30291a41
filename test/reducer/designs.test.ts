// The reducer's design tables (src/reducer/designs.ts): the per-pair coreOnly decision that lets
// apply() skip the design handlers, and its refresh when a design loads after it was made.
import { describe, expect, it } from 'vitest';
import '../../src/designs/registry.js';
import { EVENT_CODE } from '../../src/events.js';
import { activeDesigns, loadDesign } from '../../src/reducer/designs.js';
import { apply, ReducerError } from '../../src/reducer/index.js';
import { boot } from '../../src/mm/boot.js';

describe('activeDesigns().coreOnly', () => {
  it('is true for a core event no active design handles, false for one the rmap design handles or a design owns', () => {
    const a = activeDesigns({ rmap: 'pte-chain', reclaim: 'clock' });
    expect(a.coreOnly[EVENT_CODE.put_page]).toBe(true);
    expect(a.coreOnly[EVENT_CODE.pte_link]).toBe(true);
    // pte-chain's link page comes and goes with the page table
    expect(a.coreOnly[EVENT_CODE.pt_alloc]).toBe(false);
    // old's kswapd cursor: owned, never core-only
    expect(a.coreOnly[EVENT_CODE.swap_skip]).toBe(false);
  });

  it("follows the pair: old's kswapd forgets an mm's cursor on mm_destroy", () => {
    expect(activeDesigns({ rmap: 'pte-chain', reclaim: 'clock' }).coreOnly[EVENT_CODE.mm_destroy]).toBe(true);
    expect(activeDesigns({ rmap: 'pte-chain', reclaim: 'old' }).coreOnly[EVENT_CODE.mm_destroy]).toBe(false);
  });

  it('is made again when a design loads after the pair was resolved (it may own a code)', () => {
    const pair = { rmap: 'pte-chain', reclaim: 'clock' };
    expect(activeDesigns(pair).coreOnly[EVENT_CODE.rmap_walk]).toBe(true);
    // a design (this test file's module instance only) that takes rmap_walk for itself
    loadDesign({ kind: 'reclaim', name: 'test-owner', summary: 'owns rmap_walk', owns: ['rmap_walk'] });
    expect(activeDesigns(pair).coreOnly[EVENT_CODE.rmap_walk]).toBe(false);
    const s = boot({ nframes: 64, reserved: 8, swapSlots: 64, rmap: 'pte-chain', reclaim: 'clock' });
    expect(() => apply(s, { t: 'rmap_walk', pfn: 9, vmas: 1 })).toThrow(ReducerError);
    expect(() => apply(s, { t: 'rmap_walk', pfn: 9, vmas: 1 })).toThrow(/only test-owner/);
  });
});
