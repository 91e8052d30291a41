// Swap slot allocation (2.1.47 mm/swapfile.c, scan_swap_map): while a cluster lasts, slots
// are handed out moving forward from cluster_next; when it is used up (or runs off the end)
// the first free slot from the bottom starts a new cluster of SWAP_CLUSTER_MAX.
//
// 2.1.47 keeps lowest_bit/highest_bit so the scans skip the used ends of the map; every slot
// below lowest_bit and above highest_bit is in use, so scanning from 1 to the end (as here)
// finds the same slot. swap_lockmap (slots under I/O) is not modelled: writes are instant.
// get_swap_page only picks the slot; the swap_out event that takes it updates cluster_next
// and cluster_nr (src/reducer/index.ts, swapClusterTake).

import type { Kernel } from '../kernel/kernel.js';
import { SWAP_CLUSTER_MAX } from '../kernel/config.js';

const slot = (k: Kernel, i: number): number => k.s.swap.map[i >> 6][i & 63];

/** The slot get_swap_page() would return, or 0 when swap is full (slot 0 is the header). */
export function get_swap_page(k: Kernel): number {
  const sw = k.s.swap;
  if (sw.used >= sw.nslots - 1) return 0;
  // the cluster: onward from cluster_next
  if (sw.clusterNr > 0) for (let i = Math.max(1, sw.clusterNext); i < sw.nslots; i++) if (slot(k, i) === 0) return i;
  // first free from the bottom (lowest_bit), starting a new cluster
  for (let i = 1; i < sw.nslots; i++) if (slot(k, i) === 0) return i;
  return 0;
}

export { SWAP_CLUSTER_MAX };
