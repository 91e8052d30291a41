// The timer interrupt. In 2.1.47 swap_tick runs at EVERY jiffy (HZ = 100) from a timer that
// re-arms itself (mm/vmscan.c, swap_tick / init_swap_timer), whatever the CPU is doing: user
// code, the kernel, or waiting for a disk or NFS read. It wakes kswapd when free memory is low.
//
// mmsim's kernel operations are atomic, so the interrupt is taken between them: after each
// workload step, if simulated time crossed one or more jiffy boundaries since the last tick
// (user time, fault time, I/O waits alike), swap_tick runs once. Running it once per missed
// jiffy would change nothing: each run looks at the same free-memory counts, and kswapd runs
// until free memory is back at free_pages_high. Jiffies that pass while kswapd itself runs are
// ticks that find it already awake.

import { TICK_US } from './config.js';
import type { Kernel } from './kernel.js';
import { swap_tick } from '../mm/vmscan.js';

export function timer_tick(k: Kernel): void {
  const jiffy = Math.floor((k.s.time + k.pendingUs) / TICK_US);
  if (jiffy <= k.jiffy) return;
  k.flushTime();
  swap_tick(k);
  k.jiffy = Math.floor(k.s.time / TICK_US);
}
