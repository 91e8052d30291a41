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

const PINNED: Record<string, string> = {
  x486: '959b6dbe8dbdd0faf69af9897e6a745bd0d7e2ab81cb30adb6e7ec23d5e7e3e1',
  forky: '4a67f9e0bc155d15431ac98ff338152ede332d86cc88d417d072d96bef845d18',
  tiny: '8c9839471a81a73bf7e9ab9bf6325330b8cb00df3e407bf7ba5b3f6d8907ff9e',
  // pte_chain's slice gained its slab pages list; 2.4.0's active-inactive slice carries swap_out's cursors
  'tiny/pte_chain/active-inactive': '16294d34e1ab71c3e6000ff913dd6a22eeb1c3fb6d8ab6f31031b4115e5ab60e',
  strict: '286054e97e890d9f740b5f0eadee5986e7e333a797bec076dd1e53c835462242',
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
