import { describe, expect, it } from 'vitest';
import { bisect } from '../../src/bisect/index.js';
import { SMP_BUG_NAMES } from '../../src/inject/classes.js';
import { parseInjectSpec } from '../../src/inject/injector.js';
import { recordRun } from '../../src/log/record.js';
import { makeRunConfig } from '../../src/run-config.js';
import { loadScenario } from '../../src/workload/scenario.js';
import { cli, timeline, tmp } from '../helpers.js';

// forky in 2M (kswapd starts sooner than in its 4M), seed 7, 4 CPUs, pct:3, --locking fine,
// every opportunity taken: where each mistake first breaks a locking rule (measured: events
// 246, 16,135, 9,776 and 7,538), plus room.
const CASES = {
  'lock-order': { events: 1000, invariant: 'smp-lock-order' },
  'fault-no-page-lock': { events: 17000, invariant: 'smp-chain-race' },
  'kswapd-no-trylock': { events: 11000, invariant: 'smp-pte-race' },
  'no-tlb-shootdown': { events: 9000, invariant: 'smp-stale-tlb' },
} as const;

describe('locking-mistake injection (--cpus 4 --locking fine)', { timeout: 60000 }, () => {
  it('covers every SMP class', () => {
    expect(Object.keys(CASES).sort()).toEqual([...SMP_BUG_NAMES].sort());
  });

  for (const bug of SMP_BUG_NAMES) {
    it(`${bug}: the schedule exposes it, and bisect lands in the injected operation on the racing event`, () => {
      const cfg = makeRunConfig(loadScenario('forky'), { seed: '7', cpus: 4, sched: 'pct:3', locking: 'fine', mem: '2M' });
      const r = recordRun(tmp(`${bug}.mmlog`), cfg, {
        events: CASES[bug].events,
        snapshotEvery: 8192,
        inject: parseInjectSpec(`${bug}@1`, 0, 1000000),
      });
      expect(r.injected.length).toBeGreaterThan(0);
      const tl = timeline(r.path);
      const b = bisect(tl);
      tl.log.close();
      expect(b).not.toBeNull();
      expect(b?.violations[0].invariant).toBe(CASES[bug].invariant);
      // the violation names the event; bisect lands on it, inside an operation where the mistake was made
      expect(b?.violations[0].message).toContain(`event ${b?.event},`);
      expect(r.injected.some((i) => i >= (b?.op.start ?? 0) && i <= (b?.op.end ?? 0))).toBe(true);
      // these two break their rule at the very event the mistake was made at
      if (bug === 'lock-order' || bug === 'no-tlb-shootdown') expect(b?.event).toBe(r.injected[0]);
    });
  }

  it('no-tlb-shootdown: mmsim explore --cpus 2 finds it within its default budget (x486, bkl, rr, 100 schedules)', async () => {
    const r = await cli(['explore', '--cpus', '2', '--inject', 'no-tlb-shootdown', '--jobs', '1']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('smp-stale-tlb');
    expect(r.stdout).toMatch(/FAILED: schedule \d+/);
  });

  it('refuses no-tlb-shootdown with one CPU (there is nothing to shoot down)', async () => {
    const r = await cli(['record', '--scenario', 'tiny', '--events', '100', '--inject', 'no-tlb-shootdown', '-o', tmp('y.mmlog')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no-tlb-shootdown is an SMP mistake: it needs --cpus 2 or more');
  });

  it('refuses a locking mistake without --cpus 2+ --locking fine', async () => {
    const r = await cli(['record', '--scenario', 'tiny', '--events', '100', '--inject', 'lock-order', '-o', tmp('x.mmlog')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('needs --cpus 2 or more and --locking fine');
  });
});
