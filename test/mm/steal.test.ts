// try_to_flip_page_to and steal_specific_page (--steal): a page moves to another frame with
// every pte relinked and its identity kept; a high-order allocation that fragmentation would
// fail empties an aligned block instead.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bareKernel, recordEvents, sharedPage, anonVma, LIB, checkKernel, simulation } from '../helpers.js';
import { do_execve } from '../../src/fs/exec.js';
import { do_fork } from '../../src/kernel/fork.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { EventStore } from '../../src/event-store.js';
import { access, pte_offset, read_pte } from '../../src/mm/memory.js';
import { find_page } from '../../src/mm/filemap.js';
import { try_to_flip_page_to } from '../../src/mm/flip.js';
import { steal_specific_page } from '../../src/mm/steal.js';
import { __get_free_pages, free_page, freeBlockOrder, rmqueue } from '../../src/mm/page_alloc.js';
import { reclaim_page } from '../../src/mm/vmscan.js';
import { PG_dirty, PG_referenced, PG_swap_cache } from '../../src/include/page-flags.js';
import { StreamChecker } from '../../src/check/run.js';
import { formatViolation } from '../../src/check/violation.js';
import { cloneState } from '../../src/snapshot/clone.js';
import { ConfigError, initialState, kernelConfig, kernelDesigns, makeRunConfig, type RunOptions } from '../../src/run-config.js';
import { loadScenario } from '../../src/workload/scenario.js';
import { pte_pfn, pte_present } from '../../src/arch/i386/page.js';
import { getPage, NR_MEM_LISTS, type State } from '../../src/state.js';
import type { DeepReadonly } from '../../src/include/readonly.js';
import { replayToken } from '../../src/cli/replay-token.js';

const BASE = 0x01000000;

/** A free frame (the last page of the first free block on the lowest non-empty list), avoiding `not`. */
function freeFrame(s: DeepReadonly<State>, not: number[] = []): number {
  for (let o = 0; o < NR_MEM_LISTS; o++) {
    for (let b = s.freeArea[o].head; b >= 0; b = getPage(s, b).next) {
      for (let p = b + (1 << o) - 1; p >= b; p--) if (!not.includes(p)) return p;
    }
  }
  throw new Error('no free frame');
}

/** A kernel on the tiny machine with --steal; watermarks lowered so hand-driven allocations never reclaim. */
function stealKernel(): Kernel {
  const cfg = makeRunConfig(loadScenario('tiny'), { seed: '1', steal: true });
  const m = new EventStore(initialState(cfg), 'direct');
  return new Kernel(m, { ...kernelConfig(cfg), watermarks: { min: 0, low: 0, high: 0 } }, kernelDesigns(cfg));
}

