// do_execve (src/fs/exec.ts, 2.1.47 fs/exec.c): the old mm goes (exit_mmap), a new one is built
// with the program's vmas, and nothing is faulted in.
import { describe, expect, it } from 'vitest';
import { do_execve } from '../../src/fs/exec.js';
import { access } from '../../src/mm/memory.js';
import { __get_free_pages, GFP_ATOMIC } from '../../src/mm/page_alloc.js';
import { anonVma, bareKernel, LIB, libVma } from '../helpers.js';

const HEAP = 0x08100000;

describe('do_execve', () => {
  it('a new mm with the given vmas, a pgd and no page tables or resident pages', () => {
    const { k } = bareKernel('pte-chain');
    const mm = do_execve(k, -1, [anonVma(HEAP, 2), libVma(2)]);
    expect(k.s.mms[mm]).toMatchObject({ parent: -1, rss: 0, pgdir: {} });
    expect(k.s.mms[mm].vmas.map((v) => v.start)).toEqual([HEAP, LIB]);
    expect(k.s.nrFree).toBe(55);
  });

  it('exec over an old mm tears it down first: its pages come back and it is gone', () => {
    const { k } = bareKernel('pte-chain');
    const old = do_execve(k, -1, [anonVma(HEAP, 2)]);
    access(k, old, HEAP, true);
    const mm = do_execve(k, old, [anonVma(HEAP, 1)]);
    expect(k.s.mms[old]).toBeUndefined();
    expect(mm).not.toBe(old);
    expect(k.s.mms[mm].parent).toBe(old);
    expect(k.s.nrFree).toBe(55);
  });

  it('no memory for the pgd: -1 and no new mm', () => {
    const { k } = bareKernel('pte-chain');
    while (k.s.nrFree > 0) __get_free_pages(k, 0, GFP_ATOMIC);
    expect(do_execve(k, -1, [anonVma(HEAP, 1)])).toBe(-1);
    expect(Object.keys(k.s.mms)).toEqual([]);
  });
});
