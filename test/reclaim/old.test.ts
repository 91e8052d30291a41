// The old kswapd's state slice (src/reclaim/old.ts): mm/vmscan.c's statics (skip_factor, the
// do_try_to_free_page state) and each task's swap_address / swap_cnt, changed by its own events.
import { describe, expect, it } from 'vitest';
import { boot } from '../../src/mm/boot.js';
import { oldSlice } from '../../src/mm/swap_out.js';
import { apply } from '../../src/reducer/index.js';

const fresh = () => {
  const s = boot({ nframes: 64, reserved: 8, swapSlots: 16, rmap: 'none', reclaim: 'old' });
  apply(s, { t: 'page_alloc', pfn: 63, order: 0, from: 5 });
  apply(s, { t: 'mm_create', mm: 1, pgd: 63, parent: -1 });
  return s;
};

describe('old kswapd events', () => {
  it('swap_skip and free_state set the statics', () => {
    const s = fresh();
    apply(s, { t: 'swap_skip', skip: 3 });
    apply(s, { t: 'free_state', state: 4 });
    expect(oldSlice(s)).toMatchObject({ skipFactor: 3, state: 4 });
  });
  it('swap_cnt and swap_address set the task cursor; swap_scan moves swap_address past the pte and counts it', () => {
    const s = fresh();
    apply(s, { t: 'swap_cnt', mm: 1, cnt: 4 });
    apply(s, { t: 'swap_address', mm: 1, addr: 0x1000 });
    expect(oldSlice(s).cursors[1]).toEqual({ addr: 0x1000, cnt: 4 });
    apply(s, { t: 'swap_scan', mm: 1, addr: 0x5000, pfn: 20, slots: 3 });
    expect(oldSlice(s).cursors[1]).toEqual({ addr: 0x6000, cnt: 4 });
    expect([s.stats.ptesVisited, s.stats.pteSlots]).toEqual([1, 3]);
  });
  it('the cursor goes with its task (mm_destroy); a cursor for an unknown task is an error', () => {
    const s = fresh();
    apply(s, { t: 'swap_cnt', mm: 1, cnt: 4 });
    apply(s, { t: 'mm_destroy', mm: 1 });
    expect(oldSlice(s).cursors).toEqual({});
    expect(() => apply(s, { t: 'swap_cnt', mm: 1, cnt: 1 })).toThrow(/unknown mm 1/);
  });
  it('its events are refused under another reclaim policy', () => {
    const s = boot({ nframes: 64, reserved: 8, swapSlots: 16, rmap: 'pte-chain', reclaim: 'clock' });
    expect(() => apply(s, { t: 'swap_skip', skip: 1 })).toThrow(/do not emit it/);
  });
});
