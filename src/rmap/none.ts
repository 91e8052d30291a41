// The old kernel (2.1.47): no reverse map at all. pte_link/pte_unlink still appear in the
// log (the kernel paths are shared) but record nothing, so a page's mapcount stays 0 and
// nothing can find a page's ptes. Only the old kswapd, which walks page tables, runs on it.

import type { RmapDesign } from '../include/design.js';

export const noRmap: RmapDesign = {
  kind: 'rmap',
  name: 'none',
  summary: 'no reverse map (2.1.47): only a policy that walks page tables can run',
  caps: { tracksPtes: false, ptOrder: 0 },
  head: () => 0,
  link: () => true,
  unlink: () => true,
  forEach: () => {},
  entries: () => ({ ptes: [], problem: null }),
  slotLink: () => 0,
  overhead: () => ({ bytes: 0, frames: 0 }),
};
