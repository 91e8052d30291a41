import { describe, expect, it } from 'vitest';
import { boot } from '../../src/mm/boot.js';
import { apply } from '../../src/reducer/index.js';
import { checkState } from '../../src/check/invariants.js';

const fresh = () => boot({ nframes: 256, reserved: 16, swapSlots: 64, rmap: 'pte-chain', reclaim: 'clock' });

describe('buddy allocator state', () => {
  it('boots with every unreserved frame free, merged into the largest aligned blocks', () => {
    const s = fresh();
    expect(s.nrFree).toBe(240);
    // 16..255: order-4 block at 16, order-5 blocks at 32, 64, ... 224
    expect(s.freeArea[5].nr).toBe(7);
    expect(s.freeArea[4].nr).toBe(1);
    expect(checkState(s)).toEqual([]);
  });

  it('splits on alloc (keeping the top part, as EXPAND does) and merges back on free', () => {
    const s = fresh();
    const head = s.freeArea[5].head;
    const pfn = head + 32 - 1; // top page of the order-5 block
    apply(s, { t: 'page_alloc', pfn, order: 0, from: 5 });
    expect(s.nrFree).toBe(239);
    for (let k = 0; k < 5; k++) expect(s.freeArea[k].nr).toBe(k === 4 ? 2 : 1);
    apply(s, { t: 'put_page', pfn });
    apply(s, { t: 'page_free', pfn, order: 0, reclaim: 0 });
    expect(s.nrFree).toBe(240);
    expect(s.freeArea[5].nr).toBe(7);
    expect(checkState(s)).toEqual([]);
  });
});
