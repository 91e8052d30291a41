import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runReferenceString } from '../src/trace/refstring.js';
import { clockFaults, fifoFaults, lruFaults, optFaults } from './reference-models.js';

// Replay a failure with FC_SEED=<seed printed in the failure> (and FC_PATH=<path>).
// npm test runs a quarter of the cases; npm run soak (MMSIM_SOAK=1) runs them all
const params = {
  numRuns: process.env.MMSIM_SOAK === '1' ? 60 : 20,
  ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH } : {}),
};

const trace = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 50 });
const f = (s: number[], frames: number, policy: 'fifo' | 'lru' | 'opt' | 'clock', ref?: boolean): number =>
  runReferenceString(s, { frames, policy, clockRefOnLoad: ref }).faults;

describe('strict mode, random reference strings', () => {
  it('OPT never faults more than FIFO, LRU or either CLOCK; LRU and OPT never fault more with more frames', () => {
    fc.assert(
      fc.property(trace, fc.integer({ min: 1, max: 6 }), (s, frames) => {
        const opt = f(s, frames, 'opt');
        for (const other of [f(s, frames, 'fifo'), f(s, frames, 'lru'), f(s, frames, 'clock'), f(s, frames, 'clock', false)]) {
          expect(opt).toBeLessThanOrEqual(other);
        }
        expect(f(s, frames + 1, 'lru')).toBeLessThanOrEqual(f(s, frames, 'lru'));
        expect(f(s, frames + 1, 'opt')).toBeLessThanOrEqual(opt);
      }),
      params,
    );
  });

  it('the full machine agrees with the textbook models exactly', () => {
    fc.assert(
      fc.property(trace, fc.integer({ min: 1, max: 6 }), (s, frames) => {
        expect(f(s, frames, 'fifo')).toBe(fifoFaults(s, frames));
        expect(f(s, frames, 'lru')).toBe(lruFaults(s, frames));
        expect(f(s, frames, 'opt')).toBe(optFaults(s, frames));
        expect(f(s, frames, 'clock')).toBe(clockFaults(s, frames, true));
        expect(f(s, frames, 'clock', false)).toBe(clockFaults(s, frames, false));
      }),
      params,
    );
  });
});
