// Page-table addressing and LaHaise's reverse-navigation primitives (src/arch/i386/pgtable.ts,
// the 1997 patch's asm-i386/pgtable.h): from a pte back to its pmd, pgd and mm, and its address.
import { describe, expect, it } from 'vitest';
import { PAGE_SIZE } from '../../../src/arch/i386/page.js';
import {
  pgd_getmm,
  pmd_getpgd,
  pte_addr,
  pte_getpmd,
  pte_link_addr,
  pte_slot,
  pte_table_pfn,
  pte_vaddr,
} from '../../../src/arch/i386/pgtable.js';
import { do_execve } from '../../../src/fs/exec.js';
import { access, pte_offset } from '../../../src/mm/memory.js';
import { anonVma, bareKernel } from '../../helpers.js';

const HEAP = 0x08100000 + 5 * PAGE_SIZE;

describe('pte addresses', () => {
  it('pte_addr = table pfn * 4096 + slot * 4; pte_slot and pte_table_pfn take it apart; the link is one page on', () => {
    const pte = pte_addr(20, 1023);
    expect(pte).toBe(20 * 4096 + 4092);
    expect(pte_slot(pte)).toBe(1023);
    expect(pte_table_pfn(pte)).toBe(20);
    expect(pte_link_addr(pte)).toBe(21 * 4096 + 4092);
  });
});

describe('reverse navigation (pte_getpmd -> pmd_getpgd -> pgd_getmm)', () => {
  it('a pte leads back to its mm and to the virtual address it maps', () => {
    const { k } = bareKernel('pte-chain');
    const a = do_execve(k, -1, [anonVma(HEAP, 1)]);
    const b = do_execve(k, -1, [anonVma(HEAP, 1)]);
    access(k, a, HEAP, true);
    access(k, b, HEAP, true);
    for (const mm of [a, b]) {
      const pte = pte_offset(k, k.s.mms[mm], HEAP);
      const pmd = pte_getpmd(k.s, pte);
      expect(pmd).toBe(k.s.mms[mm].pgd * PAGE_SIZE + (HEAP >>> 22) * 4);
      expect(pmd_getpgd(pmd)).toBe(k.s.mms[mm].pgd * PAGE_SIZE);
      expect(pgd_getmm(k.s, pmd_getpgd(pmd))).toBe(mm);
      expect(pte_vaddr(k.s, pte)).toBe(HEAP);
    }
  });

  it('a pte in no page table, and a frame that is not a pgd, lead nowhere', () => {
    const { k } = bareKernel('pte-chain');
    expect(pte_getpmd(k.s, pte_addr(30, 0))).toBe(0);
    expect(pte_vaddr(k.s, pte_addr(30, 0))).toBe(-1);
    expect(pgd_getmm(k.s, 30 * PAGE_SIZE)).toBe(-1);
    expect(pgd_getmm(k.s, k.s.nframes * PAGE_SIZE)).toBe(-1);
  });
});
