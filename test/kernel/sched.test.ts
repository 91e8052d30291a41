// timer_tick (src/kernel/sched.ts): swap_tick runs at each jiffy boundary the user time crosses.
import { describe, expect, it } from 'vitest';
import { TICK_US } from '../../src/kernel/config.js';
import { timer_tick } from '../../src/kernel/sched.js';
import type { Event } from '../../src/events.js';
import { __get_free_pages, GFP_ATOMIC } from '../../src/mm/page_alloc.js';
import { bareKernel } from '../helpers.js';

describe('timer_tick', () => {
  it('within a jiffy nothing happens; crossing a boundary accounts the user time and runs swap_tick (kswapd below free_pages_low)', () => {
    const { k, events } = bareKernel('pte-chain');
    while (k.s.nrFree > 5) __get_free_pages(k, 0, GFP_ATOMIC); // below low (6): swap_tick will wake kswapd
    events.length = 0;
    k.pendingUs = TICK_US - 1;
    timer_tick(k);
    expect(events).toEqual([]);
    k.pendingUs += 1;
    timer_tick(k);
    // user time is its own event (user_time), never a tick of whatever operation ran last
    expect(events[0]).toEqual({ t: 'user_time', us: TICK_US });
    expect(events.filter((e: Event) => e.t === 'op')).toHaveLength(1); // kswapd: nothing reclaimable, one try
    expect(k.pendingUs).toBe(0);
  });
});
