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
  x486: '3d3af61ad6509c7005cb179f37b5cc974172bbf01058b766b781c73685388d0b',
  forky: '3d5ac11d0fa41250a34e4ca87558e2cad50cf49b95d7497915b78faeddd5003a',
  tiny: '0f604290225786640f0af9df88f687607c9e3a4a2f58439e3189150bed1941df',
  'tiny/pte_chain/active-inactive': '088c390ec41458f1c6b99d84902d361aa78a283bf70996dd9208f733a34b70aa',
  strict: '693697a8cfeb0dbf58e7565d31437ed8ef30d03d2bc228963ccbb456f5b57e76',
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
