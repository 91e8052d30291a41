// do_execve (src/fs/exec.ts, 2.1.47 fs/exec.c): the old mm goes (exit_mmap), a new one is built
// with the program's vmas, and nothing is faulted in.
import { describe, expect, it } from 'vitest';
import { do_execve } from '../../src/fs/exec.js';
import { access } from '../../src/mm/memory.js';
import { __get_free_pages, freeBlockOrder, GFP_ATOMIC } from '../../src/mm/page_alloc.js';
import { checkState } from '../../src/check/invariants.js';
import { PG_task } from '../../src/include/page-flags.js';
import { getPage } from '../../src/state.js';
import { anonVma, bareKernel, LIB, libVma } from '../helpers.js';

const HEAP = 0x08100000;

describe('do_execve', () => {
  it('a new mm with the given vmas, a pgd and no page tables or resident pages', () => {
    const { k } = bareKernel('pte-chain');
    const mm = do_execve(k, -1, [anonVma(HEAP, 2), libVma(2)]);
    expect(k.s.mms[mm]).toMatchObject({ parent: -1, rss: 0, pgdir: {} });
    expect(k.s.mms[mm].vmas.map((v) => v.start)).toEqual([HEAP, LIB]);
    expect(k.s.nrFree).toBe(53); // the pgd, and the order-1 task struct init's fork would have given it
  });

  it("a process started from nothing gets an order-1 task struct (alloc_task_struct, as init's fork would give it)", () => {
    const { k } = bareKernel('pte-chain');
    const mm = do_execve(k, -1, [anonVma(HEAP, 1)]);
    const task = k.s.mms[mm].task as number;
    expect(task % 2).toBe(0);
    expect(getPage(k.s, task).flags & PG_task).toBe(PG_task);
    expect(getPage(k.s, task + 1).flags & PG_task).toBe(PG_task);
    expect(getPage(k.s, task + 1)).toMatchObject({ count: 1 });
    expect(checkState(k.s)).toEqual([]);
  });

  it("exec keeps the process's task struct: the new mm takes it over", () => {
    const { k } = bareKernel('pte-chain');
    const old = do_execve(k, -1, [anonVma(HEAP, 1)]);
    const task = k.s.mms[old].task;
    const mm = do_execve(k, old, [anonVma(HEAP, 1)]);
    expect(k.s.mms[mm].task).toBe(task);
    expect(checkState(k.s)).toEqual([]);
  });

  it('exec with no frame left for the new pgd: the old image is gone, so the process dies (op oom) and its task struct is freed', () => {
    const { k } = bareKernel('pte-chain');
    const old = do_execve(k, -1, [anonVma(HEAP, 1)]);
    const task = k.s.mms[old].task as number;
    while (k.s.nrFree > 0) __get_free_pages(k, 0, GFP_ATOMIC);
    expect(do_execve(k, old, [anonVma(HEAP, 1)])).toBe(-1);
    expect(k.s.stats.ooms).toBe(1);
    expect(freeBlockOrder(k, task)).toBeGreaterThanOrEqual(1);
  });

  it('exec over an old mm tears it down first: its pages come back and it is gone', () => {
    const { k } = bareKernel('pte-chain');
    const old = do_execve(k, -1, [anonVma(HEAP, 2)]);
    access(k, old, HEAP, true);
    const mm = do_execve(k, old, [anonVma(HEAP, 1)]);
    expect(k.s.mms[old]).toBeUndefined();
    expect(mm).not.toBe(old);
    expect(k.s.mms[mm].parent).toBe(old);
    expect(k.s.nrFree).toBe(53);
  });

  it('no memory for the pgd: -1 and no new mm', () => {
    const { k } = bareKernel('pte-chain');
    while (k.s.nrFree > 0) __get_free_pages(k, 0, GFP_ATOMIC);
    expect(do_execve(k, -1, [anonVma(HEAP, 1)])).toBe(-1);
    expect(Object.keys(k.s.mms)).toEqual([]);
  });
});
