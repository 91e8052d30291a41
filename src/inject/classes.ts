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

export type BugClass = keyof typeof BUG_CLASSES;
export const BUG_NAMES = Object.keys(BUG_CLASSES) as BugClass[];
