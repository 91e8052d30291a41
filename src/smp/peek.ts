// What a fault will need, read from the state before the atomic step that does it (no
// events): the page whose chain it will edit, whether it reads from disk or NFS first, and
// whether it touches the page cache or swap map. The locking designs take locks from this;
// the atomic step re-reads everything, so a stale answer costs a lock, never correctness.

import { SWP_OFFSET, pte_is_swap, pte_pfn, pte_present, pte_write } from '../arch/i386/page.js';
import { lookup_swap_cache } from '../mm/swap_state.js';
import { PG_reserved } from '../include/page-flags.js';
import type { DeepReadonly } from '../include/readonly.js';
import type { Kernel } from '../kernel/kernel.js';
import { find_page } from '../mm/filemap.js';
import { find_vma, pte_offset, read_pte } from '../mm/memory.js';
import { getPage, type Mm, VmaKind } from '../state.js';

export interface FaultPlan {
  /** The existing page whose chain the fault edits (copy-on-write source, page-cache page), or -1. */
  page: number;
  /** The read the fault waits for (µs): swap-in, or a file page not in the page cache; 0 for none. */
  readUs: number;
  /** Where it reads from: the disk (swap, local files) or the network (NFS). */
  device: Device;
  /** It adds to or takes from the page cache or swap map. */
  pagemap: boolean;
}

export type Device = 'disk' | 'nfs';

const NONE: FaultPlan = { page: -1, readUs: 0, device: 'disk', pagemap: false };

export function planFault(k: Kernel, mmId: number, addr: number, write: boolean): FaultPlan {
  const mm = k.s.mms[mmId];
  if (mm === undefined) return NONE;
  const vma = find_vma(mm, addr);
  if (vma === undefined) return NONE;
  const pte = pte_offset(k, mm, addr);
  const v = pte === 0 ? 0 : read_pte(k, pte);
  if (v === 0) {
    if (vma.kind === VmaKind.Anon) return NONE;
    const offset = vma.pgoff + Math.floor((addr - vma.start) / 4096);
    const pfn = find_page(k, vma.file, offset);
    if (pfn >= 0) return { page: pfn, readUs: 0, device: 'disk', pagemap: false };
    const lat = k.cfg.latencies;
    const nfs = k.files.get(vma.file)?.backing === 'nfs';
    return { page: -1, readUs: nfs ? lat.nfsReadUs : lat.diskReadUs, device: nfs ? 'nfs' : 'disk', pagemap: true };
  }
  if (pte_is_swap(v)) {
    // --swap-cache 2.1.88: a page still in the swap cache is mapped without a read
    const cached = lookup_swap_cache(k, SWP_OFFSET(v));
    if (cached >= 0) return { page: cached, readUs: 0, device: 'disk', pagemap: true };
    return { page: -1, readUs: k.cfg.latencies.diskReadUs, device: 'disk', pagemap: true };
  }
  if (pte_present(v) && write && !pte_write(v)) {
    const pfn = pte_pfn(v);
    if ((getPage(k.s, pfn).flags & PG_reserved) !== 0) return NONE;
    return { page: pfn, readUs: 0, device: 'disk', pagemap: true };
  }
  return NONE;
}

/** The user pages `mm` maps, ascending (the page locks fork/exit/munmap take, in lock order). */
export function mappedPages(k: Kernel, mm: DeepReadonly<Mm>): number[] {
  const out = new Set<number>();
  for (const ptPfn of Object.values(mm.pgdir)) {
    const pt = k.s.pts[ptPfn];
    if (pt === undefined) continue;
    for (const chunk of pt.pte) {
      for (const v of chunk) {
        if (!pte_present(v)) continue;
        const pfn = pte_pfn(v);
        if ((getPage(k.s, pfn).flags & PG_reserved) === 0) out.add(pfn);
      }
    }
  }
  return [...out].sort((a, b) => a - b);
}
