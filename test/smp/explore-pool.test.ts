import { describe, expect, it } from 'vitest';
import { parseInjectSpec } from '../../src/inject/injector.js';
import { explore } from '../../src/smp/explore.js';
import { exploreParallel } from '../../src/smp/explore-pool.js';
import { loadScenario } from '../../src/workload/scenario.js';

const base = { scenario: loadScenario('forky'), run: { seed: '7', mem: '2M', cpus: 2, sched: 'pct:3', locking: 'fine' }, events: 3000 };

describe('explore in worker threads', () => {
  it('finds the same (lowest) failing schedule as one thread', async () => {
    const o = { ...base, runs: 40, inject: parseInjectSpec('fault-no-page-lock@1', 0, 1000000) };
    const one = explore(o);
    expect(one.failure).not.toBeNull();
    const two = await exploreParallel(o, 2);
    expect(two.tried).toBe(one.tried);
    expect(two.failure?.schedSeed).toBe(one.failure?.schedSeed);
    expect(two.failure?.replay.line).toBe(one.failure?.replay.line);
  });

  it('reports every schedule run when none fails', async () => {
    const progress: number[] = [];
    const r = await exploreParallel({ ...base, runs: 12, inject: null, onProgress: (n) => progress.push(n) }, 2);
    expect(r).toEqual({ tried: 12, failure: null });
    expect(Math.max(...progress)).toBe(12);
  });
});
