// 2.6.0's hybrid reverse map: Dave McCracken's object-based rmap for file pages, Hugh
// Dickins' 2.5 pte_chains for anonymous ones (mm/rmap.c of 2.6.0).
//
// A file-backed page (page.inode !== 0: the page cache's page->mapping) keeps no per-pte
// record at all: page_add_rmap only counts it (page->pte.mapcount), and page_referenced_obj /
// try_to_unmap_obj find its ptes by walking the file's mappings, the address_space's
// i_mmap and i_mmap_shared lists of vmas. For each vma the page's address is
// vm_start + ((page->index - vm_pgoff) << PAGE_SHIFT); a vma that does not cover the index
// is skipped, and one whose pte at that address does not map this page (a private COW copy,
// or not faulted in) is passed over. Every vma on the lists is visited, whether or not it
// maps the page: that is the design's cost, counted as VMAs visited.
//
// Anonymous pages (and swap-cache pages, which 2.6.0 also keeps as PageAnon) stay on the
// 2.5 pte_chain blocks of src/rmap/chain-blocks.ts, shared here, not copied.
//
// What mmsim simplifies or invents:
// - The file's vma list is every mm's vmas with `file === page.inode`, in mm order and then
//   address order (the kernel's lists are in insertion order; only the walk's order differs,
//   not what it finds or how many vmas it visits).
// - The i_mmap lists cost nothing extra: 2.1 already kept them (vm_next_share/vm_pprev_share,
//   for truncate), so objrmap added no bytes per vma. Its overhead is the pte_chain blocks of
//   anonymous pages only: 32 bytes each (L1_CACHE_BYTES on the i386 builds, NRPTE = 7).
// - A page that enters the page cache while linked (only --steal's try_to_flip_page_to, which
//   relinks the ptes before it moves the page-cache identity) drops its chain: from then on
//   its file finds it. 2.6.0 has no such path.
// - page_add_rmap of a file page cannot tell a duplicate (it only counts), as in 2.6.0; a
//   count that disagrees with the ptes the walk finds is the `chain-length` finding.

import { PAGE_SIZE, PGDIR_SHIFT, pte_pfn, pte_present } from '../arch/i386/page.js';
import { pte_addr, readPte } from '../arch/i386/pgtable.js';
import type { ChainReport, RmapDesign } from '../include/design.js';
import { PG_direct } from '../include/page-flags.js';
import type { Rule } from '../include/rules.js';
import type { DeepReadonly } from '../include/readonly.js';
import { getPage, type State } from '../state.js';
import { slabPages } from './arena.js';
import { arenaOf, arenaRule, emptyArena } from './arena.js';
import {
  chainBlocks,
  chainDrop,
  chainEntries,
  chainForEach,
  chainLink,
  chainUnlink,
  directRuleFor,
  NRPTE,
  PTE_CHAIN_BYTES,
  chainCollapse,
  collapseIfSingle,
} from './chain-blocks.js';

const hex = (n: number): string => '0x' + n.toString(16);

/** The page is file-backed (page->mapping is an address_space): found through its file. */
export const isFilePage = (s: DeepReadonly<State>, pfn: number): boolean => getPage(s, pfn).inode !== 0;

/** What a walk over vmas found: the ptes mapping the page, how each was found, and the vmas looked at. */
export interface VmaWalk {
  ptes: number[];
  via: string[];
  vmas: number;
}

/** The pte mapping `addr` in `mm`, or 0 when no page table covers it. */
export function pteAt(s: DeepReadonly<State>, mm: number, addr: number): number {
  const pt = s.mms[mm]?.pgdir[Math.floor(addr / (1 << PGDIR_SHIFT))];
  return pt === undefined ? 0 : pte_addr(pt, Math.floor(addr / PAGE_SIZE) & 1023);
}

/** `pte` is present and maps `pfn` (find_pte's check). */
export function mapsPage(s: DeepReadonly<State>, pte: number, pfn: number): boolean {
  if (pte === 0) return false;
  const v = readPte(s, pte);
  return pte_present(v) && pte_pfn(v) === pfn;
}

