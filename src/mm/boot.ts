// Boot: the state the first event applies to. The state itself is built on the reducer side
// (src/reducer/boot.ts: the reserved mem_map, then free_all_bootmem); this file only makes
// sure every design is loaded, since boot is where a run's designs are first asked for their
// state slices, and hands the configuration over. It writes no state.

import { bootState, type BootConfig } from '../reducer/boot.js';
// boot is where a run's designs are first asked for their slices: load them all
import '../designs/registry.js';
import type { State } from '../state.js';

export type { BootConfig };

export function boot(cfg: BootConfig): State {
  return bootState(cfg);
}
