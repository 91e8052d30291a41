// Swap slot allocation (mm/swapfile.c, scan_swap_map): hand out slots in clusters of
// SWAP_CLUSTER_MAX from a moving cursor, then fall back to the lowest free slot.

import type { Kernel } from '../kernel/kernel.js';
import { SWAP_CLUSTER_MAX } from '../kernel/config.js';

const slot = (k: Kernel, i: number): number => k.s.swap.map[i >> 6][i & 63];

/** The slot get_swap_page() would return, or 0 when swap is full (slot 0 is the header). */
export function get_swap_page(k: Kernel): number {
  const sw = k.s.swap;
  if (sw.used >= sw.nslots - 1) return 0;
  if (sw.clusterNr > 0 && sw.clusterNext < sw.nslots && slot(k, sw.clusterNext) === 0) return sw.clusterNext;
  for (let i = Math.max(1, sw.clusterNext); i < sw.nslots; i++) if (slot(k, i) === 0) return i;
  for (let i = 1; i < sw.nslots; i++) if (slot(k, i) === 0) return i;
  return 0;
}

export { SWAP_CLUSTER_MAX };
