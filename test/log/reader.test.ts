// The reader's answers for damaged, truncated, rearranged and crafted logs: corruption is
// an error naming the chunk and its byte offset, only a damaged final piece is a torn
// tail, a log without its end is read to its last operation boundary, and a chunk must be
// what the index says it is.

import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LogReader } from '../../src/log/reader.js';
import { LogError, TruncatedLogError } from '../../src/log/format.js';
import { replayLog } from '../../src/log/replay.js';
import { stateHash } from '../../src/snapshot/hash.js';
import { Timeline } from '../../src/timetravel/timeline.js';
import { record, tmp } from '../helpers.js';
import { buildLog, chunksOf, offsetsOf, type ChunkObj } from './craft.js';

const run = record({ scenario: 'tiny', seed: '4', events: 60000, every: 16384 });
const bytes = readFileSync(run.path);
const chunks = chunksOf(bytes);
const offsets = offsetsOf(bytes);
const kinds = chunks.map((c) => c.kind);
const lastEvents = kinds.lastIndexOf('events');
const indexAt = kinds.indexOf('index');

function write(name: string, b: Buffer): string {
  const f = tmp(name);
  writeFileSync(f, b);
  return f;
}

/** The error `f` throws (opening the log and replaying it), or null. */
function replayError(path: string, walk = false): LogError | null {
  try {
    const log = new LogReader(path, { walk });
    try {
      replayLog(log);
      log.requireEnd();
    } finally {
      log.close();
    }
    return null;
  } catch (err) {
    if (err instanceof LogError) return err;
    throw err;
  }
}

describe('damage before the end is corruption, not a torn tail', () => {
  it('a flipped byte in the last events chunk, before an intact end chunk, names that chunk and its offset', () => {
    const b = Buffer.from(bytes);
    b[offsets[lastEvents] + 40] ^= 0x04;
    const f = write('last-events.mmlog', b);
    for (const walk of [false, true]) {
      const err = replayError(f, walk);
      expect(err, `walk ${walk}`).not.toBeNull();
      expect(err!.message).toMatch(new RegExp(`chunk ${lastEvents} .*byte offset ${offsets[lastEvents]} .*damaged`));
      expect(err!.message).not.toMatch(/torn tail at/);
      expect(err!.chunk).toBe(lastEvents);
    }
  });

  it('with the index damaged too (so the chunks are walked), the first damaged chunk is named', () => {
    const b = Buffer.from(bytes);
    b[offsets[lastEvents] + 40] ^= 0x04;
    b[offsets[indexAt] + 12] ^= 0x01;
    const err = replayError(write('both.mmlog', b));
    expect(err?.message).toMatch(
      new RegExp(`chunk ${lastEvents} at byte offset ${offsets[lastEvents]} is damaged: CRC mismatch.*and so is chunk`),
    );
  });

  it('a damaged length field in the middle is corruption (intact chunks follow), not a torn tail', () => {
    const b = Buffer.from(bytes);
    b.writeUInt32LE(0x7fff0000, offsets[2]);
    const err = replayError(write('length.mmlog', b), true);
    expect(err?.message).toMatch(new RegExp(`chunk 2 at byte offset ${offsets[2]} is damaged: length field .* intact chunks follow`));
  });

  it('a damaged final piece with nothing intact after it is a torn tail (the prefix is kept)', () => {
    const f = write('cut.mmlog', bytes.subarray(0, offsets[lastEvents] + 100));
    const log = new LogReader(f);
    expect(log.warnings.join('\n')).toMatch(/torn tail at chunk \d+/);
    expect(log.end).toBeNull();
    log.close();
  });
});

describe('a log that lost its end', () => {
  it('is read up to its last operation boundary, and requireEnd makes the answer exit 2', () => {
    for (const cut of [offsets[lastEvents], offsets[lastEvents] + 77, offsets[3] + 500]) {
      const f = write('trunc.mmlog', bytes.subarray(0, cut));
      const log = new LogReader(f);
      expect(log.end).toBeNull();
      expect(log.events).toBeLessThanOrEqual(log.stored);
      expect(log.events).toBeGreaterThan(0);
      expect(() => log.requireEnd()).toThrow(TruncatedLogError);
      expect(() => log.requireEnd()).toThrow(/is truncated \(no end chunk\): the results above cover its [\d,]+ intact event/);
      log.close();
    }
  });

  it('the event at the cut is an op event', () => {
    const f = write('trunc2.mmlog', bytes.subarray(0, offsets[lastEvents] + 10));
    const log = new LogReader(f);
    const full = new LogReader(run.path);
    const tl = new Timeline(full);
    expect(tl.event(log.events).t).toBe('op');
    // and nothing later than the cut is an op boundary the reader skipped
    for (let i = log.events + 1; i < log.stored; i++) expect(tl.event(i).t).not.toBe('op');
    log.close();
    full.close();
  });
});

