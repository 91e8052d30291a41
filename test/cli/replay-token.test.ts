// The replay line: complete, runnable as printed, shell-quoted; running it lands on the same event.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { logReplay, replayToken, shellQuote } from '../../src/cli/replay-token.js';
import { LogReader } from '../../src/log/reader.js';
import { RECLAIM_POLICIES, RMAP_DESIGNS } from '../../src/designs/registry.js';
import { makeRunConfig, type RunConfig } from '../../src/run-config.js';
import { loadScenario } from '../../src/workload/scenario.js';
import { CLI, cli, tmp } from '../helpers.js';

const TINY = new URL('../../src/workload/scenarios/tiny.json', import.meta.url).pathname;

interface BisectJson {
  event: number;
  invariant: string;
  context: { index: number }[];
  replay: string;
  replayArgv: string[];
}

async function bisectJson(log: string): Promise<BisectJson> {
  const r = await cli(['bisect', log, '--json']);
  expect(r.code, r.stderr).toBe(1);
  return JSON.parse(r.stdout);
}

/** The same first bad event, invariant and events up to it (the replayed log ends with that operation). */
function expectSameEvent(again: BisectJson, first: BisectJson): void {
  expect(again.event).toBe(first.event);
  expect(again.invariant).toBe(first.invariant);
  const upTo = (b: BisectJson) => b.context.filter((c) => c.index <= b.event);
  expect(upTo(again)).toEqual(upTo(first));
}

/** Record with `args`, bisect, run the replay argv bisect gives (into a temporary file), bisect that. */
async function replayed(args: string[]): Promise<{ first: BisectJson; again: BisectJson }> {
  const log = tmp('orig.mmlog');
  const rec = await cli([...args, '-o', log]);
  expect(rec.code, rec.stderr).toBe(0);
  const first = await bisectJson(log);
  const argv = [...first.replayArgv];
  expect(argv.slice(0, 2)).toEqual(['mmsim', 'record']);
  argv[argv.indexOf('-o') + 1] = tmp('replay.mmlog');
  const r = await cli(argv.slice(1));
  expect(r.code, r.stderr).toBe(0);
  return { first, again: await bisectJson(argv[argv.indexOf('-o') + 1]) };
}