/** page_referenced_obj's walk: every vma of the page's file, the pte at the page's offset in each. */
export function fileWalk(s: DeepReadonly<State>, pfn: number): VmaWalk {
  const page = getPage(s, pfn);
  const out: VmaWalk = { ptes: [], via: [], vmas: 0 };
  for (const id in s.mms) {
    const mm = s.mms[id];
    for (const vma of mm.vmas) {
      if (vma.file !== page.inode) continue;
      out.vmas++;
      const pages = (vma.end - vma.start) / PAGE_SIZE;
      if (page.offset < vma.pgoff || page.offset >= vma.pgoff + pages) continue;
      const addr = vma.start + (page.offset - vma.pgoff) * PAGE_SIZE;
      const pte = pteAt(s, mm.id, addr);
      if (!mapsPage(s, pte, pfn)) continue;
      out.ptes.push(pte);
      out.via.push(`file vma ${hex(vma.start)} of mm ${mm.id}`);
    }
  }
  return out;
}

/** A file page has no chain and no direct pointer: its file finds it. */
export const fileNoChain: Rule = {
  name: 'objrmap-file-unchained',
  description: 'objrmap/anon_vma: a file-backed page keeps no pte_chain and no direct pte (its file mappings find it)',
  scope: 'page',
  check(v, pfn, out) {
    const p = getPage(v.s, pfn);
    if (p.inode === 0 || p.count === 0) return;
    if (p.rmap !== 0 || (p.flags & PG_direct) !== 0) {
      out.push({
        invariant: 'objrmap-file-unchained',
        page: pfn,
        message: `file page (inode ${p.inode}) has reverse-map head ${hex(p.rmap)}${(p.flags & PG_direct) !== 0 ? ' and PG_direct' : ''}`,
      });
    }
  },
};

/** page_add_rmap / page_remove_rmap for a file page: only the count. */
export function fileLink(s: State, pfn: number): boolean {
  getPage(s, pfn).mapcount++;
  return true;
}

export function fileUnlink(s: State, pfn: number): boolean {
  const page = getPage(s, pfn);
  if (page.mapcount === 0) return false; // 2.6.0 BUG()s: a count below zero
  page.mapcount--;
  return true;
}

export const objrmap: RmapDesign = {
  kind: 'rmap',
  name: 'objrmap',
  summary: "2.6.0's hybrid: file pages found through their file's vmas, anonymous pages on pte_chains",
  caps: { tracksPtes: true, ptOrder: 0 },
  initialSlice: () => ({ arena: emptyArena(1 + NRPTE), slabPages: [] }),
  slab: { objectBytes: PTE_CHAIN_BYTES, inUse: (s) => arenaOf(s).used },
  rules: [arenaRule('objrmap', chainBlocks), directRuleFor((s, pfn) => !isFilePage(s, pfn)), fileNoChain],
  owns: ['rmap_collapse'],
  handlers: {
    page_cache_add(s, e) {
      if (getPage(s, e.pfn).rmap !== 0) chainDrop(s, e.pfn);
    },
    rmap_collapse: (s, e) => chainCollapse(s, e.pfn),
  },
  // 2.6.0's page_referenced collapses an anonymous page's one-entry pte_chain too
  hooks: { referenced: (k, pfn, nptes) => (isFilePage(k.s, pfn) ? undefined : collapseIfSingle(k, pfn, nptes)) },
  head: (s, pfn) => getPage(s, pfn).rmap,
  link: (s, pte, pfn) => (isFilePage(s, pfn) ? fileLink(s, pfn) : chainLink(s, pte, pfn)),
  unlink: (s, pte, pfn) => (isFilePage(s, pfn) ? fileUnlink(s, pfn) : chainUnlink(s, pte, pfn)),
  forEach(s, pfn, fn) {
    if (!isFilePage(s, pfn)) chainForEach(s, pfn, fn);
    else for (const pte of fileWalk(s, pfn).ptes) fn(pte);
  },
  walkCost: (s, pfn) => (isFilePage(s, pfn) ? fileWalk(s, pfn).vmas : 0),
  entries(s, pfn): ChainReport {
    if (!isFilePage(s, pfn)) return chainEntries(s, pfn);
    const w = fileWalk(s, pfn);
    return { ptes: w.ptes, problem: null, via: w.via };
  },
  slotLink: () => 0,
  /** pte_chain blocks of anonymous pages; the file side reuses 2.1's i_mmap lists and costs nothing. */
  overhead: (s) => ({ bytes: slabPages(s) * PAGE_SIZE, frames: slabPages(s) }),
};
