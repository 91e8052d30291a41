// Runs whose lines are compared go through the compiled bin (mmsim: its code fingerprint is
// in every line); the rest run in this process (cli), which saves a node start each. Only the
// first sweep uses a thread per core; the others run on one thread (fewer simulators to load).
// The acceptance: the sweep writes one line per run, a second run does nothing, and a
// sweep killed halfway (or torn mid-line) finishes with the same lines as an uninterrupted one.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLI, cli, mmsim, tmp } from '../helpers.js';

const GRID = ['--scenarios', 'x486,forky', '--seeds', '1..2', '--designs', 'clock/pte-chain,old/none', '--steps', '10000'];
const sorted = (path: string): string[] => readFileSync(path, 'utf8').split('\n').filter(Boolean).sort();
const lineCount = (path: string): number => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').length - 1 : 0);

describe('mmsim sweep', () => {
  const whole = tmp('r.jsonl');

  it('writes 8 lines for 2 scenarios x 2 seeds x 2 designs; the same command again runs nothing', () => {
    const first = mmsim(['sweep', ...GRID, '-o', whole]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/8 runs in the grid: 8 ran, 0 already in/);
    const lines = sorted(whole);
    expect(lines).toHaveLength(8);
    const parsed = lines.map((l) => JSON.parse(l));
    expect(new Set(parsed.map((l) => l.id)).size).toBe(8);
    expect(new Set(parsed.map((l) => `${l.scenario} ${l.seed} ${l.design}`)).size).toBe(8);
    for (const l of parsed) expect(l.report.stateHash).toMatch(/^[0-9a-f]{64}$/);
    const again = mmsim(['sweep', ...GRID, '-o', whole]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/0 ran, 8 already in/);
    expect(sorted(whole)).toEqual(lines);
  });

  it('sweep report prints each metric with its interval, and paired differences; --json carries the same figures', async () => {
    const text = await cli(['sweep', 'report', whole]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^forky, 4M, 10,000 steps \(2 seeds per design\)$/m);
    expect(text.stdout).toMatch(/^x486, 8M, 10,000 steps \(2 seeds per design\)$/m);
    expect(text.stdout).toMatch(/^major faults +[\d,.]+ ± [\d,.]+ +[\d,.]+ ± [\d,.]+$/m);
    expect(text.stdout).toMatch(/design minus clock\/pte-chain/);
    const json = JSON.parse((await cli(['sweep', 'report', whole, '--json'])).stdout);
    expect(json.runs).toBe(8);
    const x486 = json.sections.find((s: { scenario: string }) => s.scenario === 'x486');
    const shown = /^x486[\s\S]*?major faults +([\d,.]+) ± ([\d,.]+)/m.exec(text.stdout)!;
    expect(Number(shown[1].replace(/,/g, ''))).toBeCloseTo(x486.designs[0].metrics.majorFaults.mean, 0);
    const bad = await cli(['sweep', 'report', whole, '--baseline', 'old/pte-pool']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--baseline 'old\/pte-pool' is not a design in .*: it has clock\/pte-chain, old\/none/);
  });

  it('killed halfway, the same command completes it with the same lines as an uninterrupted run', async () => {
    const out = tmp('killed.jsonl');
    const child = spawn(process.execPath, [CLI, 'sweep', ...GRID, '--jobs', '1', '-o', out], { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    while (lineCount(out) < 4 && child.exitCode === null) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    await exited;
    const written = lineCount(out);
    expect(written).toBeGreaterThanOrEqual(4);
    expect(written).toBeLessThan(8);
    const resumed = mmsim(['sweep', ...GRID, '--jobs', '1', '-o', out]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(new RegExp(`${8 - written} ran, ${written} already in`));
    expect(sorted(out)).toEqual(sorted(whole));
  });

  it('a torn last line is cut off with a warning and that run done again', () => {
    const out = tmp('torn.jsonl');
    const text = readFileSync(whole, 'utf8');
    const cut = text.split('\n').slice(0, 7).join('\n').length + 1 + 40; // 7 whole lines and 40 bytes of the 8th
    writeFileSync(out, text.slice(0, cut));
    const r = mmsim(['sweep', ...GRID, '--jobs', '1', '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/ended in a torn line \(40 bytes/);
    expect(r.stdout).toMatch(/1 ran, 7 already in/);
    expect(sorted(out)).toEqual(sorted(whole));
  });

  it('results of other code are run again with a warning, and the report says it mixes builds', async () => {
    const out = tmp('other.jsonl');
    const text = readFileSync(whole, 'utf8').split('\n').filter(Boolean);
    // the same runs as if made by another build: other version, other ids
    const foreign = text.slice(0, 2).map((l) => {
      const o = JSON.parse(l);
      // another id for sure: an id that already starts with f would stay the same
      return JSON.stringify({ ...o, id: `${o.id[0] === 'f' ? 'e' : 'f'}${o.id.slice(1)}`, version: '0.0.9+000000000000' });
    });
    writeFileSync(out, `${[...foreign, ...text.slice(2)].join('\n')}\n`);
    const r = mmsim(['sweep', ...GRID, '--jobs', '1', '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/holds 2 result\(s\) of other mmsim code \(not 0\.1\.0\+[0-9a-f]{12}\)/);
    expect(r.stdout).toMatch(/2 ran, 6 already in/);
    const report = await cli(['sweep', 'report', out]);
    expect(report.stderr).toMatch(/mixes results of 2 mmsim builds \(0\.0\.9\+000000000000, 0\.1\.0\+/);
  });

  it('damage before the last line is an error that names the line, and the file is left alone', async () => {
    const out = tmp('damaged.jsonl');
    const lines = readFileSync(whole, 'utf8').split('\n');
    lines[2] = '{"not": "a result"}';
    writeFileSync(out, lines.join('\n'));
    const before = readFileSync(out, 'utf8');
    const r = await cli(['sweep', ...GRID, '-o', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mmsim: error: .*damaged.jsonl line 3 is not a sweep result/);
    expect(readFileSync(out, 'utf8')).toBe(before);
  });

  const bad: Array<[string, string[], RegExp]> = [
    ['no output file', ['sweep', '--scenarios', 'tiny'], /sweep needs -o FILE/],
    ['locking without cpus', ['sweep', '--scenarios', 'tiny', '--locking', 'fine', '-o', '/dev/null'], /locking designs need a cpus axis/],
    [
      'a bad number of CPUs',
      ['sweep', '--scenarios', 'tiny', '--cpus', '1,0', '-o', '/dev/null'],
      /--cpus '1,0': '0' is not a number of CPUs from 1 to 16/,
    ],
    [
      'a locking design its policy cannot run',
      ['sweep', '--scenarios', 'tiny', '--designs', 'old/none', '--cpus', '2', '--locking', 'fine', '-o', '/dev/null'],
      /design 'old\/none' on 2 CPUs: --locking fine is modelled for --reclaim clock only/,
    ],
    [
      'an unreachable queue',
      ['sweep', '--scenarios', 'tiny', '--queue', 'redis://127.0.0.1:1', '-o', '/dev/null'],
      /cannot reach Redis at redis:\/\/127.0.0.1:1: connect ECONNREFUSED/,
    ],
  ];
  for (const [what, args, msg] of bad)
    it(`exits 2 with one line naming the value on ${what}`, async () => {
      const r = await cli(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^mmsim: error: /);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });

  it('--cpus: each design on each machine, with the hash compare --cpus reaches; the report adds the SMP rows', async () => {
    const out = tmp('cpus.jsonl');
    // +steal: the whole design goes through, not only reclaim/rmap
    const grid = ['--scenarios', 'tiny', '--seeds', '1..2', '--designs', 'clock/pte-chain+steal', '--steps', '400'];
    const r = await cli(['sweep', ...grid, '--cpus', '1,2', '--jobs', '1', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const lines = sorted(out).map((l) => JSON.parse(l));
    const designs = ['clock/pte-chain+steal 1cpu', 'clock/pte-chain+steal 2cpu/bkl'];
    expect([...new Set(lines.map((l) => l.design))].sort()).toEqual(designs);
    const two = lines.find((l) => l.design === 'clock/pte-chain+steal 2cpu/bkl' && l.seed === '2');
    expect(two.report).toMatchObject({ cpus: 2, locking: 'bkl' });
    const single = await cli([
      'compare',
      '--scenario',
      'tiny',
      '--seed',
      '2',
      '--steps',
      '400',
      '--designs',
      'clock/pte-chain+steal',
      '--cpus',
      '2',
      '--json',
    ]);
    expect(JSON.parse(single.stdout).results[0].stateHash).toBe(two.report.stateHash);
    const report = await cli(['sweep', 'report', out]);
    expect(report.stdout).toMatch(/^lock hold, all locks, ms \(simulated\) +/m);
    expect(report.stdout).toMatch(/design minus clock\/pte-chain\+steal 1cpu/);
  });

  it('a spec file gives the grid (validated with zod); flags override its fields', async () => {
    const spec = tmp('spec.json');
    writeFileSync(spec, JSON.stringify({ scenarios: ['tiny'], seeds: '1..2', designs: ['clock/pte-chain'], steps: 500 }));
    const out = tmp('spec.jsonl');
    const r = await cli(['sweep', spec, '--mem', '256K,512K', '-o', out]);
    expect(r.code).toBe(0);
    const lines = sorted(out).map((l) => JSON.parse(l));
    expect(lines.map((l) => `${l.memPages} ${l.seed}`).sort()).toEqual(['128 1', '128 2', '64 1', '64 2']);
    writeFileSync(spec, JSON.stringify({ scenarios: ['tiny'], seed: [1] }));
    const bad = await cli(['sweep', spec, '-o', out]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/spec file .* is not valid:\n {2}\(top level\): Unrecognized key: "seed"/);
  });
});