describe('try_to_flip_page_to', () => {
  it.each(['pte-chain', 'pte-pool', 'pte_chain'])('%s: moves a page shared by two processes after fork, relinking every pte', (rmap) => {
    const { k } = bareKernel(rmap);
    const a = do_execve(k, -1, [anonVma(BASE, 8)]);
    for (let i = 0; i < 4; i++) expect(access(k, a, BASE + i * 4096, true)).toBe('ok');
    const b = do_fork(k, a);
    const s = k.s;
    const pteA = pte_offset(k, s.mms[a], BASE),
      pteB = pte_offset(k, s.mms[b], BASE);
    const src = pte_pfn(read_pte(k, pteA));
    expect(pte_pfn(read_pte(k, pteB))).toBe(src);
    expect(getPage(s, src).mapcount).toBe(2);
    const flagsA = read_pte(k, pteA) & 0xfff,
      flagsB = read_pte(k, pteB) & 0xfff;
    const before = { count: getPage(s, src).count, age: getPage(s, src).age, flags: getPage(s, src).flags & (PG_dirty | PG_referenced) };
    const dst = freeFrame(s);
    expect(try_to_flip_page_to(k, dst, src)).toBe(true);
    expect(read_pte(k, pteA)).toBe(((dst << 12) | flagsA) >>> 0);
    expect(read_pte(k, pteB)).toBe(((dst << 12) | flagsB) >>> 0);
    const p = getPage(k.s, dst);
    expect({ count: p.count, age: p.age, flags: p.flags & (PG_dirty | PG_referenced) }).toEqual(before);
    expect(p.mapcount).toBe(2);
    const ptes: number[] = [];
    k.rmap.forEach(k.s, dst, (pte) => ptes.push(pte));
    expect(ptes.sort()).toEqual([pteA, pteB].sort());
    expect(getPage(k.s, src).count).toBe(0);
    expect(freeBlockOrder(k, src)).toBeGreaterThanOrEqual(0);
    expect(k.s.stats.steal).toEqual({ ok: 0, failed: 0, flipped: 1 });
    expect(checkKernel(k)).toEqual([]);
    // the processes go on using the page: a write fault copies it as before
    expect(access(k, b, BASE, true)).toBe('ok');
    expect(checkKernel(k)).toEqual([]);
  });

  it.each(['pte-chain', 'pte_chain'])(
    '%s: moves a page-cache page mapped by three processes: the cache finds it at its new frame',
    (rmap) => {
      const { k, mms } = sharedPage(rmap, 3);
      const src = find_page(k, 1, 0);
      expect(src).toBeGreaterThan(0);
      const old = getPage(k.s, src);
      const want = { count: old.count, age: old.age, inode: old.inode, offset: old.offset, referenced: old.flags & PG_referenced };
      expect(want.count).toBe(4);
      const dst = freeFrame(k.s);
      expect(try_to_flip_page_to(k, dst, src)).toBe(true);
      expect(find_page(k, 1, 0)).toBe(dst);
      const p = getPage(k.s, dst);
      expect({ count: p.count, age: p.age, inode: p.inode, offset: p.offset, referenced: p.flags & PG_referenced }).toEqual(want);
      for (const mm of mms) expect(pte_pfn(read_pte(k, pte_offset(k, k.s.mms[mm], LIB)))).toBe(dst);
      expect(getPage(k.s, src).inode).toBe(0);
      expect(checkKernel(k)).toEqual([]);
    },
  );

  it('moves a swap-cached page, keeping its swap entry', () => {
    const { k } = bareKernel('pte-chain');
    const a = do_execve(k, -1, [anonVma(BASE, 4)]);
    expect(access(k, a, BASE, true)).toBe('ok');
    const pte = pte_offset(k, k.s.mms[a], BASE);
    k.op('kswapd', -1);
    expect(reclaim_page(k, pte_pfn(read_pte(k, pte)))).toBe(true);
    expect(pte_present(read_pte(k, pte))).toBe(false);
    expect(access(k, a, BASE, false)).toBe('ok'); // read swap-in: the page joins the swap cache
    const src = pte_pfn(read_pte(k, pte));
    expect(getPage(k.s, src).flags & PG_swap_cache).toBe(PG_swap_cache);
    const entry = getPage(k.s, src).swap;
    const dst = freeFrame(k.s);
    expect(try_to_flip_page_to(k, dst, src)).toBe(true);
    const p = getPage(k.s, dst);
    expect(p.flags & PG_swap_cache).toBe(PG_swap_cache);
    expect(p.swap).toBe(entry);
    expect(getPage(k.s, src).swap).toBe(0);
    expect(pte_pfn(read_pte(k, pte))).toBe(dst);
    expect(checkKernel(k)).toEqual([]);
    // a write fault now takes the page over and leaves the swap cache (Tweedie's invariant)
    expect(access(k, a, BASE, true)).toBe('ok');
    expect(checkKernel(k)).toEqual([]);
  });

  it('refuses pinned, kernel and free pages, a non-free destination, and --rmap none', () => {
    const { k } = bareKernel('pte-chain');
    const a = do_execve(k, -1, [anonVma(BASE, 4)]);
    expect(access(k, a, BASE, true)).toBe('ok');
    const src = pte_pfn(read_pte(k, pte_offset(k, k.s.mms[a], BASE)));
    const pgd = k.s.mms[a].pgd;
    expect(try_to_flip_page_to(k, freeFrame(k.s), pgd)).toBe(false); // page directory
    expect(try_to_flip_page_to(k, freeFrame(k.s), 0)).toBe(false); // reserved
    expect(try_to_flip_page_to(k, freeFrame(k.s), freeFrame(k.s))).toBe(false); // free
    expect(try_to_flip_page_to(k, pgd, src)).toBe(false); // destination in use
    k.emit({ t: 'get_page', pfn: src }); // a kernel path holds it
    expect(try_to_flip_page_to(k, freeFrame(k.s), src)).toBe(false);
    k.emit({ t: 'put_page', pfn: src });
    expect(k.s.stats.steal).toBeUndefined();

    const none = bareKernel('none').k;
    const b = do_execve(none, -1, [anonVma(BASE, 4)]);
    expect(access(none, b, BASE, true)).toBe('ok');
    const q = pte_pfn(read_pte(none, pte_offset(none, none.s.mms[b], BASE)));
    expect(try_to_flip_page_to(none, freeFrame(none.s), q)).toBe(false);
    expect(steal_specific_page(none, 1)).toBe(-1);
    expect(() => makeRunConfig(loadScenario('tiny'), { seed: '1', rmap: 'none', reclaim: 'old', steal: true })).toThrow(ConfigError);
    expect(() => makeRunConfig(loadScenario('tiny'), { seed: '1', rmap: 'none', reclaim: 'old', steal: true })).toThrow(
      /--steal cannot run with --rmap none/,
    );
  });
});

