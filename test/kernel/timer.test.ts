// swap_tick runs at every jiffy of simulated time, whatever the CPU is doing (2.1.47
// mm/vmscan.c: swap_tick re-arms its timer each jiffy; kernel-2.1-facts: "swap_tick runs EVERY
// jiffy ... whatever the CPU is doing (user, system, waiting for I/O)"). Before, it ran only
// when user CPU time crossed a jiffy, so I/O-bound runs barely woke kswapd.
import { describe, expect, it } from 'vitest';
import { TICK_US } from '../../src/kernel/config.js';
import { timer_tick } from '../../src/kernel/sched.js';
import { simulation } from '../helpers.js';

describe('timer_tick (swap_tick every jiffy)', () => {
  it('x486: kswapd does most of the scanning, direct reclaim a minority', () => {
    const s = simulation('x486', '1').run(300000);
    expect(s.stats.kswapdRuns).toBeGreaterThan(0);
    expect(s.stats.directScanned).toBeLessThan(s.stats.scanned / 2);
  });

  it('tiny: kswapd runs', () => {
    const s = simulation('tiny', '1').run(50000);
    expect(s.stats.kswapdRuns).toBeGreaterThan(0);
  });

  it('a jiffy that passed in kernel time (a fault waiting for I/O) ticks; none passed, no tick', () => {
    const sim = simulation('tiny', '1');
    sim.run(2000);
    const k = sim.kernel;
    const seen: string[] = [];
    sim.machine.sink = (e) => seen.push(e.t);
    // no time passed since the last tick: nothing happens
    k.jiffy = Math.floor(k.s.time / TICK_US);
    timer_tick(k);
    expect(seen).toEqual([]);
    // a disk read's worth of kernel time (no user time pending) crosses a jiffy: swap_tick runs
    k.jiffy -= 1;
    timer_tick(k);
    expect(k.jiffy).toBe(Math.floor(k.s.time / TICK_US));
  });
});
