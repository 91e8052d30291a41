// Golden snapshots: each built-in scenario, recorded again, must reach exactly the stored
// states. This suite only reads snapshots/; `npm run snapshots:update` writes them.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { compareGolden, GOLDEN, goldenName, goldenStates, readGolden } from '../src/snapshot/golden.js';
import { makeRunConfig } from '../src/run-config.js';
import { Simulation } from '../src/simulation.js';
import { loadScenario } from '../src/workload/scenario.js';
import { apply } from '../src/reducer/index.js';
import { copyState } from '../src/snapshot/copy.js';
import type { Event } from '../src/events.js';

const DIR = join(import.meta.dirname, '..', 'snapshots');

describe('golden snapshots', { timeout: 30000 }, () => {
  for (const g of GOLDEN) {
    it(`${g.scenario} seed ${g.seed} at events ${g.at.join(', ')}`, () => {
      const states = goldenStates(g);
      for (const at of g.at) {
        const gold = readGolden(DIR, goldenName(g, at));
        expect(gold.event).toBe(at);
        const msg = compareGolden(gold.state, states.get(at)!);
        expect(msg, msg ?? '').toBeNull();
      }
    });
  }

  it('fails with a readable message when one event is perturbed', () => {
    const g = GOLDEN.find((x) => x.scenario === 'tiny')!;
    const at = g.at[0];
    const sim = new Simulation(makeRunConfig(loadScenario(g.scenario), { seed: g.seed }), 'direct');
    const events: Event[] = [];
    sim.machine.sink = (e) => {
      if (events.length < at) events.push(e);
    };
    sim.run(at);
    // one get_page lands on the neighbouring frame
    const k = events.findIndex((e) => e.t === 'get_page');
    expect(k).toBeGreaterThanOrEqual(0);
    const victim = events[k] as Extract<Event, { t: 'get_page' }>;
    const perturbed = events.map((e, i) => (i === k ? { ...victim, pfn: victim.pfn + 1 } : e));
    const s = copyState(sim.initial);
    for (const e of perturbed) apply(s, e);
    const msg = compareGolden(readGolden(DIR, goldenName(g, at)).state, s);
    expect(msg).not.toBeNull();
    expect(msg).toContain(`page ${victim.pfn}: count expected`);
    expect(msg).toMatch(new RegExp(`page ${victim.pfn + 1}: count expected \\d+, actual \\d+`));
    // and the unperturbed events reproduce it exactly
    const t = copyState(sim.initial);
    for (const e of events) apply(t, e);
    expect(compareGolden(readGolden(DIR, goldenName(g, at)).state, t)).toBeNull();
  });
});
