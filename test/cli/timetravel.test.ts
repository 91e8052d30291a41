// The time-travel commands end to end, in-process through src/cli's main.
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { cli, record, timeline, tmp } from '../helpers.js';
import { LogReader } from '../../src/log/reader.js';

const mmsim = async (args: string[], input?: string) => {
  const r = await cli(args, input);
  return { code: r.code, out: r.stdout, err: r.stderr };
};

const bug = record({ events: 20000, every: 8192, inject: 'cow-no-unlink@0.05' });
const at = bug.injected[0];
/** The page the injected copy-on-write bug leaves a stale chain entry on: its put_page is event at - 1. */
const page = (() => {
  const e = timeline(bug.path).event(at - 1);
  if (e.t !== 'put_page') throw new Error(`event ${at - 1} is ${e.t}, expected the put_page of the copied page`);
  return e.pfn;
})();

describe('mmsim seek / diff / history / debug / bisect', { timeout: 30000 }, () => {
  it('bisect prints the event, its neighbours, the invariant and a replay token; --json; exit 1', async () => {
    const r = await mmsim(['bisect', bug.path]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`FIRST BAD EVENT ${at}: pte_set`);
    expect(r.out).toMatch(/failed invariant: chain-entry-valid \(page \d+, pte 0x[0-9a-f]+, mm \d+\)/);
    expect(r.out).toContain(`>> ${String(at).padStart(9)} [fault ]`);
    expect(r.out).toMatch(new RegExp(`replay: mmsim record --scenario x486 --seed 7 .*--inject cow-no-unlink@0.05 --events ${at + 1}`));
    const j = JSON.parse((await mmsim(['bisect', bug.path, '--json'])).out);
    expect(j).toMatchObject({ event: at, invariant: 'chain-entry-valid' });
    expect((await mmsim(['bisect', bug.path, '--invariant', 'nope'])).code).toBe(2);
  });

  it('bisect says so and exits 0 when nothing fails', async () => {
    const clean = record({ events: 5000 });
    const r = await mmsim(['bisect', clean.path]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ok: no invariant fails in/);
  });

  it('seek walks the chain link by link and rejects bad values with the allowed range', async () => {
    const j = JSON.parse((await mmsim(['seek', bug.path, String(at), '--json'])).out);
    expect(j.summary.frames).toBe(2048);
    const r = await mmsim(['seek', bug.path, String(at + 1), '--page', String(page), '--mm', '4']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/clock hand page \d+/);
    expect(r.out).toMatch(new RegExp(`page ${page}: count \\d+, map count \\d+`));
    expect(r.out).toMatch(/\[0\] pte 0x[0-9a-f]+ \(mm \d+, vaddr 0x[0-9a-f]+, table \d+ slot \d+\) = 0x[0-9a-f]+ \[.*\].*link -> /);
    expect(r.out).toContain('page tables:');
    const past = await mmsim(['seek', bug.path, '999999999']);
    expect(past.code).toBe(2);
    expect(past.err).toContain(`numbered 0..${bug.events - 1}`);
    const outside = await mmsim(['seek', bug.path, '5', '--page', '5000']);
    expect(outside.code).toBe(2);
    expect(outside.err).toContain('page 5000 is out of range: this machine has 2048 frames, numbered 0..2047');
    expect((await mmsim(['seek', bug.path, '5', '--pte', '0x3'])).code).toBe(2);
  });

  it('seek falls back past a damaged snapshot with a warning naming it, and still answers', async () => {
    const log = new LogReader(bug.path);
    const snap = log.snapshots[1];
    log.close();
    const bytes = readFileSync(bug.path);
    bytes[snap.offset + 8 + 100] ^= 0x01;
    const bad = tmp('damaged.mmlog');
    writeFileSync(bad, bytes);
    const good = await mmsim(['seek', bug.path, '17000', '--json']);
    const r = await mmsim(['seek', bad, '17000', '--json']);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(
      new RegExp(
        `warning: snapshot at event ${snap.first} \\(chunk ${snap.index}, byte offset ${snap.offset}\\) is damaged: .*falling back to the snapshot at event 8192`,
      ),
    );
    const strip = (x: string) => {
      const j = JSON.parse(x);
      delete j.seekMs;
      return j;
    };
    expect(strip(r.out)).toEqual(strip(good.out));
  });

  it('diff groups changes by page, pte and mm in words', async () => {
    const r = await mmsim(['diff', bug.path, String(at - 3), String(at + 2)]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^page \d+:\n {2}(count|map count|chain head): /m);
    expect(r.out).toMatch(/^pte 0x[0-9a-f]+ \(mm \d+, vaddr 0x[0-9a-f]+\):\n {2}value: 0x/m);
    expect((await mmsim(['diff', bug.path, '0', String(bug.events)])).code).toBe(2);
  });

  it('history lists every event that touched a page with its kernel path', async () => {
    const j = JSON.parse((await mmsim(['history', bug.path, '--page', String(page), '--json'])).out);
    const paths = new Set(j.events.map((e: { path: string }) => e.path));
    expect(j.events.length).toBeGreaterThan(3);
    expect(
      [...paths].every((p) => ['fault', 'fork', 'exit', 'exec', 'kswapd', 'munmap', 'brk', 'mmap', 'oom', 'mmu'].includes(p as string)),
    ).toBe(true);
    expect(j.events.some((e: { index: number }) => e.index === at - 1)).toBe(true); // the put_page before the bad pte_set
    expect((await mmsim(['history', bug.path])).code).toBe(2);
  });

  it('debug is scriptable from stdin', async () => {
    const r = await mmsim(
      ['debug', bug.path],
      `goto ${at - 2}\nbreak invariant\ncontinue\nprev pte_set\nprint event\nback\nwatch page ${page}\nstep 2\nprint page ${page}\nquit\n`,
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/breakpoint 0: invariant failed at the operation boundary after event \d+:\n {2}chain-entry-valid/);
    expect(r.out).toContain(`> print event\nafter event ${at} [fault] pte_set`);
    expect(r.out).toContain(`> back\nafter event ${at - 1}`);
    expect(r.out).toMatch(new RegExp(`page ${page}: count \\d+, map count \\d+, flags`));
  });

  it('a scripted debug session whose command fails exits 2; shrink of a log where nothing fails exits 2', async () => {
    const bad = await mmsim(['debug', bug.path, '-x', 'goto 99999999'], '');
    expect(bad.code).toBe(2);
    expect(bad.out).toMatch(/error: event 99999999 is out of range/);
    // each -x runs in turn (a second -x used to replace the first)
    const two = await mmsim(['debug', bug.path, '-x', 'goto 500', '-x', 'print event'], '');
    expect(two.code).toBe(0);
    expect(two.out).toMatch(/after event 500 \[.*\nafter event 500 \[/);
    const clean = record({ scenario: 'tiny', events: 2000 });
    const s = await mmsim(['shrink', clean.path, '-o', tmp('s.mmlog')]);
    expect(s.code).toBe(2);
    expect(s.err).toMatch(/^mmsim: error: nothing fails in \d+ events/);
  });

  it('every command has --help', async () => {
    for (const c of ['seek', 'diff', 'history', 'debug', 'bisect', 'shrink', 'record']) {
      const r = await mmsim([c, '--help']);
      expect(r.code, c).toBe(0);
      expect(r.out).toContain(`Usage: mmsim ${c}`);
    }
  });
});
