// Each invariant is shown to be able to fail: a deliberately wrong event sequence (the
// kind a buggy kernel path would emit) is applied to a correct state, and the checker
// must name the invariant.

import { describe, expect, it } from 'vitest';
import { simulation } from '../helpers.js';
import { do_execve } from '../../src/fs/exec.js';
import { do_fork } from '../../src/kernel/fork.js';
import { access, pte_offset, read_pte } from '../../src/mm/memory.js';
import { checkState, INVARIANTS } from '../../src/check/invariants.js';
import { checkTouched, noteTouches, Touched } from '../../src/check/local.js';
import { mk_pte, pte_pfn, _PAGE_PRESENT, _PAGE_RW, _PAGE_USER, SWP_ENTRY } from '../../src/arch/i386/page.js';
import { VM_READ, VM_WRITE, VmaKind, getPage } from '../../src/state.js';
import { apply } from '../../src/reducer/index.js';
import type { Event } from '../../src/events.js';
import type { RunOptions } from '../../src/run-config.js';
import { LRU_ACTIVE, LRU_INACTIVE_DIRTY, lruSlice } from '../../src/mm/vmscan-lru.js';
import { PG_active, PG_direct, PG_inactive_clean, PG_task } from '../../src/include/page-flags.js';
import { arenaOf } from '../../src/rmap/arena.js';
import { sliceOf as anonSlice } from '../../src/rmap/anon-vma.js';
import { pageLock, pageTableLock } from '../../src/include/locks.js';
import { STARVATION_EVENTS } from '../../src/check/smp-rules.js';

/** The SMP rules need a machine with CPUs and locks (the kernel is driven directly, as CPU 0). */
const SMP: Partial<RunOptions> = { cpus: 2, locking: 'fine' };

/** The LRU lists exist only in active-inactive runs. */
const LRU: Partial<RunOptions> = { reclaim: 'active-inactive' };

const BASE = 0x01000000;
/** A private mapping of a file, read (not written): its first page is a page-cache page mapped by both processes. */
const FILE_BASE = BASE + 0x100000;

/** Two processes sharing four anonymous pages copy-on-write, and one file page, after a fork. */
function world(opts: Partial<RunOptions> = {}) {
  const sim = simulation('tiny', 'inv', opts);
  const k = sim.kernel;
  const inode = [...k.files.keys()][0];
  const a = do_execve(k, -1, [
    { start: BASE, end: BASE + 16 * 4096, kind: VmaKind.Anon, prot: VM_READ | VM_WRITE, file: 0, pgoff: 0 },
    { start: FILE_BASE, end: FILE_BASE + 4 * 4096, kind: VmaKind.PrivateFile, prot: VM_READ | VM_WRITE, file: inode, pgoff: 0 },
  ]);
  for (let i = 0; i < 4; i++) access(k, a, BASE + i * 4096, true);
  access(k, a, FILE_BASE, false);
  const b = do_fork(k, a);
  const s = sim.machine.s;
  const pteA = (i: number) => pte_offset(k, s.mms[a], BASE + i * 4096);
  const pteB = (i: number) => pte_offset(k, s.mms[b], BASE + i * 4096);
  const fileA = (i: number) => pte_offset(k, s.mms[a], FILE_BASE + i * 4096);
  const pfnOf = (pte: number) => pte_pfn(read_pte(k, pte));
  return { sim, k, s, a, b, pteA, pteB, fileA, pfnOf };
}

function names(s: Parameters<typeof checkState>[0]): string[] {
  return [...new Set(checkState(s).map((v) => v.invariant))].sort();
}

