import { describe, expect, it } from 'vitest';
import { parseInjectSpec } from '../../src/inject/injector.js';
import { explore } from '../../src/smp/explore.js';
import { loadScenario } from '../../src/workload/scenario.js';
import { cli, tmp } from '../helpers.js';

const run = { seed: '7', mem: '2M', cpus: 2, sched: 'pct:3', locking: 'fine' };

describe('mmsim explore', () => {
  it.each(['bkl', 'fine'])('%s: schedules of a clean kernel break no invariant', (locking) => {
    const r = explore({ scenario: loadScenario('forky'), run: { ...run, locking }, runs: 4, events: 3000, inject: null });
    expect(r).toEqual({ tried: 4, failure: null });
  });

  it('finds a schedule that exposes a locking mistake, and its replay line records a log bisect lands in', async () => {
    const r = explore({
      scenario: loadScenario('forky'),
      run,
      runs: 20,
      events: 5000,
      inject: parseInjectSpec('fault-no-page-lock@1', 0, 1000000),
    });
    const f = r.failure;
    expect(f).not.toBeNull();
    expect(f?.violations[0].invariant).toBe('smp-chain-race');
    expect(f?.replay.argv).toContain('--sched-seed');
    expect(f?.replay.argv[f.replay.argv.indexOf('--sched-seed') + 1]).toBe(f?.schedSeed);
    // the line, run, reproduces the failure; bisect names the event the violation names
    const argv = [...(f?.replay.argv ?? [])];
    const log = tmp('explore.mmlog');
    argv[argv.indexOf('-o') + 1] = log;
    expect((await cli(argv.slice(1))).code).toBe(0);
    const b = await cli(['bisect', log, '--json']);
    expect(b.code).toBe(1);
    expect(f?.violations[0].message).toContain(`event ${JSON.parse(b.stdout).event},`);
  });

  it('exits 1 with the replay line on a failure, 0 when every schedule passes, 2 without --cpus', async () => {
    const base = ['explore', '--scenario', 'forky', '--mem', '2M', '--seed', '7', '--events', '1000', '--runs', '3'];
    const bad = await cli([...base, '--cpus', '2', '--locking', 'fine', '--inject', 'lock-order']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('smp-lock-order');
    expect(bad.stdout).toMatch(/^replay: mmsim record .*--sched-seed 1 /m);
    const ok = await cli([...base, '--cpus', '2']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('3 schedule(s)');
    const one = await cli(base);
    expect(one.code).toBe(2);
    expect(one.stderr).toContain('explore needs --cpus 2 or more');
  });
});
