// The reverse-mapping bugs the kernel can be told to commit, each named after the
// mistake, with the kernel path that commits it (see `record --inject`).

export const BUG_CLASSES = {
  'fault-no-link': 'a fault sets a pte without linking it (mm/memory.c: map_new_page)',
  'munmap-no-unlink': 'munmap clears a pte without unlinking it (mm/memory.c: zap_page_range from munmap/brk)',
  'exit-no-unlink': 'exit clears a pte without unlinking it (mm/memory.c: zap_page_range from exit/exec)',
  'cow-no-unlink': 'a copy-on-write fault repoints a pte without unlinking it from the old page (mm/memory.c: do_wp_page)',
  'swapout-no-unlink': 'swap-out replaces a pte without unlinking it (mm/vmscan.c: unmap_and_free)',
  'link-wrong-page': "a fault links a pte onto another page's chain (mm/memory.c: map_new_page)",
  'double-link': 'a fault links the same pte twice (mm/memory.c: map_new_page)',
  'pt-free-live': 'exit frees a page table while its ptes are still linked (mm/mmap.c: exit_mmap)',
  'count-leak': 'a page reference is never dropped when a pte is zapped (mm/memory.c: zap_page_range)',
} as const;

/**
 * Locking mistakes, for --cpus 2+ (src/smp/locking/fine.ts commits the first three, with
 * --locking fine; src/kernel/kernel.ts the missing shootdown, under either design).
 * They break the SMP invariants (docs/architecture.md, SMP) when another CPU holds the lock
 * the mistake skips, so whether a run shows one depends on its schedule.
 */
export const SMP_BUG_CLASSES = {
  'fault-no-page-lock': "a fault links its pte onto a page's chain without taking the page's lock (PG_locked)",
  'kswapd-no-trylock': "kswapd edits a page's chain and ptes although another CPU holds the page or the mm's page_table_lock",
  'lock-order': 'a fault takes the page lock before its page_table_lock (the order is page_table_lock, then page)',
  'no-tlb-shootdown': "a pte change that takes a translation away skips flush_tlb_page's IPI to the other CPUs holding it",
} as const;

export type RmapBugClass = keyof typeof BUG_CLASSES;
export type SmpBugClass = keyof typeof SMP_BUG_CLASSES;
export type BugClass = RmapBugClass | SmpBugClass;
/** The reverse-map bug classes (every one can fire in a 1-CPU run). */
export const BUG_NAMES = Object.keys(BUG_CLASSES) as RmapBugClass[];
export const SMP_BUG_NAMES = Object.keys(SMP_BUG_CLASSES) as SmpBugClass[];
export const ALL_BUG_CLASSES: Readonly<Record<BugClass, string>> = { ...BUG_CLASSES, ...SMP_BUG_CLASSES };
export const isSmpBug = (b: BugClass): b is SmpBugClass => b in SMP_BUG_CLASSES;
/** A mistake of --locking fine's locks (the TLB shootdown is made under every locking design). */
export const needsFineLocking = (b: BugClass): boolean => isSmpBug(b) && b !== 'no-tlb-shootdown';
