// Boot: the state the first event applies to. The state itself is built on the reducer side
// (src/reducer/boot.ts: the reserved mem_map, then free_all_bootmem); this file only makes
// sure every design is loaded, since boot is where a run's designs are first asked for their
// state slices, and hands the configuration over.

import { bootState, type BootConfig } from '../reducer/boot.js';
// boot is where a run's designs are first asked for their slices: load them all
import '../designs/registry.js';
import type { State } from '../state.js';

export type { BootConfig };

export function boot(cfg: BootConfig): State {
  const s = bootState(cfg);
  widenClocks(s);
  return s;
}

/**
 * The clocks in µs (simulated time, the disk's busy-until time, the time slept on I/O) pass
 * 2^31 after 36 minutes of simulated time, which a fault-heavy trace reaches (18 ms of disk
 * per fault). V8 keeps a number field as a small integer until a larger value is stored;
 * that store then changes the hidden class of the object holding it, and every piece of
 * optimised code that read that object is thrown away and compiled again (measured: 66
 * recompilations and 0.28 s of compiler CPU in the 1M-reference Zipf trace). Storing a
 * non-integer once, before the first event, and then the value back makes the fields
 * floating point from the start; the values, the events and the hash are unchanged.
 */
function widenClocks(s: State): void {
  const { time } = s,
    { disk, nfs } = s.io,
    { ioWaitUs } = s.stats;
  s.time = 0.5;
  s.time = time;
  s.io.disk = 0.5;
  s.io.disk = disk;
  s.io.nfs = 0.5;
  s.io.nfs = nfs;
  s.stats.ioWaitUs = 0.5;
  s.stats.ioWaitUs = ioWaitUs;
}
