import { clockPolicy } from '../mm/vmscan.js';
import { oldPolicy } from '../mm/vmscan-old.js';
import { activeInactivePolicy } from '../mm/vmscan-lru.js';
import type { ReclaimPolicy } from './policy.js';

export type { ReclaimPolicy } from './policy.js';

/** Reclaim policies by the name `--reclaim` takes. */
export const RECLAIM_POLICIES: Record<string, ReclaimPolicy> = {
  clock: clockPolicy,
  old: oldPolicy,
  'active-inactive': activeInactivePolicy,
};

export function reclaimPolicy(name: string): ReclaimPolicy {
  const p = RECLAIM_POLICIES[name];
  if (p === undefined) {
    throw new Error(`unknown reclaim policy '${name}': allowed values are ${Object.keys(RECLAIM_POLICIES).join(', ')}`);
  }
  return p;
}
