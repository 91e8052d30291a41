import { describe, expect, it } from 'vitest';
import { makeRunConfig, ConfigError } from '../src/run-config.js';
import { loadScenario } from '../src/workload/scenario.js';

describe('run configuration: rmap and reclaim combinations', () => {
  it('--rmap none is rejected with --reclaim clock, naming both values and what is allowed', () => {
    const sc = loadScenario('tiny');
    expect(() => makeRunConfig(sc, { seed: '1', rmap: 'none', reclaim: 'clock' })).toThrow(ConfigError);
    expect(() => makeRunConfig(sc, { seed: '1', rmap: 'none', reclaim: 'clock' })).toThrow(
      /--rmap none cannot run with --reclaim clock.*allowed only with --reclaim old.*pte-chain, pte-pool, pte_chain/,
    );
    expect(makeRunConfig(sc, { seed: '1', rmap: 'none', reclaim: 'old' }).rmap).toBe('none');
    for (const rmap of ['pte-chain', 'pte-pool', 'pte_chain']) {
      for (const reclaim of ['clock', 'old']) expect(makeRunConfig(sc, { seed: '1', rmap, reclaim }).reclaim).toBe(reclaim);
    }
  });
});