describe('steal_specific_page', () => {
  /**
   * Every order-1 block fragmented: each holds a kernel page and a free page, or a user page
   * and a free page. Only the second kind can be emptied (by moving its user page into a
   * free frame of the first kind).
   */
  function fragmented() {
    const k = stealKernel();
    const a = do_execve(k, -1, [anonVma(BASE, 16)]);
    expect(access(k, a, BASE, true)).toBe('ok'); // page table and one page, before fragmenting
    // take every free frame as a kernel page
    const plugs: number[] = [];
    for (let got = rmqueue(k, 0); got !== null; got = rmqueue(k, 0)) {
      k.emit({ t: 'page_alloc', pfn: got.pfn, order: 0, from: got.from });
      plugs.push(got.pfn);
    }
    // give back the even frame of each pair we hold entirely: its buddy stays a kernel page
    const held = new Set(plugs);
    const evens = plugs.filter((p) => (p & 1) === 0 && held.has(p + 1)).sort((x, y) => x - y);
    expect(evens.length).toBeGreaterThanOrEqual(6);
    for (const p of evens) {
      free_page(k, p);
      held.delete(p);
    }
    // four user pages land in freed even frames; then their kernel buddies are freed too
    const user: number[] = [];
    for (let i = 1; i <= 4; i++) {
      expect(access(k, a, BASE + i * 4096, true)).toBe('ok');
      user.push(pte_pfn(read_pte(k, pte_offset(k, k.s.mms[a], BASE + i * 4096))));
    }
    for (const u of user) {
      expect(held.has(u ^ 1)).toBe(true);
      free_page(k, u ^ 1);
      held.delete(u ^ 1);
    }
    expect(rmqueue(k, 1)).toBeNull(); // no free block of order 1 or more
    return { k, a, held, user };
  }

  it('empties a fragmented order-1 block and allocates it', () => {
    const { k, a, held, user } = fragmented();
    const before = k.s.nrFree;
    const pfn = __get_free_pages(k, 1);
    expect(pfn).toBeGreaterThanOrEqual(0);
    expect(pfn & 1).toBe(0);
    expect(user.includes(pfn) || user.includes(pfn + 1)).toBe(true); // a block that held one of the user pages
    expect(k.s.nrFree).toBe(before - 2);
    expect(k.s.stats.steal).toEqual({ ok: 1, failed: 0, flipped: 1 });
    // every user page is still mapped, none inside the stolen block
    for (let i = 0; i <= 4; i++) {
      const v = read_pte(k, pte_offset(k, k.s.mms[a], BASE + i * 4096));
      expect(pte_present(v)).toBe(true);
      expect([pfn, pfn + 1]).not.toContain(pte_pfn(v));
    }
    // give back the block and the kernel pages: the machine is consistent
    free_page(k, pfn, 1);
    for (const p of held) free_page(k, p);
    expect(checkKernel(k)).toEqual([]);
  });

  it('fails (and counts the failure) when no block can be emptied', () => {
    const { k, held } = fragmented();
    // pin every user page: a kernel path holds each
    for (let pfn = 0; pfn < k.s.nframes; pfn++) {
      const p = getPage(k.s, pfn);
      if (p.count > 0 && p.mapcount > 0) k.emit({ t: 'get_page', pfn });
    }
    expect(steal_specific_page(k, 1)).toBe(-1);
    expect(k.s.stats.steal).toEqual({ ok: 0, failed: 1, flipped: 0 });
    expect(held.size).toBeGreaterThan(0);
  });
});

