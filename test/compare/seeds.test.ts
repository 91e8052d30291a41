// compare --seeds: means with 95% intervals over seeds and paired differences (issue 9).
import { describe, expect, it } from 'vitest';
import { runSeeds, seedsJson } from '../../src/compare/seeds.js';
import { runComparison } from '../../src/compare/index.js';
import { formatReport } from '../../src/sweep/report.js';
import { cli, tmp } from '../helpers.js';

describe('compare --seeds', () => {
  it('each design on each seed: the mean is the mean of the single-seed comparisons, the interval is Student t', async () => {
    const seeds = ['1', '2', '3'];
    const designs = 'clock/pte-chain,old/none';
    const r = await runSeeds({ scenario: 'tiny', seeds, designs, steps: 1500, mode: 'sequential' });
    const single = await Promise.all(
      seeds.map((seed) => runComparison({ scenario: 'tiny', seed, steps: 1500, designs, mode: 'sequential' })),
    );
    const faults = single.map((c) => c.results[0].majorFaults);
    const clock = r.section.designs.find((d) => d.design === 'clock/pte-chain')!;
    expect(r.values['clock/pte-chain'].majorFaults).toEqual(faults);
    expect(clock.metrics.majorFaults.mean).toBeCloseTo(faults.reduce((a, b) => a + b, 0) / 3, 10);
    const sd = Math.sqrt(faults.reduce((a, x) => a + (x - clock.metrics.majorFaults.mean) ** 2, 0) / 2);
    // t(0.975, 2 df) = 4.30265 (the published table)
    const want = (4.30265 * sd) / Math.sqrt(3);
    expect(Math.abs((clock.metrics.majorFaults.half as number) - want) / want).toBeLessThan(1e-5);
    // paired difference: the mean of per-seed differences
    const old = single.map((c) => c.results[1].majorFaults);
    const diff = r.section.differences[0];
    expect(diff.design).toBe('old/none');
    expect(diff.metrics.majorFaults.mean).toBeCloseTo(old.reduce((a, x, i) => a + x - faults[i], 0) / 3, 10);
    const j = JSON.parse(seedsJson(r));
    expect(j.designs[0].metrics.majorFaults).toMatchObject({ mean: clock.metrics.majorFaults.mean, values: faults });
    expect(typeof j.designs[0].metrics.majorFaults.ci95).toBe('number');
    expect(typeof j.differences[0].metrics.majorFaults.significant).toBe('boolean');
    // allocation failures, refused forks and killed processes are metrics like the others
    const refused = single.map((c) => c.results[0].forksRefused);
    expect(j.designs[0].metrics.forksRefused.values).toEqual(refused);
    expect(j.designs[0].metrics.allocFailures1.values).toEqual(single.map((c) => c.results[0].allocFailures[1]));
    expect(j.designs[0].metrics.allocFailures.values).toEqual(single.map((c) => c.results[0].allocFailures.reduce((a, b) => a + b, 0)));
    expect(j.designs[0].metrics.ooms.values).toEqual(single.map((c) => c.results[0].ooms));
  });

  it('with --cpus: each design on each machine and seed, the values those of single-seed compare --cpus runs', async () => {
    const seeds = ['1', '2'];
    const o = { scenario: 'tiny', steps: 600, designs: 'clock/pte-chain', cpus: [1, 2], mode: 'sequential' as const };
    const r = await runSeeds({ ...o, seeds });
    const single = await Promise.all(seeds.map((seed) => runComparison({ ...o, seed })));
    expect(r.section.designs.map((d) => d.design)).toEqual(['clock/pte-chain 1cpu', 'clock/pte-chain 2cpu/bkl']);
    for (const [i, label] of ['clock/pte-chain 1cpu', 'clock/pte-chain 2cpu/bkl'].entries()) {
      expect(r.values[label].majorFaults).toEqual(single.map((c) => c.results[i].majorFaults));
      expect(r.values[label].faultsPerSecond).toEqual(single.map((c) => c.results[i].faultsPerSecond));
      expect(r.values[label].lockHoldMs).toEqual(single.map((c) => (c.results[i].lockHoldUs as number) / 1000));
    }
    // the machines differ: two CPUs hold the kernel lock, one never does
    expect(r.values['clock/pte-chain 2cpu/bkl'].lockHoldMs.every((v) => (v as number) > 0)).toBe(true);
    expect(r.section.differences[0]).toMatchObject({ design: 'clock/pte-chain 2cpu/bkl', baseline: 'clock/pte-chain 1cpu', pairs: 2 });
    const out = await cli('compare --scenario tiny --seeds 1..2 --steps 300 --designs clock/pte-chain --cpus 1,2'.split(' '));
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/^lock hold, all locks, ms \(simulated\) +/m);
    expect(JSON.parse(seedsJson(r)).designs[1].metrics.faultsPerSecond.values).toEqual(
      r.values['clock/pte-chain 2cpu/bkl'].faultsPerSecond,
    );
    // without --cpus the SMP rows are not shown at all
    const plain = await runSeeds({ scenario: 'tiny', seeds, steps: 300, designs: 'clock/pte-chain,old/none', mode: 'sequential' });
    expect(formatReport({ runs: 4, sections: [plain.section] })).not.toMatch(/lock hold|per simulated second/);
    expect(JSON.parse(seedsJson(plain)).designs[0].metrics).not.toHaveProperty('lockHoldMs');
    const sweep = await cli(['compare', '--sweep', '--cpus', '1,2']);
    expect(sweep.code).toBe(2);
    expect(sweep.stderr).toMatch(/^mmsim: error: --cpus works with one scenario \(--seed or --seeds\), not --sweep/);
  });

  it('--csv gives a row per design and metric (and per paired difference) with the figures of the table', async () => {
    const args = 'compare --scenario tiny --seeds 1..3 --steps 300 --designs clock/pte-chain,old/none'.split(' ');
    const csv = await cli([...args, '--csv']);
    expect(csv.code, csv.stderr).toBe(0);
    const rows = csv.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(','));
    expect(rows[0]).toEqual([
      'kind',
      'scenario',
      'mem',
      'mem_pages',
      'steps',
      'design',
      'baseline',
      'metric',
      'n',
      'mean',
      'ci95_lo',
      'ci95_hi',
    ]);
    const r = await runSeeds({ scenario: 'tiny', seeds: ['1', '2', '3'], steps: 300, designs: 'clock/pte-chain,old/none' });
    const faults = rows.find((c) => c[0] === 'mean' && c[5] === 'old/none' && c[7] === 'majorFaults')!;
    const old = r.section.designs.find((d) => d.design === 'old/none')!.metrics.majorFaults;
    expect([Number(faults[8]), Number(faults[9]), Number(faults[10])]).toEqual([3, old.mean, old.lo]);
    const diff = rows.find((c) => c[0] === 'paired_difference' && c[7] === 'majorFaults')!;
    expect(diff.slice(5, 7)).toEqual(['old/none', 'clock/pte-chain']);
    expect(Number(diff[9])).toBe(r.section.differences[0].metrics.majorFaults.mean);
    const plot = await cli([...args, '--plot', tmp('plots')]);
    expect(plot.code).toBe(2);
    expect(plot.stderr).toMatch(/^mmsim: error: --seeds prints a table, --json or --csv; --plot needs one seed/);
  });

  it('bad seed lists and a baseline not compared are usage errors', async () => {
    const a = await cli(['compare', '--scenario', 'tiny', '--seeds', '5..2', '--steps', '100']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/^mmsim: error: --seeds: range '5\.\.2' is empty/);
    const b = await cli([
      'compare',
      '--scenario',
      'tiny',
      '--seeds',
      '1..2',
      '--steps',
      '100',
      '--designs',
      'clock/pte-chain,old/none',
      '--baseline',
      'clock/pte-pool',
    ]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--baseline clock\/pte-pool is not one of the designs compared/);
  });
});
