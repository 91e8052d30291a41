// Boot builds its state through the reducer (src/reducer/boot.ts); src/mm/boot.ts only
// chooses what to build. The initial states are pinned by hash: they were computed from the
// boot that wrote the state itself, so any change in what boot produces fails here.

import { describe, expect, it } from 'vitest';
import { bootState, emptyState } from '../../src/reducer/boot.js';
import { initialState, makeRunConfig } from '../../src/run-config.js';
import { stateHash } from '../../src/snapshot/hash.js';
import { StrictRun } from '../../src/trace/strict.js';
import { loadScenario } from '../../src/workload/scenario.js';
import { getPage } from '../../src/state.js';
import { PG_reserved } from '../../src/include/page-flags.js';

// Re-pinned when the page hash became sized by memory (pageHashBuckets): x486's 2,048 frames
// keep 2,048 buckets; forky, tiny and the strict machine now have fewer or more. Again when
// issue 9 added State.io (the block devices) and the I/O counters to the stats.
const PINNED: Record<string, string> = {
  x486: '3d3af61ad6509c7005cb179f37b5cc974172bbf01058b766b781c73685388d0b',
  forky: 'e37f11568c9dabbd140449e79572dcbe1b4e1458d78f3d71f071ff7cc1a61bfe',
  tiny: '58bd9d6815360fd52f87914be399cc94fe950c89e259745a78a0bc7188139c22',
  // pte_chain's slice has its slab pages list; 2.4.0's active-inactive slice carries swap_out's cursors
  'tiny/pte_chain/active-inactive': '7abcb6347ebb7a9f0a41f1194984f5972e3d5f256f23652a1b59efbb5567b7e1',
  strict: 'ca80243ce5b753171b04acfbc8589206251f0e6289652df9eedd45f52c4e157d',
};

describe('boot', () => {
  for (const scenario of ['x486', 'forky', 'tiny']) {
    it(`${scenario}: the initial state is unchanged`, () => {
      expect(stateHash(initialState(makeRunConfig(loadScenario(scenario), { seed: '1' })))).toBe(PINNED[scenario]);
    });
  }

  it('tiny under pte_chain and active-inactive: the designs build their slices', () => {
    const cfg = makeRunConfig(loadScenario('tiny'), { seed: '1', rmap: 'pte_chain', reclaim: 'active-inactive' });
    expect(stateHash(initialState(cfg))).toBe(PINNED['tiny/pte_chain/active-inactive']);
  });

  it('a strict trace machine: the initial state is unchanged', () => {
    const run = new StrictRun({ frames: 64, policy: 'clock' }, 2);
    expect(stateHash(run.initial)).toBe(PINNED.strict);
  });

  it('before mem_init every frame is reserved and no list holds a block', () => {
    const s = emptyState({ nframes: 256, reserved: 40, swapSlots: 64, rmap: 'pte-chain', reclaim: 'clock' });
    expect(s.nrFree).toBe(0);
    expect(getPage(s, 255).flags & PG_reserved).toBe(PG_reserved);
    expect(s.freeArea.every((a) => a.head === -1)).toBe(true);
  });

  it('frames past the reservation are free, frames below it reserved', () => {
    const s = bootState({ nframes: 256, reserved: 40, swapSlots: 64, rmap: 'pte-chain', reclaim: 'clock' });
    expect(s.nrFree).toBe(216);
    expect(getPage(s, 39).flags & PG_reserved).toBe(PG_reserved);
    expect(getPage(s, 40).flags & PG_reserved).toBe(0);
    expect(getPage(s, 40).count).toBe(0);
    expect(s.stats.events).toBe(0);
  });
});