describe('--steal keeps every invariant', () => {
  /** npm test runs a quarter of the seeds; npm run soak (MMSIM_SOAK=1) runs them all (active-inactive keeps its 20: steals are rarer there). */
  const runs = (n: number): number => (process.env.MMSIM_SOAK === '1' ? n : Math.max(1, Math.round(n / 4)));
  function holds(scenario: string, seed: string, events: number, fullEvery: number, opts: Partial<RunOptions> = {}): number {
    const { sim, events: evs } = recordEvents(scenario, seed, events, { ...opts, steal: true });
    const c = new StreamChecker(cloneState(sim.initial), { fullEvery });
    let ok = true;
    for (const e of evs)
      if (!c.step(e)) {
        ok = false;
        break;
      }
    if (ok) ok = c.finish();
    const f = c.failure;
    expect(
      ok,
      f ? `replay: ${replayToken({ config: sim.cfg }, f.event).line}\n` + f.violations.slice(0, 5).map(formatViolation).join('\n') : '',
    ).toBe(true);
    return evs.filter((e) => e.t === 'steal' && e.ok === 1).length;
  }

  it('tiny: 40 seeds with a full check at every operation, and steal does happen', { timeout: 60000 }, () => {
    let stolen = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1 << 30 }), (seed) => {
        stolen += holds('tiny', String(seed), 4000, 1);
      }),
      { numRuns: runs(40), seed: 4245 },
    );
    expect(stolen).toBeGreaterThan(5);
  });

  it('tiny at 192K: 20 seeds, both chain modes', { timeout: 60000 }, () => {
    let stolen = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1 << 30 }), fc.boolean(), (seed, circular) => {
        stolen += holds('tiny', String(seed), 4000, 1, { mem: '192K', chainMode: circular ? 'circular' : 'null' });
      }),
      { numRuns: runs(20), seed: 4247 },
    );
    expect(stolen).toBeGreaterThan(0);
  });

  it('with --reclaim active-inactive: a flipped page keeps its LRU list (tiny, 20 seeds)', { timeout: 60000 }, () => {
    let stolen = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1 << 30 }), (seed) => {
        stolen += holds('tiny', String(seed), 4000, 1, { reclaim: 'active-inactive' });
      }),
      { numRuns: 20, seed: 4248 },
    );
    expect(stolen).toBeGreaterThan(0);
  });

  it('forky and x486: 4 seeds each', { timeout: 60000 }, () => {
    for (const scenario of ['forky', 'x486']) {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 1 << 30 }), (seed) => {
          holds(scenario, String(seed), 8000, 16);
        }),
        { numRuns: runs(4), seed: 4246 },
      );
    }
  });

  it('is off by default: the run config and the stats carry no trace of it', () => {
    const cfg = makeRunConfig(loadScenario('tiny'), { seed: '1' });
    expect('steal' in cfg).toBe(false);
    expect(kernelConfig(cfg).steal).toBeUndefined();
    const { sim } = recordEvents('tiny', '1', 4000);
    expect(sim.machine.s.stats.steal).toBeUndefined();
  });
});

// Against 2.1.47's __get_free_pages, an order-1 request with no block of that order above the
// reserve fails at once (fork refused, or the faulting process killed): what steal_specific_page
// was meant to prevent. tiny (64 frames) is where fragmentation bites (docs/findings.md).
describe('where fragmentation bites: tiny, seed 1, 20,000 workload steps', () => {
  function stats(opts: Partial<RunOptions>) {
    const sim = simulation('tiny', '1', opts);
    for (let i = 0; i < 20000; i++) sim.workload.step();
    const st = sim.machine.s.stats;
    return { order1: st.allocFailures?.[1] ?? 0, refused: st.forksRefused ?? 0, stolen: st.steal?.ok ?? 0 };
  }

  it('the seed pte-chain refuses forks for want of order-1 blocks; --steal empties blocks and fewer fail; pte_chain (order-0 page tables) never fails order 1', () => {
    const seed = stats({ rmap: 'pte-chain' });
    const steal = stats({ rmap: 'pte-chain', steal: true });
    const order0 = stats({ rmap: 'pte_chain' });
    expect(seed.order1).toBeGreaterThan(10);
    expect(seed.refused).toBeGreaterThan(10);
    expect(steal.stolen).toBeGreaterThan(0);
    expect(steal.order1).toBeLessThan(seed.order1 / 2);
    expect(steal.refused).toBeLessThan(seed.refused / 2);
    expect(order0.order1).toBe(0);
  });
});
