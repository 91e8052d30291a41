// For many seeds of every scenario, every invariant holds at every kernel-operation
// boundary of a short run. A failure prints the scenario, seed and event to replay.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { StreamChecker } from '../../src/check/run.js';
import { formatViolation } from '../../src/check/violation.js';
import { cloneState } from '../../src/snapshot/clone.js';
import { recordEvents } from '../helpers.js';
import type { RunOptions } from '../../src/run-config.js';
import { replayToken } from '../../src/cli/replay-token.js';

/** npm test runs a tenth of the seeds (a 20th of tiny's 200, a 50th of forky's and x486's 100); npm run soak (MMSIM_SOAK=1) runs them all. */
const runs = (n: number, min = 2, fraction = 10): number => (process.env.MMSIM_SOAK === '1' ? n : Math.max(min, Math.round(n / fraction)));

function holds(scenario: string, seed: string, events: number, fullEvery: number, opts: Partial<RunOptions> = {}): void {
  const { sim, events: evs } = recordEvents(scenario, seed, events, opts);
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
}

describe('invariants hold over many seeds', () => {
  it(`tiny: ${runs(200, 2, 20)} seeds, full check at every operation, both chain modes`, { timeout: 120000 }, () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1 << 30 }), fc.boolean(), (seed, circular) => {
        holds('tiny', String(seed), 1500, 1, { chainMode: circular ? 'circular' : 'null' });
      }),
      { numRuns: runs(200, 2, 20), seed: 4242 },
    );
  });

  it(`forky: ${runs(100, 2, 50)} seeds`, { timeout: 120000 }, () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1 << 30 }), (seed) => {
        holds('forky', String(seed), 6000, 8);
      }),
      { numRuns: runs(100, 2, 50), seed: 4243 },
    );
  });

  it(`x486: ${runs(100, 2, 50)} seeds`, { timeout: 120000 }, () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1 << 30 }), (seed) => {
        holds('x486', String(seed), 8000, 16);
      }),
      { numRuns: runs(100, 2, 50), seed: 4244 },
    );
  });
});

describe('every reclaim/rmap design keeps every invariant', () => {
  const designs: Array<[string, string]> = [
    ['clock', 'pte-pool'],
    ['clock', 'pte_chain'],
    ['active-inactive', 'pte-chain'],
    ['active-inactive', 'none'],
    ['2.4-rmap', 'pte-chain'],
    ['old', 'pte-chain'],
    ['old', 'pte-pool'],
    ['old', 'pte_chain'],
    ['old', 'none'],
    ['clock', 'objrmap'],
    ['clock', 'anon_vma'],
    ['2.4-rmap', 'objrmap'],
    ['2.4-rmap', 'anon_vma'],
    ['old', 'objrmap'],
    ['old', 'anon_vma'],
  ];
  it.each(designs)(`%s/%s: tiny ${runs(40, 2, 20)} seeds, forky and x486 ${runs(10, 1)} each`, { timeout: 180000 }, (reclaim, rmap) => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1 << 30 }), (seed) => {
        holds('tiny', String(seed), 2000, 1, { reclaim, rmap });
      }),
      { numRuns: runs(40, 2, 20), seed: 77 },
    );
    for (const scenario of ['forky', 'x486']) {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 1 << 30 }), (seed) => {
          // a full check of forky's and x486's frames costs several of tiny's: every 64th operation there
          holds(scenario, String(seed), 8000, 64, { reclaim, rmap });
        }),
        // one seed each in npm test: tiny's runs above check every operation of every design
        { numRuns: runs(10, 1), seed: 78 },
      );
    }
  });
});
