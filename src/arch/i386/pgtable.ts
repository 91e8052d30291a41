// Page-table addressing and LaHaise's reverse-navigation primitives (asm-i386/pgtable.h
// in the 1997 patch). A pte is named by its physical address: the page table's pfn * 4096
// plus slot * 4. Its link lives at the same offset in the second page of the order-1 block.

import { PAGE_SHIFT, PAGE_SIZE } from './page.js';
import { getPage, type PageTable, type State } from '../../state.js';
import { PG_pgtable } from '../../include/page-flags.js';
import type { DeepReadonly } from '../../include/readonly.js';

export const pte_addr = (ptPfn: number, slot: number): number => ptPfn * PAGE_SIZE + slot * 4;
export const pte_slot = (pte: number): number => (pte & (PAGE_SIZE - 1)) >> 2;
export const pte_table_pfn = (pte: number): number => Math.floor(pte / PAGE_SIZE);
/** Address of the link word of `pte`: same offset, next page of the order-1 block. */
export const pte_link_addr = (pte: number): number => pte + PAGE_SIZE;

export function ptOf(s: DeepReadonly<State>, pte: number): DeepReadonly<PageTable> | undefined {
  return s.pts[pte_table_pfn(pte)];
}

/** The pte word at address `pte` (0 when no page table is there: only after an injected pt-free-live). */
export function readPte(s: DeepReadonly<State>, pte: number): number {
  const pt = s.pts[pte_table_pfn(pte)];
  if (pt === undefined) return 0;
  const slot = pte_slot(pte);
  return pt.pte[slot >> 6][slot & 63];
}

/** pte_getpmd(): the pgd entry (pmd folded) that points at the page table holding `pte`. */
export function pte_getpmd(s: DeepReadonly<State>, pte: number): number {
  const pt = ptOf(s, pte);
  if (pt === undefined) return 0;
  const mm = s.mms[pt.mm];
  if (mm === undefined) return 0;
  return mm.pgd * PAGE_SIZE + pt.index * 4;
}

/** pmd_getpgd(): the page directory a pmd entry lives in. */
export const pmd_getpgd = (pmd: number): number => pmd - (pmd & (PAGE_SIZE - 1));

/**
 * pgd_getmm(): the mm that owns a page directory, or -1. Like the 1997 patch, the owner is
 * kept in the pgd frame's struct page (mmsim uses its `offset` field, unused for kernel pages).
 */
export function pgd_getmm(s: DeepReadonly<State>, pgd: number): number {
  const pfn = pgd >>> PAGE_SHIFT;
  if (pfn >= s.nframes) return -1;
  const page = getPage(s, pfn);
  if ((page.flags & PG_pgtable) === 0) return -1;
  const mm = s.mms[page.offset];
  return mm !== undefined && mm.pgd === pfn ? mm.id : -1;
}

/** Virtual address a pte slot maps in its mm. */
export function pte_vaddr(s: DeepReadonly<State>, pte: number): number {
  const pt = ptOf(s, pte);
  if (pt === undefined) return -1;
  return pt.index * (1 << 22) + pte_slot(pte) * PAGE_SIZE;
}
