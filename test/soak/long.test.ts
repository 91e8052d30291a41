// npm run soak: long runs with the invariant checker, outside `npm test`.
import { describe, expect, it } from 'vitest';
import { StreamChecker } from '../../src/check/run.js';
import { cloneState } from '../../src/snapshot/clone.js';
import { simulation } from '../helpers.js';
import { replayToken } from '../../src/cli/replay-token.js';

const soak = process.env.MMSIM_SOAK === '1';

describe.runIf(soak)('soak', () => {
  it.each(['x486', 'forky', 'tiny'])(
    '%s: 2M events, every operation checked',
    (scenario) => {
      for (const seed of ['1', '2', '3']) {
        const sim = simulation(scenario, seed);
        const c = new StreamChecker(cloneState(sim.initial), { fullEvery: 64 });
        let ok = true;
        sim.machine.sink = (e) => {
          if (ok) ok = c.step(e);
        };
        sim.run(2000000);
        if (ok) ok = c.finish();
        expect(
          ok,
          `replay: ${replayToken({ config: sim.cfg }, c.failure?.event ?? 0).line}\n${JSON.stringify(c.failure?.violations.slice(0, 3))}`,
        ).toBe(true);
      }
    },
    600000,
  );
});
