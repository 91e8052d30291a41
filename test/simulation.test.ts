import { describe, expect, it } from 'vitest';
import { makeRunConfig } from '../src/run-config.js';
import { Simulation } from '../src/simulation.js';
import { loadScenario } from '../src/workload/scenario.js';
import type { Event } from '../src/events.js';
import { stateHash } from '../src/snapshot/hash.js';

/**
 * Events of a run up to (not including) the first reclaim activity. The designs' reverse-map
 * updates cost different time (chainStepNs per entry walked; `none` links nothing), so that
 * cost is set to 0 here: what is compared is what the kernel does, not how long it takes.
 */
function beforeReclaim(scenario: string, reclaim: string, rmap: string, seed: string): Event[] {
  const sim = new Simulation(makeRunConfig(loadScenario(scenario), { seed, reclaim, rmap, cost: { chainStepNs: 0 } }), 'direct');
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
    it(`${scenario}: one reverse map under two policies emits identical events before the first reclaim`, () => {
      for (const seed of ['1', '2']) {
        const ref = beforeReclaim(scenario, 'clock', 'pte_chain', seed);
        expect(ref.length).toBeGreaterThan(100);
        const got = beforeReclaim(scenario, 'old', 'pte_chain', seed);
        expect(got.length).toBe(ref.length);
        expect(got).toEqual(ref);
      }
    });
    it(`${scenario}: every reverse map takes the same faults before the first reclaim`, () => {
      const faults = (evs: Event[]): string[] => evs.filter((e) => e.t === 'fault').map((e) => JSON.stringify(e));
      const ref = faults(beforeReclaim(scenario, 'old', 'none', '1'));
      for (const rmap of ['pte-chain', 'pte-pool', 'pte_chain']) {
        const got = faults(beforeReclaim(scenario, 'clock', rmap, '1'));
        // link pages and slab pages use memory, so reclaim starts sooner: compare the common prefix
        expect(got.length, rmap).toBeGreaterThan(20);
        expect(got, rmap).toEqual(ref.slice(0, got.length));
      }
    });
  }
});

describe('Simulation.run bounds the boot too', () => {
  const capture = () => new Simulation(makeRunConfig(loadScenario('test/fixtures/machine-capture.json'), { seed: '1' }), 'direct');

  it("stops a captured machine's boot at the event count (its boot alone is over 8,000 events)", () => {
    const whole = capture();
    whole.finishBoot();
    expect(whole.machine.events).toBeGreaterThan(8000);
    const sim = capture();
    sim.run(1000);
    // one operation past the bound at most: a fault with its reclaim is well under 200 events here
    expect(sim.machine.events).toBeGreaterThanOrEqual(1000);
    expect(sim.machine.events).toBeLessThan(1200);
  });

  it('a run stopped inside the boot and continued ends where one run would (same hash)', () => {
    const a = capture();
    a.run(1000);
    a.run(3000);
    const hashA = stateHash(a.run(12000)); // past the boot's 8,363 events
    expect(hashA).toBe(stateHash(capture().run(12000)));
  });

  it('stops the boot of a scenario with many boot processes at the event count', () => {
    const sim = new Simulation(makeRunConfig(loadScenario('x486'), { seed: '1' }), 'direct');
    sim.run(1);
    expect(sim.machine.events).toBeLessThan(20); // one exec, where the whole boot is 77 events
  });
});
