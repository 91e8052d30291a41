import { describe, expect, it } from 'vitest';
import { record, recordEvents, timeline, tmp } from './helpers.js';
import { LogWriter } from '../src/log/writer.js';
import { bisect } from '../src/bisect/index.js';
import { BUG_NAMES } from '../src/inject/classes.js';
import { makeRunConfig } from '../src/run-config.js';
import { Simulation } from '../src/simulation.js';
import { loadScenario } from '../src/workload/scenario.js';
import { createHash } from 'node:crypto';
import { encodeEvent } from '../src/events.js';

import { Injector, parseInjectSpec } from '../src/inject/injector.js';

// x486 seed 7 at 5% per opportunity: where each class first fires (measured under pte-chain,
// objrmap and anon_vma: 195..36,041), plus room; a run only needs to reach its first injection.
const FIRST_BY = { 'swapout-no-unlink': 40000, 'pt-free-live': 16000, 'munmap-no-unlink': 14000, 'cow-no-unlink': 14000 } as Record<
  string,
  number
>;
const CASES: Record<string, { events: number }> = Object.fromEntries(BUG_NAMES.map((b) => [b, { events: FIRST_BY[b] ?? 9000 }]));

/**
 * Record x486 seed 7 with `bug` injected at 5% and bisect it: on the injected event
 * ('exact'), or in its operation at or after it (at most `after` events later; null: no bound).
 */
function expectBisectLands(bug: string, opts: { rmap?: string }, after: 'exact' | number | null): void {
  const r = record({ events: CASES[bug].events, every: 8192, inject: `${bug}@0.05`, ...opts });
  expect(r.injected.length, `${bug} must fire`).toBeGreaterThan(0);
  const tl = timeline(r.path);
  const b = bisect(tl);
  expect(b).not.toBeNull();
  if (after === 'exact') expect(b!.event).toBe(r.injected[0]);
  else {
    expect(b!.op.start).toBeLessThanOrEqual(r.injected[0]);
    expect(b!.op.end).toBeGreaterThan(r.injected[0]);
    expect(b!.event).toBeGreaterThanOrEqual(r.injected[0]);
    if (after !== null) expect(b!.event - r.injected[0]).toBeLessThan(after);
  }
  expect(b!.culprit).not.toBeNull();
  tl.log.close();
}