describe('the index is checked against the chunks', () => {
  it('two events chunks swapped, with an index rewritten to match, are caught when read (seek and replay)', () => {
    const evs = kinds.flatMap((k, i) => (k === 'events' ? [i] : []));
    const swapped = chunks.slice();
    [swapped[evs[0]], swapped[evs[1]]] = [swapped[evs[1]], swapped[evs[0]]];
    // the rebuilt index describes the file as it lies, so only the chunks' own `first` tells
    const f = write('swapped.mmlog', buildLog(swapped));
    const log = new LogReader(f);
    expect(() => new Timeline(log).at(100)).toThrow(/holds events .* but the (index|walk) found events/);
    expect(replayError(f)?.message).toMatch(/chunk \d+ at byte offset \d+ holds events/);
    log.close();
  });

  it('an index entry that disagrees with the file layout is not trusted: the walk answers instead', () => {
    const idx = chunks[indexAt].entries as number[][];
    const bad = idx.map((e, i) => (i === lastEvents ? [e[0], e[1], e[2], e[3] + 8192, e[4]] : e));
    const crafted = chunks.map((c, i) => (i === indexAt ? { ...c, entries: bad } : c));
    const f = write('bad-index.mmlog', buildLog(crafted, false));
    const log = new LogReader(f);
    expect(log.indexed).toBe(false);
    expect(log.warnings.join('\n')).toMatch(/the index is unusable/);
    expect(stateHash(replayLog(log))).toBe(run.hash);
    log.close();
  });
});

/** Replace chunk `i` with `f(chunk)` and rebuild the log with valid CRCs and index. */
function crafted(i: number, f: (c: ChunkObj) => ChunkObj): string {
  return write('crafted.mmlog', buildLog(chunks.map((c, j) => (j === i ? f(structuredClone(c)) : c))));
}

const firstEvents = kinds.indexOf('events');
const evWith = (pos: number, v: unknown) => (c: ChunkObj) => {
  const ev = (c.ev as unknown[]).slice();
  ev[pos] = v;
  return { ...c, ev };
};
/** Position of the first event of this type in chunk `i`'s flat array, and its field offset. */
function fieldPos(i: number, type: number, field: number): number {
  const { EVENT_FIELDS, EVENT_TYPES } = EVENTS;
  const ev = chunks[i].ev as number[];
  for (let p = 0; p < ev.length; p += 1 + EVENT_FIELDS[EVENT_TYPES[ev[p]]].length) if (ev[p] === type) return p + 1 + field;
  throw new Error(`no event of code ${type}`);
}
import * as EVENTS from '../../src/events.js';
const code = (t: keyof typeof EVENTS.EVENT_FIELDS) => EVENTS.EVENT_CODE[t];

describe('CRC-valid crafted chunks are malformed input (exit 2), never a crash, a hang or a 4 GB array', () => {
  const cases: [string, string, RegExp][] = [
    ['header without initial', crafted(0, ({ initial: _, ...c }) => c), /'initial' is undefined/],
    [
      'short mem_map',
      crafted(0, (c) => ({ ...c, initial: { ...(c.initial as object), memMap: (c.initial as { memMap: unknown[] }).memMap.slice(1) } })),
      /mem_map of 0 chunks|has 0 entries|mem_map/,
    ],
    [
      'pfn out of range',
      crafted(firstEvents, evWith(fieldPos(firstEvents, code('page_alloc'), 0), 1 << 20)),
      /pfn is 1048576, expected a page frame 0\.\.63/,
    ],
    [
      'order out of range',
      crafted(firstEvents, evWith(fieldPos(firstEvents, code('page_alloc'), 1), 9)),
      /order is 9, expected a block order/,
    ],
    ['mm id out of range', crafted(firstEvents, evWith(fieldPos(firstEvents, code('fault'), 0), -7)), /mm is -7, expected an mm id/],
    [
      'fault kind 4294967294',
      crafted(firstEvents, evWith(fieldPos(firstEvents, code('fault'), 3), 4294967294)),
      /kind is 4294967294, expected a fault kind/,
    ],
    ['ev: null', crafted(firstEvents, (c) => ({ ...c, ev: null })), /'ev' is null/],
    ['ev: 5', crafted(firstEvents, (c) => ({ ...c, ev: 5 })), /'ev' is 5/],
    ["n: '3621' as a string", crafted(firstEvents, (c) => ({ ...c, n: String(c.n) })), /'n' is '8192', expected a count/],
    [
      'index n of 2^40',
      crafted(indexAt, (c) => ({
        ...c,
        entries: (c.entries as number[][]).map((e) => (e[0] === 1 ? [e[0], e[1], e[2], e[3], 2 ** 40] : e)),
      })),
      /./,
    ],
    [
      'an event field that is a string',
      crafted(firstEvents, evWith(fieldPos(firstEvents, code('tick'), 0), '20')),
      /us is 20, expected 0\.\./,
    ],
  ];
  it.each(cases)('%s', (_name, f, message) => {
    let err: unknown = null;
    for (const walk of [false, true]) {
      try {
        const log = new LogReader(f, { walk });
        const tl = new Timeline(log);
        replayLog(log);
        tl.at(log.events);
        log.requireEnd();
        log.close();
        // an index entry that lies is not trusted: the walk (from the chunks themselves) gives the right answer
        if (_name === 'index n of 2^40') {
          expect(log.indexed).toBe(false);
          continue;
        }
      } catch (e) {
        err = e;
      }
      if (_name === 'index n of 2^40') continue;
      expect(err).toBeInstanceOf(LogError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).toMatch(/chunk \d+ (\(\w+\) )?at byte offset \d+/);
    }
  });
});
