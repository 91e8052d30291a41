import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FreeUserFrames } from '../../src/trace/free-frames.js';
import { runTrace } from '../../src/trace/run.js';
import { runMmtrace } from '../../src/trace/mmtrace.js';
import { runReferenceString } from '../../src/trace/refstring.js';

const FIXTURE = new URL('../fixtures/walk.lackey.gz', import.meta.url).pathname;
const EXAMPLE = new URL('../fixtures/example.mmtrace', import.meta.url).pathname;
// npm test runs a quarter of the cases; npm run soak (MMSIM_SOAK=1) runs them all
const params = {
  numRuns: process.env.MMSIM_SOAK === '1' ? 200 : 50,
  ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH } : {}),
};

describe('FreeUserFrames', () => {
  it('answers "first free frame at or after the hand, wrapping" as a plain array does', () => {
    const op = fc.record({
      pfn: fc.integer({ min: 90, max: 1200 }),
      count: fc.constantFrom(1, 1, 2, 4, 32),
      free: fc.boolean(),
      hand: fc.nat(),
    });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1100 }), fc.array(op, { maxLength: 60 }), (n, ops) => {
        const base = 100;
        const f = new FreeUserFrames(base, n);
        const free = new Array<boolean>(n).fill(false);
        for (const o of ops) {
          f.mark(o.pfn, o.count, o.free);
          for (let p = o.pfn; p < o.pfn + o.count; p++) if (p >= base && p < base + n) free[p - base] = o.free;
          const hand = base + (o.hand % n);
          let want = -1;
          for (let d = 0; d < n; d++) {
            if (free[(hand - base + d) % n]) {
              want = base + ((hand - base + d) % n);
              break;
            }
          }
          expect(f.next(hand)).toBe(want);
        }
      }),
      params,
    );
  });
});

describe('the strict allocator with the index gives the frame the free-list walk gives', () => {
  it('on the lackey fixture, every policy, with the same final state', async () => {
    for (const policy of ['clock', 'fifo', 'lru', 'opt'] as const) {
      for (const frames of [3, 16, 200]) {
        const checked = await runTrace(FIXTURE, { format: 'lackey', frames, policy, freeFrameIndex: 'checked', hash: true });
        const walked = await runTrace(FIXTURE, { format: 'lackey', frames, policy, freeFrameIndex: 'off', hash: true });
        expect(checked.stateHash).toBe(walked.stateHash);
        expect(checked.events).toBe(walked.events);
      }
    }
  });

  it('on mmtrace, where exit and munmap free frames outside reclaim', async () => {
    for (const frames of [2, 5]) {
      const checked = await runMmtrace(EXAMPLE, { frames, policy: 'lru', freeFrameIndex: 'checked', hash: true });
      const walked = await runMmtrace(EXAMPLE, { frames, policy: 'lru', freeFrameIndex: 'off', hash: true });
      expect(checked.stateHash).toBe(walked.stateHash);
    }
  });

  it('on random reference strings', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 80 }),
        fc.integer({ min: 1, max: 12 }),
        fc.constantFrom('clock', 'fifo', 'lru', 'opt'),
        (s, frames, policy) => {
          const a = runReferenceString(s, { frames, policy, freeFrameIndex: 'checked' });
          const b = runReferenceString(s, { frames, policy, freeFrameIndex: 'off' });
          expect(a).toEqual(b);
        },
      ),
      { ...params, numRuns: process.env.MMSIM_SOAK === '1' ? 100 : 25 },
    );
  });
});
