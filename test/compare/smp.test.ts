import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DesignListError, formatCsv, formatTable, runComparison, writePlots } from '../../src/compare/index.js';
import { expandCpus, parseDesignList } from '../../src/compare/designs.js';
import { cli, tmp } from '../helpers.js';

describe('mmsim compare --cpus', () => {
  it('runs each design on each number of CPUs under each locking design (one CPU once), on equal workload steps', async () => {
    const r = await runComparison({
      scenario: 'tiny',
      seed: 3,
      steps: 3000,
      designs: 'clock/pte-chain',
      cpus: [1, 2],
      locking: ['bkl', 'fine'],
      mode: 'sequential',
    });
    expect(r.results.map((x) => x.design)).toEqual(['clock/pte-chain 1cpu', 'clock/pte-chain 2cpu/bkl', 'clock/pte-chain 2cpu/fine']);
    expect(r.results.map((x) => [x.cpus, x.locking])).toEqual([
      [1, null],
      [2, 'bkl'],
      [2, 'fine'],
    ]);
    for (const x of r.results) {
      expect(x.steps).toBe(3000);
      expect(x.faultsPerSecond).toBeGreaterThan(0);
    }
    expect(r.results[0].lockHoldUs).toBe(0);
    expect(r.results[1].lockHoldUs).toBeGreaterThan(0);
    expect(formatTable(r)).toContain('CPUs / locking');
    const dir = tmp('plots');
    const files = writePlots(r, dir);
    expect(files.map((f) => f.slice(dir.length + 1))).toContain('cpus-throughput.svg');
    const svg = readFileSync(join(dir, 'cpus-lock-wait.svg'), 'utf8');
    expect(svg).toContain('clock/pte-chain bkl');
    expect(svg).toContain('clock/pte-chain fine');
    expect(formatCsv(r).split('\n')[0]).toMatch(/,cpus,locking,faultsPerSecond,pagesFreedPerSecond,lockWaitUs,lockHoldUs$/);
    // the 1-CPU column is the plain comparison's run
    const plain = await runComparison({ scenario: 'tiny', seed: 3, steps: 3000, designs: 'clock/pte-chain', mode: 'sequential' });
    expect(plain.results[0].stateHash).toBe(r.results[0].stateHash);
    expect(formatTable(plain)).not.toContain('CPUs / locking');
  });

  it('refuses a locking design a policy cannot run with, and --locking without --cpus', async () => {
    expect(() => expandCpus(parseDesignList('old/none'), [2], ['fine'])).toThrow(DesignListError);
    const r = await cli(['compare', '--scenario', 'tiny', '--steps', '100', '--locking', 'fine']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--locking needs --cpus');
    const bad = await cli(['compare', '--scenario', 'tiny', '--steps', '100', '--cpus', '1,17']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("'17' is not a number of CPUs");
  });
});
