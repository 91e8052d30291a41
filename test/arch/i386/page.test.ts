// i386 pte words (src/arch/i386/page.ts, 2.1.47 include/asm-i386/page.h and pgtable.h).
import { describe, expect, it } from 'vitest';
import {
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  _PAGE_PRESENT,
  _PAGE_RW,
  _PAGE_USER,
  SWP_ENTRY,
  SWP_OFFSET,
  USER_PTRS_PER_PGD,
  mk_pte,
  pte_dirty,
  pte_is_swap,
  pte_mkold,
  pte_none,
  pte_pfn,
  pte_present,
  pte_write,
  pte_wrprotect,
  pte_young,
  vaddr_pgd_index,
  vaddr_pte_index,
} from '../../../src/arch/i386/page.js';

describe('pte words', () => {
  it('the i386 bits: present 0x1, rw 0x2, user 0x4, accessed 0x20, dirty 0x40', () => {
    expect([_PAGE_PRESENT, _PAGE_RW, _PAGE_USER, _PAGE_ACCESSED, _PAGE_DIRTY]).toEqual([0x1, 0x2, 0x4, 0x20, 0x40]);
  });
  it('mk_pte puts the pfn above bit 12, as an unsigned 32-bit word even for the top frames', () => {
    const v = mk_pte(0xfffff, _PAGE_PRESENT | _PAGE_RW | _PAGE_DIRTY);
    expect(v).toBe(0xfffff043);
    expect(pte_pfn(v)).toBe(0xfffff);
    expect([pte_present(v), pte_write(v), pte_dirty(v), pte_young(v)]).toEqual([true, true, true, false]);
  });
  it('pte_mkold and pte_wrprotect clear one bit each and keep the word unsigned', () => {
    const v = mk_pte(0x80000, _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED);
    expect(pte_mkold(v)).toBe(mk_pte(0x80000, _PAGE_PRESENT | _PAGE_RW));
    expect(pte_wrprotect(v)).toBe(mk_pte(0x80000, _PAGE_PRESENT | _PAGE_ACCESSED));
    expect(pte_wrprotect(v)).toBeGreaterThan(0);
  });
});

describe('swap entries in non-present ptes (SWP_ENTRY(type 0, offset) = offset << 8)', () => {
  it('round-trip, not present, not none', () => {
    const v = SWP_ENTRY(123);
    expect(v).toBe(123 << 8);
    expect(SWP_OFFSET(v)).toBe(123);
    expect([pte_present(v), pte_is_swap(v), pte_none(v)]).toEqual([false, true, false]);
    expect(pte_is_swap(0)).toBe(false);
    expect(pte_is_swap(mk_pte(5, _PAGE_PRESENT))).toBe(false);
  });
});

describe('virtual addresses', () => {
  it('pgd index is addr >> 22, pte index the next 10 bits; user space ends at PAGE_OFFSET (768 pgd entries)', () => {
    expect(vaddr_pgd_index(0x08100000)).toBe(32);
    expect(vaddr_pte_index(0x08105000)).toBe(0x105);
    expect(USER_PTRS_PER_PGD).toBe(768);
  });
});
