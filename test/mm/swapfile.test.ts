// get_swap_page / scan_swap_map (src/mm/swapfile.ts, 2.1.47 mm/swapfile.c) on tiny's 64-slot
// swap device. Slots are taken by swap_out events, as the kernel's writes take them.
import { describe, expect, it } from 'vitest';
import type { Kernel } from '../../src/kernel/kernel.js';
import { get_swap_page, SWAP_CLUSTER_MAX } from '../../src/mm/swapfile.js';
import { swapCount } from '../../src/reducer/index.js';
import { bareKernel } from '../helpers.js';

/** Take `entry` as a swap-out would (pfn 0 stands in for the page written). */
const take = (k: Kernel, entry: number): void => k.emit({ t: 'swap_out', pfn: 0, entry, refs: 1 });
/** Allocate the next slot the way the kernel does: ask, then write. */
function allocate(k: Kernel): number {
  const e = get_swap_page(k);
  if (e !== 0) take(k, e);
  return e;
}

describe('get_swap_page (scan_swap_map)', () => {
  it('slot 0 is the swap header: a fresh device hands out 1, then 2, 3 in sequence', () => {
    const { k } = bareKernel('pte-chain');
    expect(k.s.swap.nslots).toBe(64);
    expect([allocate(k), allocate(k), allocate(k)]).toEqual([1, 2, 3]);
    expect(swapCount(k.s, 2)).toBe(1);
    expect(k.s.swap.used).toBe(3);
  });

  it('inside a cluster a used slot is stepped over', () => {
    const { k } = bareKernel('pte-chain');
    k.emit({ t: 'swap_dup', entry: 3 }); // slot 3 in use by someone else
    expect([allocate(k), allocate(k), allocate(k)]).toEqual([1, 2, 4]);
  });

  it('a freed slot behind the cursor is not reused while the cluster lasts', () => {
    const { k } = bareKernel('pte-chain');
    for (let i = 0; i < 4; i++) allocate(k);
    k.emit({ t: 'swap_free', entry: 2 });
    expect(allocate(k)).toBe(5);
  });

  it('a full device returns 0 (every slot but the header in use)', () => {
    const { k } = bareKernel('pte-chain');
    for (let i = 1; i < 64; i++) expect(allocate(k)).toBe(i);
    expect(get_swap_page(k)).toBe(0);
    k.emit({ t: 'swap_free', entry: 40 });
    expect(get_swap_page(k)).toBe(40);
  });

  it('SWAP_CLUSTER_MAX is 32', () => {
    expect(SWAP_CLUSTER_MAX).toBe(32);
  });

  // 2.1.47 scan_swap_map: "Once we've allocated SWAP_CLUSTER_MAX pages this way, however, we resort to
  // first-free allocation, starting a new cluster" (the first-free scan runs from lowest_bit). The
  // first-free slot sets cluster_nr = SWAP_CLUSTER_MAX without counting itself: 33 slots a cluster.
  it('when the cluster is used up, the next slot is the first free one from the bottom (scan_swap_map)', () => {
    const { k } = bareKernel('pte-chain');
    for (let i = 1; i <= SWAP_CLUSTER_MAX + 1; i++) expect(allocate(k)).toBe(i);
    expect(k.s.swap.clusterNr).toBe(0);
    k.emit({ t: 'swap_free', entry: 5 });
    expect(allocate(k)).toBe(5);
    expect(k.s.swap.clusterNr).toBe(SWAP_CLUSTER_MAX);
    // the new cluster runs on from 5: 6..33 are taken, so the next is 34
    expect(allocate(k)).toBe(34);
  });

  it('cluster_next is the slot just taken: freed before the next request, it is handed out again (scan_swap_map)', () => {
    const { k } = bareKernel('pte-chain');
    for (let i = 0; i < 3; i++) allocate(k);
    k.emit({ t: 'swap_free', entry: 3 });
    expect(allocate(k)).toBe(3);
  });
});
