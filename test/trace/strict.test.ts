// StrictRun.refBlock (src/trace/strict.ts), the loop pass 3 drives the machine with: the
// same events, state and counts as ref() for each reference, whatever the policy, the
// writes, the next uses (OPT) and where the blocks are cut.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { hotAndFarRefs } from './arbitraries.js';
import { describe, expect, it } from 'vitest';
import { encodeEvent } from '../../src/events.js';
import { AddressFolder } from '../../src/trace/fold.js';
import { nextUses, StrictRun, type StrictOptions } from '../../src/trace/strict.js';
import { stateHash } from '../../src/snapshot/hash.js';
import { PAGE_SIZE } from '../../src/arch/i386/page.js';
import type { StrictPolicyName } from '../../src/reclaim/strict.js';

const params = {
  numRuns: process.env.MMSIM_SOAK === '1' ? 200 : 40,
  ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH } : {}),
};

/** Events (as integers), result and state hash of a run fed by `feed`. */
function runWith(
  opts: StrictOptions,
  regions: number,
  feed: (run: StrictRun, mm: number) => void,
): { events: string; result: ReturnType<StrictRun['result']> } {
  const h = createHash('sha256');
  const buf: number[] = [];
  const run = new StrictRun({ ...opts, sink: (e) => encodeEvent(e, buf) }, regions);
  const mm = run.startSingle();
  feed(run, mm);
  return { events: h.update(Float64Array.from(buf)).digest('hex'), result: run.result(stateHash) };
}

describe('StrictRun.refBlock', () => {
  it('gives the events, state and counts of ref() per reference', () => {
    fc.assert(
      fc.property(
        hotAndFarRefs(150),
        fc.integer({ min: 1, max: 12 }),
        fc.constantFrom<StrictPolicyName>('clock', 'fifo', 'lru', 'opt'),
        fc.boolean(),
        fc.array(fc.nat(150), { maxLength: 4 }),
        (refs, frames, policy, clockRefOnLoad, cuts) => {
          const folder = new AddressFolder('test');
          const folded = refs.map(([p]) => folder.fold(p));
          const words = Uint32Array.from(folded.map((f, i) => (f << 1) | (refs[i][1] ? 1 : 0)));
          const next = Float64Array.from(nextUses(folded));
          const opts = { frames, policy, clockRefOnLoad };
          const one = runWith(opts, folder.regionCount, (run, mm) => {
            for (let i = 0; i < words.length; i++) run.ref(mm, folded[i] * PAGE_SIZE, refs[i][1], next[i]);
          });
          // blocks cut at arbitrary places, as pass 3 cuts them every 64K references
          const ends = [...new Set([...cuts.map((c) => Math.min(c, words.length)), words.length])].sort((a, b) => a - b);
          const blocks = runWith(opts, folder.regionCount, (run, mm) => {
            let start = 0;
            for (const end of ends) {
              run.refBlock(mm, words.subarray(start, end), end - start, next.subarray(start, end));
              start = end;
            }
          });
          expect(blocks.result).toEqual(one.result);
          expect(blocks.events).toBe(one.events);
        },
      ),
      params,
    );
  });
});
