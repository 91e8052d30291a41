// The kernel reads a DeepReadonly<State>: a write from kernel code does not compile. The
// writes below are type-checked by `tsc -p tsconfig.test.json` (part of `npm test`); each
// expect-error marker fails the build if the write it marks ever type-checks.

import { describe, expect, it } from 'vitest';
import type { Kernel } from '../../src/kernel/kernel.js';
import { getPage } from '../../src/state.js';
import { bareKernel } from '../helpers.js';

/** Never called: only compiled. */
function kernelWrites(k: Kernel): void {
  // @ts-expect-error a counter in the state
  k.s.nrFree = 0;
  // @ts-expect-error a field of struct page
  getPage(k.s, 0).count = 2;
  // @ts-expect-error a nested table (a pte chunk)
  k.s.pts[0].pte[0][0] = 1;
  // @ts-expect-error an array of the state
  k.s.mms[1].vmas.push({ start: 0, end: 4096, kind: 0, prot: 0, file: 0, pgoff: 0 });
  // @ts-expect-error the stats
  k.s.stats.events++;
}

describe('Kernel', () => {
  it('reads the state the event store holds, and changes it only by emitting', () => {
    const { k, m } = bareKernel('pte-chain');
    expect(k.s).toBe(m.s);
    const before = m.events;
    const nrFree = k.s.nrFree;
    k.op('mmap', -1);
    expect(m.events).toBe(before + 1);
    expect(k.s.nrFree).toBe(nrFree);
    expect(typeof kernelWrites).toBe('function');
  });
});
