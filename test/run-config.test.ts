import { describe, expect, it } from 'vitest';
import { DEFAULT_COSTS } from '../src/include/costs.js';
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

describe('run configuration: costs (src/include/costs.ts, --cost NAME=VALUE)', () => {
  const sc = loadScenario('tiny');
  it('a --cost overrides the default and the scenario; the run config carries it in latencies', () => {
    const withScenario = { ...sc, latencies: { diskReadUs: 9000 } };
    expect(makeRunConfig(withScenario, { seed: '1' }).latencies.diskReadUs).toBe(9000);
    expect(makeRunConfig(withScenario, { seed: '1', cost: { diskReadUs: 5000 } }).latencies.diskReadUs).toBe(5000);
    expect(makeRunConfig(sc, { seed: '1' }).latencies).toEqual(DEFAULT_COSTS);
  });
  it('an unknown name or a value that is not a whole number from 0 is refused, naming it and what is allowed', () => {
    expect(() => makeRunConfig(sc, { seed: '1', cost: { bogus: 1 } as never })).toThrow(
      /--cost bogus is not a cost: allowed names are diskReadUs, .*vmaVisitNs/,
    );
    expect(() => makeRunConfig(sc, { seed: '1', cost: { diskReadUs: -1 } })).toThrow(
      /--cost diskReadUs=-1 is not allowed: a whole number from 0/,
    );
    expect(() => makeRunConfig(sc, { seed: '1', cost: { diskReadUs: 1.5 } })).toThrow(ConfigError);
  });
});
