// Policy clock: LaHaise's page-centric kswapd, a single clock hand over mem_map that looks
// at each page once through its reverse map (kernel code: src/mm/vmscan.ts). Its hand is the
// machine's mem_map clock (State.hand, shrink_mmap's in 2.1.47), so it keeps no slice.

import type { ReclaimPolicy } from '../include/design.js';
import { clock_try_to_free_page } from '../mm/vmscan.js';

export const clockPolicy: ReclaimPolicy = {
  kind: 'reclaim',
  name: 'clock',
  summary: "the seed's page-centric single-handed clock over mem_map, through the reverse map",
  // the seed keeps one referenced bit per page, as shrink_mmap did: no ages
  caps: { needsRmap: true, lapsMemMap: true, age: 'none', trylocks: true },
  tryToFreePage: clock_try_to_free_page,
};
