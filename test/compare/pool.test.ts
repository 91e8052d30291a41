import { describe, expect, it } from 'vitest';
import { parseDesign } from '../../src/compare/designs.js';
import { ThreadPool } from '../../src/compare/pool.js';
import { runDesign, type DesignJob } from '../../src/compare/run.js';
import { loadScenario } from '../../src/workload/scenario.js';

const job = (seed: string, mem?: string): DesignJob => ({
  scenario: loadScenario('tiny'),
  seed,
  steps: 300,
  maxEvents: 60000,
  design: parseDesign('clock/pte-chain'),
  mem,
  sampleEvery: 1 << 30,
});

describe('ThreadPool', () => {
  it('runs jobs on threads with the same results as this thread; a failing job leaves the others and the pool working', async () => {
    const pool = new ThreadPool(2);
    try {
      const ok = [pool.run(job('1')), pool.run(job('2'))];
      // 16K is 4 pages: makeRunConfig refuses it inside the thread
      const bad = pool.run(job('3', '16K'));
      await expect(bad).rejects.toThrow(/too small/);
      const [a, b] = await Promise.all(ok);
      expect(a.stateHash).toBe(runDesign(job('1')).stateHash);
      expect(b.stateHash).toBe(runDesign(job('2')).stateHash);
      expect(a.stateHash).not.toBe(b.stateHash);
      const again = await pool.run(job('1'));
      expect(again.stateHash).toBe(a.stateHash);
      expect(pool.pending).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('rejects jobs still waiting when it is closed', async () => {
    const pool = new ThreadPool(1);
    const first = expect(pool.run(job('1'))).rejects.toThrow(/closed/);
    const second = expect(pool.run(job('2'))).rejects.toThrow(/closed/);
    await pool.close();
    await first;
    await second;
    await expect(pool.run(job('3'))).rejects.toThrow(/closed/);
  });
});
