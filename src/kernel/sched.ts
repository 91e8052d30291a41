// The timer interrupt: at each jiffy (HZ = 100) boundary, account user time and run
// swap_tick, which may wake kswapd.

import type { Kernel } from './kernel.js';
import { TICK_US } from './config.js';
import { swap_tick } from '../mm/vmscan.js';

export function timer_tick(k: Kernel): void {
  const now = k.s.time;
  if (Math.floor((now + k.pendingUs) / TICK_US) > Math.floor(now / TICK_US)) {
    k.flushTime();
    swap_tick(k);
  }
}
