// The locking designs by name (--locking), as src/designs/registry.ts lists the reverse maps
// and reclaim policies.

import { bklLocking } from './bkl.js';
import type { LockingDesign } from './design.js';
import { fineLocking } from './fine.js';

export const LOCKING_DESIGNS: ReadonlyMap<string, LockingDesign> = new Map([bklLocking, fineLocking].map((d) => [d.name, d]));
export const DEFAULT_LOCKING = 'bkl';

export function lockingDesign(name: string): LockingDesign {
  const d = LOCKING_DESIGNS.get(name);
  if (d === undefined) throw new Error(`locking design '${name}' is not registered`);
  return d;
}
