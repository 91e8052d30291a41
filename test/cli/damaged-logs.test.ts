// Every log command gives the same answer for a truncated log (exit 2 after reporting over
// the intact prefix, never an invariant failure, never "ok" with exit 0) and for a malformed
// one (exit 2 naming where, never a stack), through the command line run in-process.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVENT_CODE, EVENT_FIELDS, EVENT_TYPES } from '../../src/events.js';
import { cli, record, tmp } from '../helpers.js';
import { buildLog, chunksOf, offsetsOf, type ChunkObj } from '../log/craft.js';

// no snapshots inside: seek and diff then replay from the header, through every event
const run = record({ scenario: 'tiny', seed: '3', events: 30000, every: 65536 });
const bytes = readFileSync(run.path);
const chunks = chunksOf(bytes);
const offsets = offsetsOf(bytes);
const lastEvents = chunks.map((c) => c.kind).lastIndexOf('events');

/** Every log command, reading the whole log where it can. */
function commands(path: string, events: number): { name: string; args: string[]; input?: string }[] {
  const last = String(events - 1);
  return [
    { name: 'replay', args: ['replay', path] },
    { name: 'check', args: ['check', path] },
    { name: 'bisect', args: ['bisect', path] },
    { name: 'export', args: ['export', path, '-o', tmp('out.json')] },
    { name: 'history', args: ['history', path, '--page', '40'] },
    { name: 'diff', args: ['diff', path, '0', last] },
    { name: 'debug', args: ['debug', path], input: `goto ${last}\n` },
    { name: 'seek', args: ['seek', path, last] },
  ];
}

const STACK = /\n\s+at .*\(.*:\d+:\d+\)/;

/** Replace the first event of `type` in the first events chunk: field `field` becomes `value`. */
function craftEvent(type: keyof typeof EVENT_FIELDS, field: number, value: number): string {
  const i = chunks.findIndex((c) => c.kind === 'events');
  const ev = (chunks[i].ev as number[]).slice();
  let p = 0;
  while (ev[p] !== EVENT_CODE[type]) p += 1 + EVENT_FIELDS[EVENT_TYPES[ev[p]]].length;
  ev[p + 1 + field] = value;
  const f = tmp(`${type}.mmlog`);
  writeFileSync(f, buildLog(chunks.map((c, j): ChunkObj => (j === i ? { ...c, ev } : c))));
  return f;
}

describe('damaged logs, every command', { timeout: 120000 }, () => {
  it('a truncated log: exit 2 after a report over the prefix up to its last operation boundary', async () => {
    for (const cut of [offsets[lastEvents], offsets[lastEvents] + 301]) {
      const f = tmp('truncated.mmlog');
      writeFileSync(f, bytes.subarray(0, cut));
      const events = Number(/\b([\d,]+) intact event/.exec((await cli(['replay', f])).stderr)?.[1].replace(/,/g, ''));
      expect(events).toBeGreaterThan(0);
      for (const c of commands(f, events)) {
        const r = await cli(c.args, c.input);
        expect(r.code, `${c.name} (cut at ${cut}): ${r.stdout}${r.stderr}`).toBe(2);
        expect(r.stderr, c.name).toMatch(
          /is truncated \(no end chunk\): the results above cover its [\d,]+ intact event\(s\), up to its last operation boundary/,
        );
        expect(r.stderr, c.name).not.toMatch(STACK);
        expect(r.stdout, c.name).not.toMatch(/FAILED|FIRST BAD EVENT/);
      }
      expect((await cli(['check', f])).stdout).toMatch(/^ok: /);
      expect((await cli(['bisect', f])).stdout).toMatch(/^ok: no invariant fails in/);
    }
  });

  it('a flipped byte in the last events chunk before an intact end: exit 2 naming the chunk, not a torn tail and "state hash differs"', async () => {
    const b = Buffer.from(bytes);
    b[offsets[lastEvents] + 60] ^= 0x20;
    const f = tmp('flip-last.mmlog');
    writeFileSync(f, b);
    for (const c of commands(f, run.events)) {
      const r = await cli(c.args, c.input);
      expect(r.code, `${c.name}: ${r.stderr}`).toBe(2);
      expect(r.stderr, c.name).toMatch(new RegExp(`chunk ${lastEvents} (\\(events\\) )?at byte offset ${offsets[lastEvents]} is damaged`));
      expect(r.stderr, c.name).not.toMatch(/torn tail at|hash .* differs/);
    }
  });

  it('out-of-range fields and events the state cannot take: exit 2 naming where, no stack, in every command', async () => {
    const cases: [string, RegExp, string[]][] = [
      [craftEvent('fault', 3, 4294967294), /kind is 4294967294, expected a fault kind 0\.\.\d+/, commands('', 1).map((c) => c.name)],
      [craftEvent('page_alloc', 0, 1 << 20), /pfn is 1048576, expected a page frame 0\.\.63/, commands('', 1).map((c) => c.name)],
      // in range, but no such mm exists: only the reducer can tell (a ReducerError, reported as a malformed log)
      [craftEvent('vma_add', 0, 777), /cannot be applied.*unknown mm 777/, commands('', 1).map((c) => c.name)],
    ];
    for (const [f, message, names] of cases) {
      for (const c of commands(f, run.events).filter((x) => names.includes(x.name))) {
        const r = await cli(c.args, c.input);
        expect(r.code, `${c.name}: ${r.stdout}${r.stderr}`).toBe(2);
        expect(r.stderr, c.name).toMatch(message);
        expect(r.stderr, c.name).toMatch(/^mmsim: error: /m);
        expect(r.stderr, c.name).not.toMatch(STACK);
        if (c.name === 'export') expect(existsSync(c.args[3]), 'a half-written trace was left behind').toBe(false);
      }
    }
  });
});
