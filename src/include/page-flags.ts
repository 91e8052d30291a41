// struct page flags, bit numbers as in 2.1.47 include/linux/mm.h.
export const PG_locked = 1 << 0;
export const PG_error = 1 << 1;
export const PG_referenced = 1 << 2;
export const PG_uptodate = 1 << 3;
export const PG_DMA = 1 << 7;
export const PG_Slab = 1 << 8;
export const PG_swap_cache = 1 << 9;
/**
 * mmsim-only: the page's contents differ from its backing store (2.1.47 keeps this in
 * the 16-bit `dirty` field beside `age`; mmsim folds it into flags).
 */
export const PG_dirty = 1 << 16;
/** mmsim-only: the frame holds a page table, pgd or link page (kernel memory, never reclaimed). */
export const PG_pgtable = 1 << 17;
/** 2.5 rmap: page->pte holds one pte address directly instead of a pte_chain (pte_chain design only). */
export const PG_direct = 1 << 18;
/** 2.4.0 LRU lists (policy active-inactive): the list the page is on; at most one is set. */
export const PG_active = 1 << 19;
export const PG_inactive_dirty = 1 << 20;
export const PG_inactive_clean = 1 << 21;
export const PG_LRU = PG_active | PG_inactive_dirty | PG_inactive_clean;
/** mmsim-only: the frame is half of an order-1 task struct + kernel stack (alloc_task_struct; kernel memory, never reclaimed or moved). */
export const PG_task = 1 << 22;
/** Kernel memory the allocator handed out: neither user data nor page cache (count 1, no mappings). */
export const PG_kernel = PG_pgtable | PG_task;
export const PG_reserved = 1 << 30; // 2.1.47 uses bit 31; 30 keeps flags a positive small integer

export const FLAG_NAMES: ReadonlyArray<[number, string]> = [
  [PG_locked, 'locked'],
  [PG_error, 'error'],
  [PG_referenced, 'referenced'],
  [PG_uptodate, 'uptodate'],
  [PG_DMA, 'DMA'],
  [PG_Slab, 'slab'],
  [PG_swap_cache, 'swap_cache'],
  [PG_dirty, 'dirty'],
  [PG_pgtable, 'pgtable'],
  [PG_direct, 'direct'],
  [PG_active, 'active'],
  [PG_inactive_dirty, 'inactive_dirty'],
  [PG_inactive_clean, 'inactive_clean'],
  [PG_task, 'task'],
  [PG_reserved, 'reserved'],
];

export function flagNames(flags: number): string[] {
  return FLAG_NAMES.filter(([bit]) => (flags & bit) !== 0).map(([, name]) => name);
}
