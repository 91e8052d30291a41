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
// keep 2,048 buckets; forky, tiny and the strict machine now have fewer or more.
const PINNED: Record<string, string> = {
  x486: '959b6dbe8dbdd0faf69af9897e6a745bd0d7e2ab81cb30adb6e7ec23d5e7e3e1',
  forky: '09caa27d69d5babc206b283a47da943eadb7b436b6bd60114fe73df07375ee19',
  tiny: 'ca47f6418332585e6e5ff5a212e888dabe2cf44ecf95aef886f80438e61826fe',
  'tiny/pte_chain/active-inactive': '21db69974d96b98d48ac799787c252f1f7036eee3fa4d2419c5e2ec3e8990539',
  strict: 'a3173f1d58e896343a2e0fb3d6fab8e604814ab132ad58066f3e57fbc5d2e6fd',
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
