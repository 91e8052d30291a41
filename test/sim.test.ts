import { describe, expect, it } from 'vitest';
import { makeRunConfig, ConfigError, Simulation } from '../src/sim.js';
import { loadScenario } from '../src/workload/scenario.js';
import type { Event } from '../src/events.js';

describe('run configuration: rmap and reclaim combinations', () => {
  it('--rmap none is rejected with --reclaim clock, naming both values and what is allowed', () => {
    const sc = loadScenario('tiny');
    expect(() => makeRunConfig(sc, { seed: '1', rmap: 'none', reclaim: 'clock' })).toThrow(ConfigError);
    expect(() => makeRunConfig(sc, { seed: '1', rmap: 'none', reclaim: 'clock' })).toThrow(
      /--rmap none cannot run with --reclaim clock.*allowed only with --reclaim old.*pte-chain, pte-pool, pte_chain/,
    );
    expect(makeRunConfig(sc, { seed: '1', rmap: 'none', reclaim: 'old' }).rmap).toBe('none');
    for (const rmap of ['pte-chain', 'pte-pool', 'pte_chain']) {
      for (const reclaim of ['clock', 'old']) expect(makeRunConfig(sc, { seed: '1', rmap, reclaim }).reclaim).toBe(reclaim);
    }
  });
});

/** Events of a run up to (not including) the first reclaim activity. */
function beforeReclaim(scenario: string, reclaim: string, rmap: string, seed: string): Event[] {
  const sim = new Simulation(makeRunConfig(loadScenario(scenario), { seed, reclaim, rmap }), 'direct');
  const out: Event[] = [];
  let done = false;
  sim.machine.sink = (e) => {
    if (done) return;
    const reclaiming =
      e.t === 'clock_advance' ||
      e.t === 'swap_out' ||
      e.t === 'swap_scan' ||
      e.t === 'free_state' ||
      e.t === 'swap_cnt' ||
      e.t === 'swap_skip' ||
      (e.t === 'op' && e.kind === 8) /* kswapd */;
    if (reclaiming) done = true;
    else out.push(e);
  };
  for (let i = 0; i < 200000 && !done; i++) sim.workload.step();
  expect(done, 'the run must reach reclaim').toBe(true);
  return out;
}

describe('all designs behave the same until reclaim differs', () => {
  for (const scenario of ['tiny', 'forky']) {
    it(`${scenario}: designs with order-0 page tables emit identical events before the first reclaim`, () => {
      for (const seed of ['1', '2']) {
        const ref = beforeReclaim(scenario, 'clock', 'pte_chain', seed);
        expect(ref.length).toBeGreaterThan(100);
        for (const [reclaim, rmap] of [
          ['clock', 'pte-pool'],
          ['old', 'none'],
          ['old', 'pte_chain'],
        ]) {
          const got = beforeReclaim(scenario, reclaim, rmap, seed);
          expect(got.length, `${reclaim}/${rmap}`).toBe(ref.length);
          expect(got).toEqual(ref);
        }
      }
    });
    it(`${scenario}: pte-chain (order-1 page tables) takes the same faults before the first reclaim`, () => {
      const faults = (evs: Event[]): string[] => evs.filter((e) => e.t === 'fault').map((e) => JSON.stringify(e));
      const ref = faults(beforeReclaim(scenario, 'old', 'none', '1'));
      const got = faults(beforeReclaim(scenario, 'clock', 'pte-chain', '1'));
      // its link pages use memory, so reclaim starts sooner: compare the common prefix
      expect(got.length).toBeGreaterThan(20);
      expect(got).toEqual(ref.slice(0, got.length));
    });
  }
});