describe('invariants', () => {
  it.each(['pte-chain', 'objrmap', 'anon_vma'])('hold on a correct state (--rmap %s)', (rmap) => {
    const { s } = world({ rmap });
    expect(checkState(s)).toEqual([]);
  });

  const cases: Array<[string, string, (w: ReturnType<typeof world>) => Event[], Partial<RunOptions>?]> = [
    [
      'pte_set without pte_link',
      'pte-on-chain',
      (w) => {
        const pfn = w.pfnOf(w.pteA(0));
        return [
          { t: 'get_page', pfn },
          { t: 'pte_set', pte: w.pteA(5), val: mk_pte(pfn, _PAGE_PRESENT | _PAGE_USER) },
        ];
      },
    ],
    [
      'pte_clear without pte_unlink',
      'chain-entry-valid',
      (w) => {
        const pfn = w.pfnOf(w.pteB(1));
        return [
          { t: 'pte_clear', pte: w.pteB(1) },
          { t: 'put_page', pfn },
          { t: 'page_flags', pfn, set: 0, clear: 0 },
        ];
      },
    ],
    [
      'pte_clear leaves its link behind',
      'link-null',
      (w) => [
        { t: 'pte_clear', pte: w.pteB(1) },
        { t: 'put_page', pfn: w.pfnOf(w.pteA(1)) },
      ],
    ],
    ['unlink from the wrong page', 'rmap-unlink-missing', (w) => [{ t: 'pte_unlink', pte: w.pteA(0), pfn: w.pfnOf(w.pteA(1)) }]],
    [
      'a pte linked twice (NULL-terminated chain cycles)',
      'chain-terminates',
      (w) => [{ t: 'pte_link', pte: w.pteA(2), pfn: w.pfnOf(w.pteA(2)) }],
    ],
    [
      'a pte linked onto a second page (its one link word joins two chains)',
      'chain-length',
      (w) => [{ t: 'pte_link', pte: w.pteA(3), pfn: w.pfnOf(w.pteA(0)) }],
    ],
    ['a reference never dropped', 'page-count', (w) => [{ t: 'get_page', pfn: w.pfnOf(w.pteA(0)) }]],
    [
      "a live process's task struct freed (free_task_struct before release)",
      'task-struct',
      (w) => {
        const task = w.s.mms[w.b].task as number;
        return [
          { t: 'page_flags', pfn: task, set: 0, clear: PG_task },
          { t: 'page_flags', pfn: task + 1, set: 0, clear: PG_task },
          { t: 'put_page', pfn: task },
          { t: 'page_free', pfn: task, order: 1, reclaim: 0 },
        ];
      },
    ],
    [
      'a page table at an odd frame',
      'pt-block',
      (w) => {
        const pfn = w.s.freeArea.find((a) => a.head >= 0)?.head ?? -1;
        return [{ t: 'pt_alloc', pfn: pfn | 1, mm: w.a, index: 300 }];
      },
    ],
    [
      'a mapped page freed',
      'free-page',
      (w) => {
        const pfn = w.pfnOf(w.pteA(0));
        return [
          { t: 'put_page', pfn },
          { t: 'put_page', pfn },
          { t: 'page_free', pfn, order: 0, reclaim: 0 },
        ];
      },
    ],
    [
      'an allocation taken from the wrong free list',
      'buddy',
      (w) => {
        const order = w.s.freeArea.findLastIndex((a) => a.head >= 0);
        return [{ t: 'page_alloc', pfn: w.s.freeArea[order].head, order: 0, from: 0 }];
      },
    ],
    ['a swap reference nobody holds', 'swap-map', () => [{ t: 'swap_dup', entry: 3 }]],
    [
      'a swap-cached page mapped writable',
      'swap-cache-writable',
      (w) => {
        const pfn = w.pfnOf(w.pteA(0));
        return [
          { t: 'swap_cache_add', pfn, entry: 2 },
          { t: 'swap_dup', entry: 2 },
          { t: 'pte_set', pte: w.pteA(0), val: mk_pte(pfn, _PAGE_PRESENT | _PAGE_USER | _PAGE_RW) },
        ];
      },
      { swapCache: '2.1.88' },
    ],
    ['the clock hand past mem_map', 'clock-hand', (w) => [{ t: 'clock_advance', hand: w.s.nframes, ptes: 0 }]],
    ['a page table freed with live ptes', 'rss', (w) => [{ t: 'pt_free', pfn: Math.floor(w.pteB(0) / 4096) }]],
    ['a vma removed without zapping its ptes', 'pte-in-vma', (w) => [{ t: 'vma_remove', mm: w.b, start: BASE }]],
    [
      'a page freed while still on the active list (no lru_del)',
      'lru-lists',
      (w) => {
        const pfn = w.pfnOf(w.pteA(0));
        return [
          { t: 'put_page', pfn },
          { t: 'put_page', pfn },
          { t: 'page_free', pfn, order: 0, reclaim: 0 },
        ];
      },
      LRU,
    ],
    [
      'a pte_chain page marked direct while two ptes map it',
      'pte_chain-direct',
      (w) => [{ t: 'page_flags', pfn: w.pfnOf(w.pteA(0)), set: PG_direct, clear: 0 }],
      { rmap: 'pte_chain' },
    ],
    [
      'a pool block counted in use that no page holds (a leak)',
      'rmap-blocks',
      (w) => {
        arenaOf(w.s).used++;
        return [];
      },
      { rmap: 'pte-pool' },
    ],
    [
      'an objrmap file page given a direct pte (it must be found through its file)',
      'objrmap-file-unchained',
      (w) => [{ t: 'page_flags', pfn: w.pfnOf(w.fileA(0)), set: PG_direct, clear: 0 }],
      { rmap: 'objrmap' },
    ],
    [
      'a vma unlinked from its anon_vma while it stays (anon_vma_unlink without munmap)',
      'anon-vma-lists',
      (w) => [{ t: 'anon_vma_unlink', id: anonSlice(w.s).vmaAnon[`${w.b}:${BASE}`], mm: w.b, start: BASE }],
      { rmap: 'anon_vma' },
    ],
    [
      'an anonymous page mapped from a vma outside its anon_vma',
      'anon-vma-page',
      (w) => {
        const pfn = w.pfnOf(w.pteA(0));
        return [
          { t: 'get_page', pfn },
          { t: 'pte_set', pte: w.fileA(2), val: mk_pte(pfn, _PAGE_PRESENT | _PAGE_USER) },
          { t: 'pte_link', pte: w.fileA(2), pfn },
        ];
      },
      { rmap: 'anon_vma' },
    ],
    [
      'a pte changed by CPU 0 while CPU 1 holds its page_table_lock',
      'smp-pte-race',
      (w) => [
        { t: 'cpu', cpu: 1 },
        { t: 'lock_acquire', lock: pageTableLock(w.a) },
        { t: 'cpu', cpu: 0 },
        { t: 'pte_mkold', pte: w.pteA(0) },
      ],
      SMP,
    ],
    [
      "a page's chain edited by CPU 0 while CPU 1 holds the page",
      'smp-chain-race',
      (w) => {
        const pfn = w.pfnOf(w.pteA(0));
        return [
          { t: 'cpu', cpu: 1 },
          { t: 'lock_acquire', lock: pageLock(pfn) },
          { t: 'cpu', cpu: 0 },
          { t: 'pte_unlink', pte: w.pteA(0), pfn },
          { t: 'pte_link', pte: w.pteA(0), pfn },
        ];
      },
      SMP,
    ],
    [
      "a page lock taken, then an mm's page_table_lock (the inversion)",
      'smp-lock-order',
      (w) => [
        { t: 'lock_acquire', lock: pageLock(w.pfnOf(w.pteA(0))) },
        { t: 'lock_acquire', lock: pageTableLock(w.a) },
      ],
      SMP,
    ],
    [
      'two CPUs each waiting for the lock the other holds',
      'smp-deadlock',
      (w) => [
        { t: 'lock_acquire', lock: pageTableLock(w.a) },
        { t: 'cpu', cpu: 1 },
        { t: 'lock_acquire', lock: pageTableLock(w.b) },
        { t: 'lock_wait', lock: pageTableLock(w.a) },
        { t: 'cpu', cpu: 0 },
        { t: 'lock_wait', lock: pageTableLock(w.b) },
      ],
      SMP,
    ],
    [
      'a pte CPU 1 walked into its TLB cleared by CPU 0 with no shootdown after it',
      'smp-stale-tlb',
      (w) => [
        { t: 'cpu', cpu: 1 },
        { t: 'hw_access', pte: w.pteA(0), write: 0 },
        { t: 'cpu', cpu: 0 },
        { t: 'pte_clear', pte: w.pteA(0) },
        { t: 'tick', us: 1 },
      ],
      SMP,
    ],
    [
      'a CPU waiting for a lock for longer than the bound',
      'smp-starvation',
      (w) => {
        w.sim.machine.emit({ t: 'lock_acquire', lock: pageTableLock(w.a) });
        w.sim.machine.emit({ t: 'cpu', cpu: 1 });
        w.sim.machine.emit({ t: 'lock_wait', lock: pageTableLock(w.a) });
        (w.s as { stats: { events: number } }).stats.events += STARVATION_EVENTS + 1;
        return [];
      },
      SMP,
    ],
  ];

  it('a swap-cached page mapped writable is legal under 2.1.47 rules (do_wp_page leaves the entry): swap-cache-writable is 2.1.88s', () => {
    const w = world();
    const pfn = w.pfnOf(w.pteA(0));
    w.sim.machine.emit({ t: 'swap_cache_add', pfn, entry: 2 });
    w.sim.machine.emit({ t: 'swap_dup', entry: 2 });
    w.sim.machine.emit({ t: 'pte_set', pte: w.pteA(0), val: mk_pte(pfn, _PAGE_PRESENT | _PAGE_USER | _PAGE_RW) });
    expect(names(w.s)).not.toContain('swap-cache-writable');
  });

  it('every invariant has a failing case below', () => {
    expect(new Set(cases.map((c) => c[1]))).toEqual(new Set(Object.keys(INVARIANTS)));
  });

  it.each(cases)('%s breaks %s', (_what, invariant, bad, opts) => {
    const w = world(opts);
    for (const e of bad(w)) w.sim.machine.emit(e);
    expect(names(w.s)).toContain(invariant);
  });

  it('the local (per-operation) check catches every per-pte and per-page breakage', () => {
    for (const [what, invariant, bad, opts] of cases) {
      if (['pt-block', 'buddy', 'swap-map', 'clock-hand', 'rss', 'pte-in-vma', 'rmap-blocks', 'task-struct'].includes(invariant)) continue; // global: full check only
      const w = world(opts);
      const t = new Touched();
      for (const e of bad(w)) {
        noteTouches(w.s, e, t);
        apply(w.s, e);
      }
      const got = new Set(checkTouched(w.s, t).map((v) => v.invariant));
      expect(got.size, what).toBeGreaterThan(0);
      // what it names is really broken (the full check agrees)
      for (const name of got) expect(names(w.s), what).toContain(name);
    }
  });

  it("the LRU lists hold on a correct active-inactive state: the world's anonymous pages are on the active list", () => {
    const w = world(LRU);
    expect(checkState(w.s)).toEqual([]);
    const pfn = w.pfnOf(w.pteA(0));
    expect(getPage(w.s, pfn).flags & PG_active).toBe(PG_active);
    expect(lruSlice(w.s).lists[LRU_ACTIVE].nr).toBeGreaterThanOrEqual(4);
  });

  const lruCases: Array<[string, (w: ReturnType<typeof world>) => Event[]]> = [
    ['a page added to a second list', (w) => [{ t: 'lru_add', pfn: w.pfnOf(w.pteA(1)), list: LRU_INACTIVE_DIRTY }]],
    [
      'lru_del of a page on no list',
      (w) => [
        { t: 'lru_del', pfn: w.pfnOf(w.pteA(1)) },
        { t: 'lru_del', pfn: w.pfnOf(w.pteA(1)) },
      ],
    ],
    [
      'lru_move of a page on no list',
      (w) => [
        { t: 'lru_del', pfn: w.pfnOf(w.pteA(2)) },
        { t: 'lru_move', pfn: w.pfnOf(w.pteA(2)), list: LRU_ACTIVE },
      ],
    ],
    [
      'a flag that does not match the list',
      (w) => [{ t: 'page_flags', pfn: w.pfnOf(w.pteA(3)), set: PG_inactive_clean, clear: PG_active }],
    ],
    ["a flag cleared behind the list's back", (w) => [{ t: 'page_flags', pfn: w.pfnOf(w.pteA(3)), set: 0, clear: PG_active }]],
  ];
  it.each(lruCases)('lru-lists: %s is caught by the full and the local check', (_what, bad) => {
    const w = world(LRU);
    const t = new Touched();
    for (const e of bad(w)) {
      noteTouches(w.s, e, t);
      apply(w.s, e);
    }
    expect(names(w.s)).toContain('lru-lists');
    expect(checkTouched(w.s, t).map((v) => v.invariant)).toContain('lru-lists');
  });

  it('lru events are malformed in a run without LRU lists', () => {
    const w = world();
    expect(() => apply(w.s, { t: 'lru_add', pfn: w.pfnOf(w.pteA(0)), list: LRU_ACTIVE })).toThrow(
      /do not emit it \(only active-inactive, 2.4-rmap\)/,
    );
  });

  it('a swap pte with no swap-map count is caught', () => {
    const w = world();
    w.sim.machine.emit({ t: 'pte_set', pte: w.pteA(9), val: SWP_ENTRY(4) });
    expect(names(w.s)).toContain('swap-map');
  });

  it('names the page and pte involved', () => {
    const w = world();
    const pfn = w.pfnOf(w.pteA(0));
    w.sim.machine.emit({ t: 'get_page', pfn });
    w.sim.machine.emit({ t: 'pte_set', pte: w.pteA(7), val: mk_pte(pfn, _PAGE_PRESENT | _PAGE_USER) });
    const v = checkState(w.s).find((x) => x.invariant === 'pte-on-chain');
    expect(v).toMatchObject({ page: pfn, pte: w.pteA(7), mm: w.a });
    expect(getPage(w.s, pfn).mapcount).toBe(2);
  });
});