describe('fault injection and bisect', { timeout: 30000 }, () => {
  // swapout-no-unlink on a file page whose skipped pte ends up the last on its chain (the
  // others are unlinked after it, so its link is NULL again by the operation's end): the
  // page's own rules see the stale head only when page_cache_del frees the page, 2 to 14
  // events later, and bisect names that event (x486 seeds 1, 2, 3, 5, 6, 7 and 8 since the
  // I/O changes of issue 9; an anonymous page, seed 4, lands exactly). As with objrmap below,
  // it names the operation and an event in it at or after the bug.
  for (const bug of BUG_NAMES) {
    const exact = bug !== 'swapout-no-unlink';
    it(`lands ${exact ? 'exactly on' : 'in the operation of'} the first injected ${bug}`, () => {
      expectBisectLands(bug, {}, exact ? 'exact' : 20);
    });
  }

  for (const [rmap, chainMode, bug] of [
    ['pte-pool', 'null', 'double-link'],
    ['pte_chain', 'null', 'pt-free-live'],
    ['pte-chain', 'circular', 'exit-no-unlink'],
    ['pte-chain', 'circular', 'double-link'],
  ] as const) {
    it(`lands exactly on ${bug} with --rmap ${rmap} --chain-mode ${chainMode}`, () => {
      const r = record({ events: 20000, every: 8192, inject: `${bug}@0.05`, rmap, chainMode });
      expect(r.injected.length).toBeGreaterThan(0);
      expect(bisect(timeline(r.path))!.event).toBe(r.injected[0]);
    });
  }

  // The 2.6 designs: every class applies. A file page under objrmap (and every page under
  // anon_vma) keeps only a count, not a link, so a forgotten unlink or a double link shows as a
  // count that disagrees with the ptes the vma walk finds (chain-length, free-page), not as a
  // dangling entry naming the pte. Bisect lands exactly on all but one: swapout-no-unlink of a
  // page with several ptes. There the count is one too high from the skipped unlink on, but
  // each later pte's normal unlink-then-clear makes it agree again for one event, so the
  // page's last stretch of failure starts at the page's last pte, not the skipped one; bisect
  // still names the operation, and an event in it at or after the bug.
  // npm test: three classes per 2.6 design (one a count-only miss); npm run soak: all of them
  const classes26 =
    process.env.MMSIM_SOAK === '1'
      ? BUG_NAMES
      : BUG_NAMES.filter((b) => ['fault-no-link', 'exit-no-unlink', 'swapout-no-unlink'].includes(b));
  for (const rmap of ['objrmap', 'anon_vma'] as const) {
    for (const bug of classes26) {
      const exact = bug !== 'swapout-no-unlink';
      it(`lands ${exact ? 'exactly on' : 'in the operation of'} the first injected ${bug} with --rmap ${rmap}`, () => {
        expectBisectLands(bug, { rmap }, exact ? 'exact' : null);
      });
    }
  }

  it('says nothing fails on a clean log', () => {
    const r = record({ events: 30000, every: 8192 });
    expect(bisect(timeline(r.path))).toBeNull();
  });

  it('lands on a late bug past several snapshots, and honours --invariant', () => {
    // past the sixth snapshot (one every 8,192 events)
    const r = record({ events: 60000, every: 8192, inject: 'fault-no-link@0.5', after: 50000 });
    expect(r.injected[0]).toBeGreaterThan(50000);
    const tl = timeline(r.path);
    const b = bisect(tl)!;
    expect(b.event).toBe(r.injected[0]);
    expect(b.invariant).toBe('pte-on-chain');
    expect(b.context.map(([i]) => i)).toEqual(Array.from({ length: 11 }, (_, k) => b.event - 5 + k));
    expect(bisect(tl, new Set(['clock-hand']))).toBeNull();
  });

  it('leaves runs without --inject byte-identical (same events as a run whose injector never fires)', () => {
    // Each class enabled but armed only after the run ends: the injector is consulted at each of
    // its sites yet must change nothing, so the event streams are the same, event for event.
    // (A fixed hash of this stream once stood here; it changed with every deliberate change of
    // behaviour, which the golden snapshots already track.)
    const streamHash = (bug?: string): string => {
      const sim = new Simulation(makeRunConfig(loadScenario('x486'), { seed: '7' }), 'direct');
      if (bug !== undefined) sim.kernel.inject = new Injector(parseInjectSpec(bug, 10_000_000, 1000), '7', () => sim.machine.events);
      const h = createHash('sha256');
      const buf: number[] = [];
      sim.machine.sink = (e) => {
        encodeEvent(e, buf);
        if (buf.length > 65536) {
          h.update(Float64Array.from(buf));
          buf.length = 0;
        }
      };
      sim.run(50000);
      h.update(Float64Array.from(buf));
      return h.digest('hex');
    };
    const plain = streamHash();
    for (const bug of BUG_NAMES) expect(streamHash(bug), bug).toBe(plain);
  });

  it('draws from its own stream only when the class is enabled', () => {
    const a = new Injector(parseInjectSpec('double-link@0.5', 0, 1000), 's');
    const b = new Injector(parseInjectSpec('double-link@0.5', 0, 1000), 's');
    const seq = (i: Injector) =>
      Array.from({ length: 50 }, () => {
        i.fire('fault-no-link');
        return i.fire('double-link');
      });
    expect(seq(a)).toEqual(seq(b));
    expect(() => parseInjectSpec('no-such-bug')).toThrow(/BUG is one of fault-no-link/);
    expect(() => parseInjectSpec('count-leak@2')).toThrow(/out of range: a probability in \(0, 1\]/);
  });
});

describe('bisect when the breakage heals before the end', { timeout: 30000 }, () => {
  it('still finds it (the end is sound, so every operation is checked)', () => {
    const { sim, events } = recordEvents('x486', '7', 30000);
    // an extra reference taken inside one fault and dropped ~200 events later, at a boundary
    const link = events.findIndex((e, i) => i > 10000 && e.t === 'pte_link');
    const pfn = (events[link] as Extract<(typeof events)[number], { t: 'pte_link' }>).pfn;
    const drop = events.findIndex((e, i) => i > link + 200 && e.t === 'op');
    const edited = [
      ...events.slice(0, link + 1),
      { t: 'get_page', pfn } as const,
      ...events.slice(link + 1, drop),
      { t: 'put_page', pfn } as const,
      ...events.slice(drop),
    ];
    const path = tmp('heals.mmlog');
    const w = new LogWriter(path, { config: sim.cfg, initial: sim.initial }); // no snapshots: none can see it
    for (const e of edited) w.event(e);
    w.close({ hash: '0'.repeat(64) }); // never verified here; the reader only needs one
    const b = bisect(timeline(path))!;
    expect(b).not.toBeNull();
    expect(b.event).toBe(link + 1);
    expect(b.invariant).toBe('page-count');
  });
});

describe('check sees a page table freed under live links at once', { timeout: 30000 }, () => {
  it('flags the operation that freed it, as bisect does', async () => {
    const { StreamChecker } = await import('../src/check/run.js');
    const r = record({ events: 20000, every: 8192, inject: 'pt-free-live@1' });
    expect(r.injected.length).toBe(1);
    const tl = timeline(r.path);
    const c = new StreamChecker(tl.copyAt(0), { fullEvery: 1000000 });
    for (const [, e] of tl.range(0, tl.events)) if (!c.step(e)) break;
    expect(c.failure).not.toBeNull();
    const b = bisect(tl)!;
    expect(c.failure!.event).toBe(b.op.end - 1);
    expect(b.event).toBe(r.injected[0]);
  });
});
