// i386 paging constants and pte words, as in include/asm-i386/page.h and pgtable.h (2.1.47).

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
export const PAGE_OFFSET = 0xc0000000;
export const PGDIR_SHIFT = 22;
export const PTRS_PER_PTE = 1024;
export const PTRS_PER_PGD = 1024;
/** User space ends where the kernel's direct mapping begins. */
export const USER_PTRS_PER_PGD = PAGE_OFFSET / (1 << PGDIR_SHIFT);

// pte bits (asm-i386/pgtable.h)
export const _PAGE_PRESENT = 0x001;
export const _PAGE_RW = 0x002;
export const _PAGE_USER = 0x004;
export const _PAGE_ACCESSED = 0x020;
export const _PAGE_DIRTY = 0x040;

export const pte_present = (v: number): boolean => (v & _PAGE_PRESENT) !== 0;
export const pte_none = (v: number): boolean => v === 0;
export const pte_young = (v: number): boolean => (v & _PAGE_ACCESSED) !== 0;
export const pte_dirty = (v: number): boolean => (v & _PAGE_DIRTY) !== 0;
export const pte_write = (v: number): boolean => (v & _PAGE_RW) !== 0;
/** Page frame number a present pte maps. */
export const pte_pfn = (v: number): number => v >>> PAGE_SHIFT;
export const mk_pte = (pfn: number, flags: number): number => ((pfn << PAGE_SHIFT) | flags) >>> 0;
export const pte_mkold = (v: number): number => (v & ~_PAGE_ACCESSED) >>> 0;
export const pte_wrprotect = (v: number): number => (v & ~_PAGE_RW) >>> 0;

// Swap entries in non-present ptes: SWP_ENTRY(type, offset) = (type << 1) | (offset << 8).
// mmsim has one swap device (type 0), so an entry is its offset.
export const SWP_ENTRY = (offset: number): number => (offset << 8) >>> 0;
export const SWP_OFFSET = (v: number): number => v >>> 8;
/** A non-present, non-none pte holds a swap entry. */
export const pte_is_swap = (v: number): boolean => v !== 0 && !pte_present(v);

export const vaddr_pgd_index = (addr: number): number => Math.floor(addr / (1 << PGDIR_SHIFT));
export const vaddr_pte_index = (addr: number): number => Math.floor(addr / PAGE_SIZE) % PTRS_PER_PTE;

/** empty_zero_page: a reserved frame inside the kernel image that read faults on anonymous memory map. */
export const ZERO_PAGE_PFN = 1;
