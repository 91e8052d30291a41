// objrmap (2.6.0): a file page is found through its file's vmas, an anonymous one on pte_chains.

import { describe, expect, it } from 'vitest';
import { simulation } from '../helpers.js';
import { do_execve } from '../../src/fs/exec.js';
import { do_fork } from '../../src/kernel/fork.js';
import { access, pte_offset, read_pte } from '../../src/mm/memory.js';
import { page_referenced } from '../../src/mm/rmap.js';
import { pte_pfn } from '../../src/arch/i386/page.js';
import { getPage, VM_READ, VM_WRITE, VmaKind } from '../../src/state.js';
import { arenaOf } from '../../src/rmap/arena.js';
import { checkState } from '../../src/check/invariants.js';
import { PG_direct } from '../../src/include/page-flags.js';
import { formatPage, pageInfo } from '../../src/timetravel/describe.js';
import { try_to_flip_page_to } from '../../src/mm/flip.js';

const ANON = 0x01000000;
const FILE = 0x02000000;

/** A process with an anonymous and a private file mapping, one page of each touched, then forked `forks` times. */
function world(forks: number, rmap = 'objrmap') {
  const sim = simulation('tiny', 'objrmap', { rmap });
  const k = sim.kernel;
  const inode = [...k.files.keys()][0];
  const a = do_execve(k, -1, [
    { start: ANON, end: ANON + 4 * 4096, kind: VmaKind.Anon, prot: VM_READ | VM_WRITE, file: 0, pgoff: 0 },
    { start: FILE, end: FILE + 4 * 4096, kind: VmaKind.PrivateFile, prot: VM_READ, file: inode, pgoff: 1 },
  ]);
  access(k, a, ANON, true);
  access(k, a, FILE + 4096, false);
  const kids: number[] = [];
  for (let i = 0; i < forks; i++) kids.push(do_fork(k, a));
  const s = sim.machine.s;
  const pfnAt = (mm: number, addr: number) => pte_pfn(read_pte(k, pte_offset(k, s.mms[mm], addr)));
  return { sim, k, s, a, kids, inode, pfnAt };
}

describe('objrmap', () => {
  it('finds a file page through every vma of its file, at the page offset, and says so', () => {
    const { s, k, a, kids, pfnAt } = world(2);
    const pfn = pfnAt(a, FILE + 4096);
    const page = getPage(s, pfn);
    expect(page.inode).not.toBe(0);
    expect(page.offset).toBe(2); // pgoff 1 + one page in
    expect(page.mapcount).toBe(3);
    expect(page.rmap).toBe(0); // no chain, no direct pointer
    const rep = k.rmap.entries(s, pfn);
    expect(rep.problem).toBeNull();
    expect(rep.ptes).toEqual([a, ...kids].map((mm) => pte_offset(k, s.mms[mm], FILE + 4096)));
    expect(rep.via).toEqual([a, ...kids].map((mm) => `file vma 0x2000000 of mm ${mm}`));
    expect(k.rmap.walkCost?.(s, pfn)).toBe(3);
    expect(checkState(s)).toEqual([]);
    // seek's chain view says how each pte was found
    expect(formatPage(pageInfo(s, pfn))).toContain(`(via file vma 0x2000000 of mm ${kids[1]})`);
  });

  it('keeps anonymous pages on 2.5 pte_chains: direct, then a block, and visits no vma', () => {
    const { s, k, a, pfnAt } = world(0);
    const pfn = pfnAt(a, ANON);
    expect(getPage(s, pfn).flags & PG_direct).toBe(PG_direct);
    expect(k.rmap.walkCost?.(s, pfn)).toBe(0);
    do_fork(k, a);
    expect(getPage(s, pfn).flags & PG_direct).toBe(0);
    expect(arenaOf(s).used).toBe(1);
    // the block sits on the pte_chain slab's one page, taken from mem_map
    expect(k.rmap.overhead(s)).toEqual({ bytes: 4096, frames: 1 });
    expect(k.rmap.entries(s, pfn).via).toBeUndefined();
  });

  it('counts every vma of the file as visited, even those that do not map the page', () => {
    const { s, k, a, inode, pfnAt } = world(0);
    // a second mapping of the same file that does not cover the page's offset
    k.emit({ t: 'vma_add', mm: a, start: 0x03000000, end: 0x03001000, kind: VmaKind.PrivateFile, prot: VM_READ, file: inode, pgoff: 5 });
    const pfn = pfnAt(a, FILE + 4096);
    expect(k.rmap.entries(s, pfn).ptes.length).toBe(1);
    expect(k.rmap.walkCost?.(s, pfn)).toBe(2);
  });

  it("the kernel's walk reports the vmas it visited (rmap_walk, stats.vmasVisited)", () => {
    const { s, k, a, pfnAt } = world(2);
    expect(s.stats.vmasVisited).toBeUndefined();
    const pfn = pfnAt(a, FILE + 4096);
    expect(page_referenced(k, pfn).ptes.length).toBe(3);
    expect(s.stats.vmasVisited).toBe(3);
  });

  // --steal's flip links the ptes to the new frame before it enters the page cache (the only
  // path where a linked page becomes a file page); workloads never flip under order-0 page
  // tables, so the flip is driven by hand.
  it.each(['objrmap', 'anon_vma'])('--rmap %s: a file page and an anonymous page flipped to another frame stay consistent', (rmap) => {
    const { s, k, a, kids, pfnAt } = world(2, rmap);
    for (const addr of [FILE + 4096, ANON]) {
      const src = pfnAt(a, addr);
      const dst = s.freeArea.find((f) => f.head >= 0)!.head;
      expect(try_to_flip_page_to(k, dst, src)).toBe(true);
      for (const mm of [a, ...kids]) expect(pfnAt(mm, addr)).toBe(dst);
      expect(k.rmap.entries(s, dst).ptes.length).toBe(3);
      expect(checkState(s)).toEqual([]);
    }
  });

  it('a design without a vma walk emits no rmap_walk, so its runs keep their state', () => {
    const { s, k, a, pfnAt } = world(2, 'pte-chain');
    page_referenced(k, pfnAt(a, FILE + 4096));
    expect(s.stats.vmasVisited).toBeUndefined();
  });
});
