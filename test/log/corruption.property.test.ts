// Bad input never crashes or hangs: for random single-byte flips, byte runs zeroed and
// truncations of a real log, opening it (scanning, or through the index) and reading
// every event either works or fails with a LogError that names where; nothing else.

import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LogReader } from '../../src/log/reader.js';
import { LogError } from '../../src/log/format.js';
import { replayLog } from '../../src/log/replay.js';
import { Timeline } from '../../src/timetravel/timeline.js';
import { mmsim, tmp } from '../helpers.js';

const original = (() => {
  const f = tmp('base.mmlog');
  const r = mmsim(['record', '--scenario', 'tiny', '--seed', '9', '--events', '150000', '--snapshot-every', '16384', '-o', f]);
  if (r.code !== 0) throw new Error(r.stderr);
  return readFileSync(f);
})();

type Damage = { kind: 'flip'; at: number; mask: number } | { kind: 'zero'; at: number; len: number } | { kind: 'cut'; at: number };

function damaged(d: Damage): Buffer {
  const b = Buffer.from(original);
  if (d.kind === 'flip') {
    b[d.at] ^= d.mask;
    return b;
  }
  if (d.kind === 'zero') {
    b.fill(0, d.at, Math.min(b.length, d.at + d.len));
    return b;
  }
  return b.subarray(0, d.at);
}

const damage: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(original.length - 1), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('zero' as const), at: fc.nat(original.length - 1), len: fc.integer({ min: 1, max: 4096 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat(original.length - 1) }),
);

/** Read everything the log offers; a LogError is an acceptable answer, any other throw is not. */
function readAll(path: string, indexed: boolean): 'ok' | 'error' {
  try {
    const log = new LogReader(path, { indexed });
    try {
      if (indexed) {
        const tl = new Timeline(log, () => {});
        if (log.events > 0) tl.at(log.events - 1);
      } else replayLog(log);
    } finally {
      log.close();
    }
    return 'ok';
  } catch (err) {
    if (err instanceof LogError) {
      expect(err.message).toMatch(/chunk \d+|offset \d+|not an mmsim run log|format version|no intact header|event \d+/);
      return 'error';
    }
    throw err;
  }
}

describe('damaged logs', () => {
  it('never crash the reader, the replayer or the seeker (200 random damages)', { timeout: 120000 }, () => {
    const f = tmp('damaged.mmlog');
    const outcomes = { ok: 0, error: 0 };
    fc.assert(
      fc.property(damage, (d) => {
        writeFileSync(f, damaged(d));
        outcomes[readAll(f, false)]++;
        outcomes[readAll(f, true)]++;
      }),
      { numRuns: 200, seed: 20261126 },
    );
    // both answers occur: damage to snapshots, the index or the tail is survivable, damage to events is not
    expect(outcomes.ok).toBeGreaterThan(0);
    expect(outcomes.error).toBeGreaterThan(0);
  });

  it('a flipped byte inside an events chunk is always caught (the CRC), never silently replayed', () => {
    const intact = tmp('o.mmlog');
    writeFileSync(intact, original);
    const log = new LogReader(intact);
    const events = log.chunks.filter((c) => c.kind === 'events');
    log.close();
    const f = tmp('flip.mmlog');
    for (const c of events.slice(0, 10)) {
      const b = Buffer.from(original);
      b[c.offset + 8 + Math.floor(c.length / 2)] ^= 0x01;
      writeFileSync(f, b);
      expect(() => replayLog(new LogReader(f))).toThrow(LogError);
    }
  });
});
