// The TLBs of an SMP machine (--cpus N > 1): which pte translations each CPU may still use,
// changed only by events, so that a missing shootdown is a broken rule the log shows. The
// least model that makes flush_tlb_page's IPI matter:
//
// - a CPU caches a pte it walked (hw_access: the MMU set its accessed/dirty bits) or that its
//   own fault just made present (it retries the access through it);
// - the CPU that changes a pte drops its own entry in the same step (the local flush of
//   flush_tlb_page, never missed here);
// - a change that takes a translation away (present to not present, another page, or the
//   write bit removed) while other CPUs hold it owes a `tlb_shootdown` of that pte, which
//   must be the very next event: 2.1's set_pte is followed at once by flush_tlb_page, before
//   the page can be freed or reused. Any other event first breaks `smp-stale-tlb`;
// - freeing a page table drops its ptes from every TLB (nothing can walk it any more).
//
// Simplified: a TLB is unbounded and tagged by pte, so it keeps entries a real i386 loses on
// every CR3 load (switch_mm) or by capacity: the model owes more shootdowns than hardware
// needs, never fewer.

import { pte_pfn, pte_present, pte_write } from '../arch/i386/page.js';
import { pte_table_pfn } from '../arch/i386/pgtable.js';
import { OP } from '../events.js';
import type { SmpState } from '../state.js';

/** The TLBs, created on first use (a snapshot from before the TLB was modelled has none). */
export function tlbOf(smp: SmpState): Record<number, 1>[] {
  if (smp.tlb === undefined) smp.tlb = Array.from({ length: smp.ncpus }, () => ({}));
  return smp.tlb;
}

/** Does changing a pte from `old` to `val` take a translation away (so a cached copy would be wrong)? */
export function takesAway(old: number, val: number): boolean {
  if (!pte_present(old)) return false;
  return !pte_present(val) || pte_pfn(val) !== pte_pfn(old) || (pte_write(old) && !pte_write(val));
}

/** The other CPUs that hold `pte`'s translation, ascending. */
export function holders(smp: SmpState, pte: number): number[] {
  const tlb = tlbOf(smp);
  const out: number[] = [];
  for (let c = 0; c < smp.ncpus; c++) if (c !== smp.cur && tlb[c][pte] !== undefined) out.push(c);
  return out;
}

/** Before each event: a shootdown owed must come next. Returns the CPU left with a stale entry, or -1. */
export function owedBefore(smp: SmpState, isShootdown: boolean): number {
  const owed = smp.tlbOwed ?? 0;
  if (owed === 0 || isShootdown) return -1;
  smp.tlbOwed = 0;
  return holders(smp, owed)[0] ?? -1;
}

/** pte_set / pte_clear by the current CPU (`old` is the value before). */
export function tlbPteChange(smp: SmpState, pte: number, old: number, val: number): void {
  const tlb = tlbOf(smp);
  delete tlb[smp.cur][pte];
  if (takesAway(old, val) && holders(smp, pte).length > 0) smp.tlbOwed = pte;
  if (pte_present(val) && smp.opKind[smp.cur] === OP.fault) tlb[smp.cur][pte] = 1;
}

/** hw_access: the current CPU walked `pte` into its TLB. */
export function tlbFill(smp: SmpState, pte: number): void {
  tlbOf(smp)[smp.cur][pte] = 1;
}

/** tlb_shootdown: every other CPU drops `pte`. */
export function tlbShootdown(smp: SmpState, pte: number): void {
  const tlb = tlbOf(smp);
  for (let c = 0; c < smp.ncpus; c++) if (c !== smp.cur) delete tlb[c][pte];
  if (smp.tlbOwed === pte) smp.tlbOwed = 0;
}

/** pt_free: no CPU can use the table's ptes any more. */
export function tlbTableFreed(smp: SmpState, ptPfn: number): void {
  if (smp.tlb === undefined) return;
  for (const t of smp.tlb) {
    for (const k of Object.keys(t)) {
      const pte = Number(k);
      if (pte_table_pfn(pte) === ptPfn) delete t[pte];
    }
  }
}
