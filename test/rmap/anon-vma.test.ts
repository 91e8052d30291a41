// anon_vma (2.6.7): anonymous pages found through the list of vmas that may map them.

import { describe, expect, it } from 'vitest';
import { simulation } from '../helpers.js';
import { do_execve } from '../../src/fs/exec.js';
import { do_fork } from '../../src/kernel/fork.js';
import { do_exit } from '../../src/kernel/exit.js';
import { do_brk, do_mmap, do_munmap } from '../../src/mm/mmap.js';
import { access, pte_offset, read_pte } from '../../src/mm/memory.js';
import { pte_pfn } from '../../src/arch/i386/page.js';
import { getPage, VM_READ, VM_WRITE, VmaKind } from '../../src/state.js';
import { ANON_VMA_BYTES, sliceOf, VMA_ANON_FIELDS_BYTES } from '../../src/rmap/anon-vma.js';
import { checkState } from '../../src/check/invariants.js';
import type { Event } from '../../src/events.js';

const ANON = 0x01000000;

function world() {
  const sim = simulation('tiny', 'anon_vma', { rmap: 'anon_vma' });
  const k = sim.kernel;
  const events: Event[] = [];
  sim.machine.sink = (e) => events.push(e);
  const a = do_execve(k, -1, [{ start: ANON, end: ANON + 8 * 4096, kind: VmaKind.Anon, prot: VM_READ | VM_WRITE, file: 0, pgoff: 0 }]);
  access(k, a, ANON + 4096, true);
  const s = sim.machine.s;
  const pfnAt = (mm: number, addr: number) => pte_pfn(read_pte(k, pte_offset(k, s.mms[mm], addr)));
  const idOf = (mm: number) => sliceOf(s).vmaAnon[`${mm}:${ANON}`];
  return { sim, k, s, a, events, pfnAt, idOf };
}

describe('anon_vma', () => {
  it('prepares an anon_vma when a private vma is created and points the page at it, with its address', () => {
    const { s, k, a, events, pfnAt, idOf } = world();
    const id = idOf(a);
    expect(events.filter((e) => e.t === 'anon_vma_prepare')).toEqual([{ t: 'anon_vma_prepare', id, mm: a, start: ANON }]);
    const pfn = pfnAt(a, ANON + 4096);
    expect(getPage(s, pfn).rmap).toBe(id);
    expect(getPage(s, pfn).offset).toBe((ANON + 4096) / 4096);
    const rep = k.rmap.entries(s, pfn);
    expect(rep.ptes).toEqual([pte_offset(k, s.mms[a], ANON + 4096)]);
    expect(rep.via).toEqual([`anon vma 0x1000000 of mm ${a} (anon_vma ${id})`]);
    expect(checkState(s)).toEqual([]);
  });

  it('fork links the child vma into the parent vma anon_vma; exit unlinks it; the last unlink frees it', () => {
    const { s, k, a, events, pfnAt, idOf } = world();
    const id = idOf(a);
    const b = do_fork(k, a);
    expect(idOf(b)).toBe(id);
    expect(events.filter((e) => e.t === 'anon_vma_link')).toEqual([{ t: 'anon_vma_link', id, mm: b, start: ANON }]);
    expect(sliceOf(s).lists[id]).toEqual([
      { mm: a, start: ANON },
      { mm: b, start: ANON },
    ]);
    const pfn = pfnAt(a, ANON + 4096);
    expect(k.rmap.entries(s, pfn).ptes.length).toBe(2);
    do_exit(k, b);
    expect(sliceOf(s).lists[id]).toEqual([{ mm: a, start: ANON }]);
    expect(checkState(s)).toEqual([]);
    do_munmap(k, a, ANON);
    expect(sliceOf(s).lists[id]).toBeUndefined();
    expect(getPage(s, pfn).rmap).toBe(0); // freed with its last mapping (clear_page_anon)
    expect(checkState(s)).toEqual([]);
  });

  it('a long fork chain: every walk visits every vma of the family, even after each child copied the page', () => {
    const { s, k, a, pfnAt } = world();
    const kids: number[] = [];
    for (let i = 0; i < 6; i++) kids.push(do_fork(k, i === 0 ? a : kids[i - 1]));
    for (const c of kids) access(k, c, ANON + 4096, true); // each child breaks COW: a private copy
    const pfn = pfnAt(a, ANON + 4096);
    expect(k.rmap.entries(s, pfn).ptes.length).toBe(1);
    expect(k.rmap.walkCost?.(s, pfn)).toBe(7);
    const copy = pfnAt(kids[5], ANON + 4096);
    expect(copy).not.toBe(pfn);
    expect(getPage(s, copy).rmap).toBe(getPage(s, pfn).rmap); // the copy shares the family's anon_vma
    expect(k.rmap.walkCost?.(s, copy)).toBe(7);
    expect(checkState(s)).toEqual([]);
  });

  it('brk resizes the heap in place and keeps its anon_vma; shared file vmas get none', () => {
    const { s, k, a, idOf } = world();
    const id = idOf(a);
    do_brk(k, a, ANON, ANON + 12 * 4096);
    expect(idOf(a)).toBe(id);
    const inode = [...k.files.keys()][0];
    do_mmap(k, a, { start: 0x02000000, end: 0x02002000, kind: VmaKind.SharedFile, prot: VM_READ, file: inode, pgoff: 0 });
    expect(sliceOf(s).vmaAnon[`${a}:${0x02000000}`]).toBeUndefined();
    expect(checkState(s)).toEqual([]);
  });

  it('overhead: the anon_vma slab page taken from mem_map (12-byte anon_vmas) and 12 bytes of anon_vma fields per vma', () => {
    const { s, k, a } = world();
    do_fork(k, a);
    expect(k.rmap.slab?.inUse(s)).toBe(1);
    expect(k.rmap.slab?.objectBytes).toBe(ANON_VMA_BYTES);
    expect(k.rmap.overhead(s)).toEqual({ bytes: 4096 + 2 * VMA_ANON_FIELDS_BYTES, frames: 1 });
  });

  it('its events are refused in a run of another design', () => {
    const sim = simulation('tiny', 'x');
    expect(() => sim.machine.emit({ t: 'anon_vma_prepare', id: 1, mm: 1, start: ANON })).toThrow(/only anon_vma/);
  });
});
