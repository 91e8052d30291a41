import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { record, timeline, tmp } from './helpers.js';
import { LogReader } from '../src/log/reader.js';
import { replayLog } from '../src/log/replay.js';
import { stateHash } from '../src/snapshot/hash.js';
import { apply } from '../src/reducer/index.js';
import { copyState } from '../src/snapshot/copy.js';
import type { State } from '../src/state.js';

const run = record({ events: 100000, every: 16384 });

/** Ground truth: fold the reducer over the whole log from the header. */
function truthAt(pos: number): string {
  const log = new LogReader(run.path);
  const s = copyState(log.header.initial as State);
  let i = 0;
  for (const { events } of log.eventChunks())
    for (const e of events) {
      if (i++ >= pos) break;
      apply(s, e);
    }
  log.close();
  return stateHash(s);
}

describe('snapshots and seeking', { timeout: 30000 }, () => {
  it('writes a snapshot every K events and an index that opens without a walk', () => {
    const log = new LogReader(run.path);
    expect(log.indexed).toBe(true);
    expect(log.snapshots.map((c) => c.first)).toEqual([16384, 32768, 49152, 65536, 81920, 98304]);
    expect(log.events).toBe(run.events);
    expect(log.end?.hash).toBe(run.hash);
    expect(stateHash(replayLog(log))).toBe(run.hash);
  });

  it('reaches any position with the same state as a full replay, forwards and backwards', () => {
    const tl = timeline(run.path);
    for (const pos of [0, 1, 16383, 16384, 16385, 50000, 99999, run.events, 40000, 3]) {
      expect(stateHash(tl.at(pos)), `position ${pos}`).toBe(truthAt(pos));
    }
    expect(tl.maxGap).toBeLessThanOrEqual(16384);
  });

  it('writes byte-identical logs, snapshots included, from the Immer and direct engines', () => {
    const a = record({ scenario: 'tiny', seed: '3', events: 20000, every: 8192, engine: 'immer' });
    const b = record({ scenario: 'tiny', seed: '3', events: 20000, every: 8192, engine: 'direct' });
    expect(a.snapshots.count).toBe(2);
    expect(readFileSync(a.path).equals(readFileSync(b.path))).toBe(true);
  });

  it('rejects positions past the end with the allowed range', () => {
    const tl = timeline(run.path);
    expect(() => tl.checkEvent(run.events)).toThrow(`numbered 0..${run.events - 1}`);
    expect(() => tl.at(run.events + 1)).toThrow(/out of range: 0\.\.\d+/);
  });

  it('falls back to the previous snapshot, with a warning, when one is damaged', () => {
    const log = new LogReader(run.path);
    const snap = log.snapshots[2]; // event 49152
    log.close();
    const bytes = readFileSync(run.path);
    bytes[snap.offset + 8 + Math.floor(snap.length / 2)] ^= 0xff;
    const bad = tmp('damaged-snapshot.mmlog');
    writeFileSync(bad, bytes);
    const warnings: string[] = [];
    const tl = timeline(bad, warnings);
    expect(stateHash(tl.at(50000))).toBe(truthAt(50000));
    expect(warnings.join('\n')).toMatch(
      /snapshot at event 49152 \(chunk \d+, byte offset \d+\) is damaged.*falling back to the snapshot at event 32768/,
    );
    // a walk of the same file tolerates it too: no events were lost
    const walked = new LogReader(bad, { walk: true });
    expect(walked.events).toBe(run.events);
    expect(walked.warnings.join('\n')).toMatch(/damaged .* no events were lost/);
  });

  it('walks the chunks when the tail or index is missing, and keeps the torn-tail rules', () => {
    const bytes = readFileSync(run.path);
    const cut = tmp('no-tail.mmlog');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 5));
    const log = new LogReader(cut);
    expect(log.indexed).toBe(false);
    expect(log.events).toBe(run.events);
    expect(log.warnings.join('\n')).toMatch(/torn tail at chunk \d+ \(byte offset \d+\)/);
    const tl = timeline(cut);
    expect(stateHash(tl.at(70000))).toBe(truthAt(70000));
  });

  it('names the chunk and offset when events are damaged', () => {
    const log = new LogReader(run.path);
    const ev = log.chunks.filter((c) => c.kind === 'events')[3];
    log.close();
    const bytes = readFileSync(run.path);
    bytes[ev.offset + 20] ^= 0x55;
    const bad = tmp('damaged-events.mmlog');
    writeFileSync(bad, bytes);
    const tl = timeline(bad);
    expect(() => tl.at(30000)).toThrow(new RegExp(`chunk ${ev.index} \\(events\\) at byte offset ${ev.offset} is damaged`));
    // a walk finds it at open; opened through the index, replay finds it when it reads the chunk
    expect(() => new LogReader(bad, { walk: true })).toThrow(new RegExp(`chunk ${ev.index} at byte offset ${ev.offset}`));
    expect(() => replayLog(new LogReader(bad))).toThrow(
      new RegExp(`chunk ${ev.index} \\(events\\) at byte offset ${ev.offset} is damaged`),
    );
  });
});
