// `--cpus 1,2,4,8` and `--locking bkl,fine`: the SMP machine axis of `mmsim compare` and
// `mmsim sweep` (each design on each machine, labelled `clock/pte-chain 2cpu/bkl`).

import { MAX_CPUS } from '../run-config.js';
import { LOCKING_DESIGNS } from '../smp/locking/registry.js';
import { UsageError } from './usage-error.js';

/** `--cpus 1,2,4,8` */
export function parseCpuList(text: string): number[] {
  const items = text.split(',').map((t) => t.trim());
  for (const t of items)
    if (!/^\d+$/.test(t) || Number(t) < 1 || Number(t) > MAX_CPUS)
      throw new UsageError(`--cpus '${text}': '${t}' is not a number of CPUs from 1 to ${MAX_CPUS}; give e.g. 1,2,4,8`);
  if (new Set(items).size !== items.length) throw new UsageError(`--cpus '${text}' lists a number twice`);
  return items.map(Number);
}

/** `--locking bkl,fine` */
export function parseLockingList(text: string): string[] {
  const items = text.split(',').map((t) => t.trim());
  for (const t of items)
    if (!LOCKING_DESIGNS.has(t))
      throw new UsageError(`--locking '${text}': '${t}' is not a locking design; allowed: ${[...LOCKING_DESIGNS.keys()].join(', ')}`);
  if (new Set(items).size !== items.length) throw new UsageError(`--locking '${text}' lists a design twice`);
  return items;
}