describe('the replay line lands on the same event', () => {
  it('for a non-default design (--reclaim old --rmap pte-pool)', async () => {
    const { first, again } = await replayed(
      ['record', '--scenario', 'x486', '--seed', '7', '--reclaim', 'old', '--rmap', 'pte-pool'].concat([
        '--inject',
        'double-link@0.05',
        '--events',
        '3000',
      ]),
    );
    expect(first.replay).toMatch(/--reclaim old --rmap pte-pool .*--inject double-link@0.05 --events \d+ -o replay.mmlog {2}# event \d+$/);
    expectSameEvent(again, first);
  });

  it('for a scenario file, named by its path (not its internal name)', async () => {
    const file = tmp('my scenario.json');
    const sc = JSON.parse(readFileSync(TINY, 'utf8'));
    sc.name = 'x486'; // a file may call itself anything: the line must not take it for the built-in
    writeFileSync(file, JSON.stringify(sc));
    const { first, again } = await replayed([
      'record',
      '--scenario',
      file,
      '--seed',
      '3',
      '--inject',
      'double-link@0.2',
      '--events',
      '20000',
    ]);
    expect(first.replayArgv).toContain(file);
    expect(first.replay).toContain(`--scenario '${file}'`);
    expectSameEvent(again, first);
  });

  it('for a hostile seed, pasted into a shell as printed', async () => {
    const seed = "a b; rm -rf x; echo 'pwned'";
    const log = tmp('hostile.mmlog');
    const rec = await cli(['record', '--scenario', 'x486', '--seed', seed, '--inject', 'double-link@0.05', '--events', '5000', '-o', log]);
    expect(rec.code, rec.stderr).toBe(0);
    const first = await bisectJson(log);
    const cwd = dirname(tmp('x'));
    writeFileSync(join(cwd, 'x'), 'still here');
    const sh = spawnSync('bash', ['-c', `mmsim() { node ${shellQuote(CLI)} "$@"; }\n${first.replay}`], { cwd, encoding: 'utf8' });
    expect(sh.status, sh.stderr).toBe(0);
    expect(sh.stdout).not.toMatch(/^pwned$/m); // the seed's echo did not run
    expect(readFileSync(join(cwd, 'x'), 'utf8')).toBe('still here');
    const again = await bisectJson(join(cwd, 'replay.mmlog'));
    expectSameEvent(again, first);
  });

  it("check prints the same kind of line, and it reproduces check's failure", async () => {
    const log = tmp('c.mmlog');
    expect(
      (await cli(['record', '--seed', '7', '--rmap', 'pte_chain', '--inject', 'double-link@0.05', '--events', '3000', '-o', log])).code,
    ).toBe(0);
    const c = await cli(['check', log, '--json']);
    expect(c.code).toBe(1);
    const f = JSON.parse(c.stdout).failure;
    const argv = [...f.replayArgv];
    expect(f.replay).toContain('--rmap pte_chain');
    argv[argv.indexOf('-o') + 1] = tmp('c-replay.mmlog');
    expect((await cli(argv.slice(1))).code).toBe(0);
    const again = JSON.parse((await cli(['check', argv[argv.indexOf('-o') + 1], '--json'])).stdout).failure;
    expect(again.event).toBe(f.event);
    expect(again.violations).toEqual(f.violations);
  });
});

describe('the replay line is complete: every design and option comes back the same', () => {
  const designs: [string, string][] = [];
  for (const reclaim of RECLAIM_POLICIES.keys())
    for (const rmap of RMAP_DESIGNS.keys()) {
      try {
        makeRunConfig(loadScenario('tiny'), { seed: '1', reclaim, rmap });
        designs.push([reclaim, rmap]);
      } catch {
        // a combination makeRunConfig refuses (--rmap none with a policy that needs a reverse map)
      }
    }

  it.each(designs)(
    '--reclaim %s --rmap %s, with --mem, --swap-cache, --alloc retry, --cost, --chain-mode, --steal and --inject-after',
    async (reclaim, rmap) => {
      const log = tmp('a.mmlog');
      const args = [
        'record',
        '--scenario',
        'tiny',
        '--seed',
        'q',
        '--reclaim',
        reclaim,
        '--rmap',
        rmap,
        '--mem',
        '384K',
        '--events',
        '3000',
      ];
      args.push('--swap-cache', '2.1.88', '--alloc', 'retry');
      args.push('--cost', 'diskReadUs=7000', '--cost', 'chainStepNs=900');
      if (rmap !== 'none') args.push('--chain-mode', 'circular', '--steal', '--inject', 'double-link@0.001', '--inject-after', '2000');
      expect((await cli([...args, '-o', log])).code).toBe(0);
      const a = new LogReader(log);
      a.close();
      const tok = replayToken({ config: a.header.config as unknown as RunConfig, inject: a.header.inject as never }, a.events - 1);
      expect(tok.line).not.toMatch(/cannot set|does not record/);
      const out = tmp('b.mmlog');
      tok.argv[tok.argv.indexOf('-o') + 1] = out;
      expect((await cli(tok.argv.slice(1))).code).toBe(0);
      const b = new LogReader(out);
      b.close();
      expect(b.header.config).toEqual(a.header.config);
      expect(b.header.inject).toEqual(a.header.inject);
      expect(b.end?.hash).toBe(a.end?.hash);
    },
  );

  it('names --cpus, --sched and --locking for an SMP run, and the line rebuilds its configuration exactly', () => {
    const cfg = makeRunConfig(loadScenario('forky'), { seed: '7', cpus: 4, sched: 'pct:3', locking: 'fine' });
    const tok = replayToken({ config: cfg }, 99);
    expect(tok.argv.join(' ')).toContain('--cpus 4 --sched pct:3 --locking fine');
    expect(tok.line).not.toContain('cannot set');
    const one = replayToken({ config: makeRunConfig(loadScenario('forky'), { seed: '7', cpus: 1 }) }, 99);
    expect(one.argv).not.toContain('--cpus');
  });

  it('says so when a log holds settings the line cannot set, or a scenario file it cannot name', () => {
    const cfg = makeRunConfig(loadScenario('tiny'), { seed: '1' });
    expect(replayToken({ config: cfg }, 9).line).toBe(
      'mmsim record --scenario tiny --seed 1 --reclaim clock --rmap pte-chain --chain-mode null --events 10 -o replay.mmlog  # event 9',
    );
    // a cost is set by --cost (only those that differ from the scenario's); watermarks only by a scenario file
    expect(replayToken({ config: { ...cfg, latencies: { ...cfg.latencies, diskReadUs: 1 } } }, 9).line).toBe(
      'mmsim record --scenario tiny --seed 1 --reclaim clock --rmap pte-chain --chain-mode null --cost diskReadUs=1 --events 10 -o replay.mmlog  # event 9',
    );
    expect(replayToken({ config: { ...cfg, watermarks: { min: 1, low: 2, high: 3 } } }, 9).line).toMatch(/cannot set/);
    // the forgiving allocator is part of the run: the line carries it (and only it: 2.1.47 is the default)
    const retry = makeRunConfig(loadScenario('tiny'), { seed: '1', alloc: 'retry' });
    expect(replayToken({ config: retry }, 9).argv.join(' ')).toContain('--chain-mode null --alloc retry --events 10');
    const renamed = { ...cfg, scenario: { ...cfg.scenario, name: 'mine' } };
    expect(replayToken({ config: renamed }, 9).line).toMatch(/scenario 'mine' came from a file whose path this log does not record/);
    expect(replayToken({ config: { ...renamed, scenarioFile: '/x/mine.json' } }, 9).argv).toContain('/x/mine.json');
  });
});

describe('a trace log', () => {
  it('replays as the mmsim trace command with the options it was run with', async () => {
    const fixture = new URL('../fixtures/walk.lackey.gz', import.meta.url).pathname;
    const log = tmp('t.mmlog');
    const args = ['trace', fixture, '--frames', '8', '--policy', 'fifo', '--clock-ref-on-load', 'false', '--skip-bad-lines', '--log', log];
    expect((await cli(args)).code).toBe(0);
    const a = new LogReader(log);
    a.close();
    const tok = logReplay(a, 5);
    expect(tok.argv.slice(0, 3)).toEqual(['mmsim', 'trace', fixture]);
    expect(tok.argv).toEqual(expect.arrayContaining(['--policy', 'fifo', '--clock-ref-on-load', 'false', '--skip-bad-lines']));
    tok.argv[tok.argv.indexOf('--log') + 1] = tmp('t2.mmlog');
    expect((await cli(tok.argv.slice(1))).code).toBe(0);
    const b = new LogReader(tok.argv[tok.argv.indexOf('--log') + 1]);
    b.close();
    expect(b.end?.hash).toBe(a.end?.hash);
  });
});

describe('shellQuote', () => {
  it.each([
    ['plain-word_1.json', 'plain-word_1.json'],
    ['a b; rm -rf x', "'a b; rm -rf x'"],
    ["it's", "'it'\\''s'"],
    ['', "''"],
    ['$(id)`id`', "'$(id)`id`'"],
    ['*', "'*'"],
  ])('%j -> %s', (word, quoted) => {
    expect(shellQuote(word)).toBe(quoted);
    const echoed = spawnSync('bash', ['-c', `printf %s ${quoted}`], { encoding: 'utf8' });
    expect(echoed.stdout).toBe(word);
  });
});
