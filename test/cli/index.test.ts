import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CLI, cli, mmsim, record, tmp } from '../helpers.js';
import { formatReport } from '../../src/report.js';

describe('mmsim command line', () => {
  it('run prints the report, and --json the same figures as data', async () => {
    const text = await cli(['run', '--scenario', 'tiny', '--events', '5000']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/faults\s+[\d,]+ \(major/);
    const json = await cli(['run', '--scenario', 'tiny', '--events', '5000', '--json']);
    const r = JSON.parse(json.stdout);
    expect(r.events).toBeGreaterThanOrEqual(5000);
    expect(text.stdout).toContain(`pages scanned       ${r.pagesScanned.toLocaleString('en-US')}`);
  });

  it('run reports allocation failures per order, refused forks and killed processes (tiny fails order-1 requests)', async () => {
    const r = JSON.parse((await cli(['run', '--scenario', 'tiny', '--events', '500000', '--json'])).stdout);
    expect(r.allocFailures.byOrder).toHaveLength(6);
    expect(r.allocFailures.byOrder[1]).toBeGreaterThan(0);
    expect(r.allocFailures.total).toBe(r.allocFailures.byOrder.reduce((a: number, b: number) => a + b, 0));
    expect(r.forksRefused).toBeGreaterThan(0);
    expect(typeof r.oomKills).toBe('number');
    const text = formatReport(r); // what run prints without --json
    expect(text).toContain(`forks (${r.forksRefused} refused)`);
    expect(text).toContain(`${r.oomKills} killed for want of memory`);
    expect(text).toMatch(new RegExp(`allocation failures ${r.allocFailures.total} \\(.*order 1: ${r.allocFailures.byOrder[1]}`));
  });

  it('--alloc takes 2.1.47 or retry; anything else is a usage error naming the allowed values', async () => {
    const bad = await cli(['run', '--scenario', 'tiny', '--events', '100', '--alloc', 'lax']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/'--alloc <mode>' argument 'lax' is invalid\. Allowed choices are 2\.1\.47, retry/);
    const retry = JSON.parse((await cli(['run', '--scenario', 'tiny', '--events', '500000', '--alloc', 'retry', '--json'])).stdout);
    const strict = JSON.parse((await cli(['run', '--scenario', 'tiny', '--events', '500000', '--json'])).stdout);
    // the forgiving allocator reclaims where 2.1.47's fails at once: fewer forks are refused
    expect(retry.forksRefused).toBeLessThan(strict.forksRefused);
  });

  it('record, replay and check agree on a log', async () => {
    const f = tmp('c.mmlog');
    const rec = JSON.parse((await cli(['record', '--scenario', 'forky', '--seed', '3', '--events', '20000', '-o', f, '--json'])).stdout);
    const rep = JSON.parse((await cli(['replay', f, '--json'])).stdout);
    expect(rep.verified).toBe(true);
    expect(rep.hash).toBe(rec.hash);
    expect(rep.report).toEqual(rec.report);
    const chk = await cli(['check', f, '--json']);
    expect(chk.code).toBe(0);
    expect(JSON.parse(chk.stdout).ok).toBe(true);
  });

  it('check --list names every invariant without a log; check without one is a usage error', async () => {
    const r = await cli(['check', '--list']);
    expect(r.code).toBe(0);
    for (const name of ['pte-on-chain', 'chain-terminates', 'link-null', 'buddy', 'swap-map', 'lru-lists'])
      expect(r.stdout).toMatch(new RegExp(`^${name} `, 'm'));
    const bare = await cli(['check']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/check needs a run log/);
  });

  it('--help works everywhere', async () => {
    for (const cmd of [[], ['run'], ['record'], ['replay'], ['check']]) {
      const r = await cli([...cmd, '--help']);
      expect(r.code, cmd.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/Usage: mmsim/);
    }
  });

  const bad: Array<[string, string[], RegExp]> = [
    ['an unknown flag', ['run', '--bogus'], /unknown option '--bogus'/],
    ['a bad choice', ['run', '--rmap', 'nope'], /argument 'nope' is invalid. Allowed choices are/],
    ['a bad count', ['run', '--events', 'lots'], /--events 'lots' is not a count/],
    [
      'a count past 2^53',
      ['run', '--events', '99999999999999999999'],
      /--events '99999999999999999999' is too large: at most 9007199254740991/,
    ],
    ['a bad size', ['run', '--mem', '8Q'], /'8Q' is not a size/],
    [
      'an unknown scenario',
      ['run', '--scenario', 'nosuch'],
      /neither a built-in scenario \(x486, forky, tiny, or sharedlib:N for N sharers\) nor an existing file/,
    ],
    [
      'an unknown cost',
      ['run', '--cost', 'seekUs=9'],
      /--cost name 'seekUs' is not known: allowed names are diskReadUs, diskWriteUs, .*vmaVisitNs/,
    ],
    [
      'a bad cost value',
      ['record', '--cost', 'diskReadUs=fast', '-o', '/dev/null'],
      /--cost diskReadUs='fast' is not allowed: a whole number from 0 to 3600000000 \(µs\)/,
    ],
    ['a cost without a value', ['run', '--cost', 'diskReadUs'], /--cost 'diskReadUs' is not NAME=VALUE/],
    ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
    ['a missing log', ['replay', '/nonexistent.mmlog'], /cannot open log/],
    ['an unknown invariant', ['check', '/dev/null', '--invariant', 'nope'], /--invariant 'nope' is not an invariant: allowed values are/],
  ];
  it.each(bad)('%s exits 2 with a message', async (_w, args, msg) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(msg);
  });

  it('a damaged, truncated or foreign log exits 2 (a truncated one after replaying its intact prefix)', async () => {
    const f = tmp('d.mmlog');
    expect((await cli(['record', '--scenario', 'tiny', '--events', '30000', '-o', f])).code).toBe(0);
    const buf = readFileSync(f);
    const flipped = Buffer.from(buf);
    flipped[Math.floor(buf.length / 2)] ^= 0xff;
    const g = tmp('flipped.mmlog');
    writeFileSync(g, flipped);
    const r1 = await cli(['replay', g]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/chunk \d+ (\(events\) )?at byte offset \d+ is damaged/);
    // cut inside the trailing index: every event and the end chunk survive, so the hash still verifies
    const t = tmp('tail.mmlog');
    writeFileSync(t, buf.subarray(0, buf.length - 50));
    const r0 = await cli(['replay', t]);
    expect(r0.code).toBe(0);
    expect(r0.stderr).toMatch(/warning: .*torn tail/);
    expect(r0.stdout).toMatch(/matches the hash recorded/);
    // cut in the middle: the end chunk is gone
    const h = tmp('short.mmlog');
    writeFileSync(h, buf.subarray(0, Math.floor(buf.length / 2)));
    const r2 = await cli(['replay', h]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/warning: .*torn tail/);
    expect(r2.stderr).toMatch(/is truncated \(no end chunk\): the results above cover its [\d,]+ intact event/);
    expect(r2.stdout).toMatch(/mmsim report/); // the intact prefix is still replayed and reported
    const c2 = await cli(['check', h]);
    expect(c2.code).toBe(2);
    expect(c2.stdout).toMatch(/^ok: /);
    const i = tmp('foreign.mmlog');
    writeFileSync(i, Buffer.from('PK\x03\x04 this is a zip file'));
    const r3 = await cli(['check', i]);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toMatch(/not an mmsim run log/);
  });

  it('a malformed scenario file exits 2 naming the field and the allowed values', async () => {
    const f = tmp('bad.json');
    const sc = JSON.parse(readFileSync(new URL('../../src/workload/scenarios/tiny.json', import.meta.url), 'utf8'));
    sc.files[0].backing = 'floppy';
    writeFileSync(f, JSON.stringify(sc));
    const r = await cli(['run', '--scenario', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/files\.0\.backing/);
    expect(r.stderr).toMatch(/"disk"\|"nfs"|'disk' \| 'nfs'|disk.*nfs/);
    sc.files[0].backing = 'disk';
    sc.memory = true;
    writeFileSync(f, JSON.stringify(sc));
    const mem = await cli(['run', '--scenario', f]);
    expect(mem.code).toBe(2);
    expect(mem.stderr).toMatch(/memory: true is not a size: write a whole number of pages or a string like 8M/);
    // references into an empty list say so rather than "(have: )"
    sc.memory = '8M';
    sc.files = [];
    writeFileSync(f, JSON.stringify(sc));
    const none = await cli(['run', '--scenario', f]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/is not in files \(none are defined\)/);
    expect(none.stderr).not.toMatch(/\(have: \)/);
    writeFileSync(f, '{ not json');
    const r2 = await cli(['run', '--scenario', f]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/not valid JSON/);
  });
});

describe('number arguments', () => {
  it('a negative number names the value and what is allowed, one line, exit 2', async () => {
    const log = tmp('neg.mmlog');
    expect((await cli(['record', '--events', '500', '-o', log])).code).toBe(0);
    const r = await cli(['shrink', log, '-o', tmp('neg-out.mmlog'), '--budget', '-1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "mmsim: error: --budget '-1' is not allowed: write a whole number from 0 up, decimal or 0x-hex (e.g. 42 or 0x2a)\n",
    );
  });
});

describe('mmsim compare', () => {
  it('prints the table for the default designs, JSON with the same figures, and rejects bad design names', async () => {
    const t = await cli(['compare', '--scenario', 'tiny', '--steps', '3000', '--sequential']);
    expect(t.code, t.stderr).toBe(0);
    for (const d of ['clock/pte-chain', 'old/none', 'clock/pte-pool', 'clock/pte_chain']) expect(t.stdout).toContain(d);
    expect(t.stdout).toMatch(/ptes visited \/ page freed/);
    const j = JSON.parse((await cli(['compare', '--scenario', 'tiny', '--steps', '3000', '--json'])).stdout);
    expect(j.results.map((r: { design: string }) => r.design)).toEqual([
      'clock/pte-chain',
      'old/none',
      'clock/pte-pool',
      'clock/pte_chain',
    ]);
    const bad = await cli(['compare', '--designs', 'clock/none']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/allowed designs are/);
  });
});

describe('mmsim in a pipe', () => {
  it('stops quietly when the reader goes away (EPIPE), e.g. `mmsim history … | head`', async () => {
    const f = tmp('p.mmlog');
    expect((await cli(['record', '--scenario', 'tiny', '--events', '100000', '-o', f])).code).toBe(0);
    // mm 2's history is more output than a pipe buffers (64 KiB), so writes go on after head has gone
    const whole = await cli(['history', f, '--mm', '2']);
    expect(whole.stdout.length).toBeGreaterThan(65536);
    const r = spawnSync(
      'bash',
      ['-c', `node ${JSON.stringify(CLI)} history ${JSON.stringify(f)} --mm 2 | head -1; exit \${PIPESTATUS[0]}`],
      {
        encoding: 'utf8',
      },
    );
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/event\(s\) touched mm 2/);
  });

  it('keeps a failure exit code when the reader goes away: `mmsim check BAD | true` exits 1', async () => {
    const bad = record({ events: 20000, every: 8192, inject: 'cow-no-unlink@0.05' }).path;
    // `true` never reads: the first write meets a closed pipe
    const r = spawnSync('bash', ['-c', `node ${JSON.stringify(CLI)} check ${JSON.stringify(bad)} | true; exit \${PIPESTATUS[0]}`], {
      encoding: 'utf8',
    });
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(r.status).toBe(1);
  });
});

describe('the bin (a child process): exit codes and which stream gets what', () => {
  it('--version on stdout, exit 0', () => {
    const r = mmsim(['--version']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it("commander's errors: `mmsim: error:` on stderr, nothing on stdout, exit 2", () => {
    const r = mmsim(['run', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^mmsim: error: unknown option '--bogus'\n/);
  });

  it('standard output on a full device: one line on stderr, exit 2', () => {
    const r = spawnSync('bash', ['-c', `node ${JSON.stringify(CLI)} run --scenario tiny --events 1000 > /dev/full`], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^mmsim: error: cannot write standard output: ENOSPC/);
  });

  it('a usage error in a command: one line on stderr, exit 2', () => {
    const r = mmsim(['record', '--scenario', 'tiny', '-o', '/no/such/dir/x.mmlog']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('mmsim: error: -o /no/such/dir/x.mmlog: the directory /no/such/dir does not exist\n');
  });
});

describe('commands talk through the Cli context', () => {
  it('no command writes to process.stdout/stderr or sets process.exitCode (main would lose the code, and tests the output)', () => {
    const dir = join(import.meta.dirname, '..', '..', 'src', 'cli');
    const offenders = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && f !== 'context.ts')
      .flatMap((f) =>
        readFileSync(join(dir, f), 'utf8')
          .split('\n')
          .map((line, i) => ({ where: `${f}:${i + 1}`, line }))
          .filter(({ line }) => /process\.(stdout|stderr|stdin|exitCode)\b/.test(line) && !line.trimStart().startsWith('//')),
      )
      .map(({ where, line }) => `${where}: ${line.trim()}`);
    expect(offenders).toEqual([]);
  });
});

describe('start-up', () => {
  /** How many CommonJS files of commander a fresh process has loaded after main(args). */
  function commanderFilesAfter(args: string[]): number {
    const index = join(CLI, '..', '..', 'src', 'cli', 'index.js');
    const script = `import { main } from ${JSON.stringify(index)};
      import { createRequire } from 'node:module';
      await main(${JSON.stringify(args)}, { stdout: { write() {} }, stderr: process.stderr, stdin: process.stdin });
      process.stdout.write(String(Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('commander')).length));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    return Number(r.stdout);
  }

  it('--version loads neither commander nor any command (each command imports commander)', () => {
    expect(commanderFilesAfter(['--version'])).toBe(0);
    expect(commanderFilesAfter(['check', '--list'])).toBeGreaterThan(0); // the probe sees it when it is loaded
  });
});

describe('an internal error (a bug in mmsim)', () => {
  it('prints its stack and asks for a report, exit 1', async () => {
    vi.doMock('../../src/cli/run.js', () => ({
      runCommand: () =>
        new Command('run').action(() => {
          throw new TypeError('a deliberate bug');
        }),
    }));
    try {
      const r = await cli(['run']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^mmsim: internal error: this is a bug in mmsim.*please report it/);
      expect(r.stderr).toMatch(/TypeError: a deliberate bug\n\s+at /);
    } finally {
      vi.doUnmock('../../src/cli/run.js');
    }
  });
});
