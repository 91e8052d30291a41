// Damaged and crafted logs across the commands, in-process: random byte flips, zeroed
// runs, truncations, chunks swapped (raw, or with the index rewritten to match) and
// CRC-valid chunks with hostile fields. Every command (replay, check, seek, bisect,
// history) must either give the answer the intact log gives, or fail with a LogError
// (exit 2) that names where. Never another exception (a stack), never an invariant
// failure or a hash mismatch (exit 1: the base log is sound), never a different answer.
// npm test runs 25 cases; npm run soak (MMSIM_SOAK=1) runs 10,000.

import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LogReader } from '../../src/log/reader.js';
import { LogError } from '../../src/log/format.js';
import { applyingLog, replayLog } from '../../src/log/replay.js';
import { stateHash } from '../../src/snapshot/hash.js';
import { cloneState } from '../../src/snapshot/clone.js';
import { StreamChecker } from '../../src/check/run.js';
import { bisect } from '../../src/bisect/index.js';
import { history } from '../../src/timetravel/history.js';
import { Timeline } from '../../src/timetravel/timeline.js';
import type { State } from '../../src/state.js';
import { record, tmp } from '../helpers.js';
import { buildLog, chunksOf, offsetsOf, type ChunkObj } from './craft.js';

const SOAK = process.env.MMSIM_SOAK === '1';
const RUNS = SOAK ? 10000 : 25;

const run = record({ scenario: 'tiny', seed: '9', events: 40000, every: 8192 });
const original = readFileSync(run.path);
const chunks = chunksOf(original);
const offsets = offsetsOf(original);

// The intact log's answers.
const truth = (() => {
  const log = new LogReader(run.path);
  const tl = new Timeline(log);
  const positions = [0, 1, 5000, 8192, 8193, 20000, 33000, log.events];
  const at = new Map(positions.map((p) => [p, stateHash(tl.at(p))]));
  const page = 40;
  const touches = history(tl, { page }).map((t) => t.index);
  const events = log.events;
  log.close();
  return { hash: run.hash, events, at, positions, page, touches };
})();

type Command = 'replay' | 'check' | 'seek' | 'bisect' | 'history';
const COMMANDS: Command[] = ['replay', 'check', 'seek', 'bisect', 'history'];

/** Run one command in-process the way the CLI does; its answer is compared with the intact log's. */
function runCommand(cmd: Command, path: string, pick: number): void {
  const log = new LogReader(path);
  try {
    const tl = new Timeline(log);
    switch (cmd) {
      case 'replay': {
        const h = stateHash(replayLog(log));
        if (log.end !== null) expect(h, 'replay of a damaged log reached a different state (exit 1)').toBe(log.end.hash);
        log.requireEnd();
        expect(h).toBe(truth.hash);
        break;
      }
      case 'check': {
        const checker = new StreamChecker(cloneState(log.header.initial as State), { fullEvery: 64 });
        let ok = true;
        applyingLog(log, () => {
          for (const { events } of log.eventChunks()) for (const e of events) if (ok) ok = checker.step(e);
          if (ok) ok = checker.finish();
        });
        expect(ok, `check reported an invariant failure on a damaged log: ${JSON.stringify(checker.failure?.violations[0])}`).toBe(true);
        log.requireEnd();
        expect(log.events).toBe(truth.events);
        break;
      }
      case 'seek': {
        const pos = truth.positions[pick % truth.positions.length];
        const h = stateHash(tl.at(pos));
        log.requireEnd();
        expect(h, `seek to ${pos}`).toBe(truth.at.get(pos));
        break;
      }
      case 'bisect': {
        const r = applyingLog(log, () => bisect(tl));
        expect(r, 'bisect found a culprit in a sound log').toBeNull();
        log.requireEnd();
        expect(log.events).toBe(truth.events);
        break;
      }
      case 'history': {
        const touches = history(tl, { page: truth.page }).map((t) => t.index);
        log.requireEnd();
        expect(touches).toEqual(truth.touches);
        break;
      }
    }
  } finally {
    log.close();
  }
}

// ---- damage

/** Values no field of any chunk or event allows (so a crafted log is malformed, not a different valid run). */
const HOSTILE: unknown[] = [null, -2, 2 ** 40, 1.5, '3621', [], {}, true, 2 ** 32 + 1, Number.NaN];

type Damage =
  | { kind: 'flip'; at: number; mask: number }
  | { kind: 'zero'; at: number; len: number }
  | { kind: 'cut'; at: number }
  | { kind: 'cutChunk'; i: number }
  | { kind: 'swap'; i: number; j: number; reindex: boolean }
  | { kind: 'field'; i: number; key: number; value: number; asString: boolean }
  | { kind: 'event'; i: number; pos: number; value: number }
  | { kind: 'initial'; path: number; value: number };

const nChunks = chunks.length;
const damage: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(original.length - 1), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('zero' as const), at: fc.nat(original.length - 1), len: fc.integer({ min: 1, max: 4096 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat(original.length - 1) }),
  fc.record({ kind: fc.constant('cutChunk' as const), i: fc.integer({ min: 1, max: nChunks - 1 }) }),
  fc.record({ kind: fc.constant('swap' as const), i: fc.nat(nChunks - 1), j: fc.nat(nChunks - 1), reindex: fc.boolean() }),
  fc.record({
    kind: fc.constant('field' as const),
    i: fc.nat(nChunks - 1),
    key: fc.nat(7),
    value: fc.nat(HOSTILE.length),
    asString: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('event' as const), i: fc.nat(nChunks - 1), pos: fc.nat(60000), value: fc.nat(HOSTILE.length - 1) }),
  fc.record({ kind: fc.constant('initial' as const), path: fc.nat(1000), value: fc.nat(HOSTILE.length - 1) }),
);

/** Set a leaf of `o` picked by `n` (depth-first, the first few hundred leaves) to `v`. */
function setLeaf(o: Record<string, unknown>, n: number, v: unknown): void {
  let left = n;
  const walk = (x: Record<string, unknown> | unknown[]): boolean => {
    for (const k of Object.keys(x)) {
      const y = (x as Record<string, unknown>)[k];
      if (typeof y === 'object' && y !== null && !ArrayBuffer.isView(y)) {
        if (walk(y as Record<string, unknown>)) return true;
      } else if (left-- === 0) {
        (x as Record<string, unknown>)[k] = v;
        return true;
      }
    }
    return false;
  };
  walk(o);
}

function damaged(d: Damage): Buffer {
  const b = Buffer.from(original);
  switch (d.kind) {
    case 'flip':
      b[d.at] ^= d.mask;
      return b;
    case 'zero':
      return b.fill(0, d.at, Math.min(b.length, d.at + d.len));
    case 'cut':
      return b.subarray(0, d.at);
    case 'cutChunk':
      return b.subarray(0, offsets[d.i]);
    case 'swap': {
      const cs = chunks.slice();
      [cs[d.i], cs[d.j]] = [cs[d.j], cs[d.i]];
      return buildLog(cs, d.reindex);
    }
    case 'field': {
      const c: ChunkObj = { ...chunks[d.i] };
      const keys = Object.keys(c);
      const key = keys[d.key % keys.length];
      if (d.value === HOSTILE.length) delete c[key];
      else c[key] = d.asString && typeof c[key] === 'number' ? String(c[key]) : HOSTILE[d.value];
      return buildLog(
        chunks.map((x, j) => (j === d.i ? c : x)),
        true,
      );
    }
    case 'event': {
      const evs = chunks.flatMap((c, j) => (c.kind === 'events' ? [j] : []));
      const j = evs[d.i % evs.length];
      const ev = (chunks[j].ev as unknown[]).slice();
      ev[d.pos % ev.length] = HOSTILE[d.value];
      return buildLog(
        chunks.map((x, k) => (k === j ? { ...x, ev } : x)),
        true,
      );
    }
    case 'initial': {
      const h = structuredClone(chunks[0]);
      setLeaf(h.initial as Record<string, unknown>, d.path, HOSTILE[d.value]);
      return buildLog([h, ...chunks.slice(1)], true);
    }
  }
}

describe('damaged and crafted logs', () => {
  it(`every command gives the intact answer or a LogError naming where (${RUNS} cases)`, { timeout: SOAK ? 3_600_000 : 120_000 }, () => {
    const f = tmp('damaged.mmlog');
    const outcomes: Record<string, number> = {};
    fc.assert(
      fc.property(damage, fc.constantFrom(...COMMANDS), fc.nat(), (d, cmd, pick) => {
        writeFileSync(f, damaged(d));
        let outcome = 'same answer';
        try {
          runCommand(cmd, f, pick);
        } catch (err) {
          if (!(err instanceof LogError)) throw err; // a stack, an exit 1 or a wrong answer
          expect(err.message).toMatch(
            /chunk \d+|offset \d+|not an mmsim run log|format version|no intact header|event \d+|is truncated|is out of range/,
          );
          outcome = 'exit 2';
        }
        outcomes[`${d.kind} ${outcome}`] = (outcomes[`${d.kind} ${outcome}`] ?? 0) + 1;
      }),
      { numRuns: RUNS, seed: 20261203 },
    );
    // both answers occur: damage to snapshots, the index or the tail is survivable, damage to events is not
    const total = (o: string) => Object.entries(outcomes).reduce((a, [k, v]) => a + (k.endsWith(o) ? v : 0), 0);
    expect(total('same answer')).toBeGreaterThan(0);
    expect(total('exit 2')).toBeGreaterThan(0);
    if (SOAK) console.log(outcomes);
  });

  it('a flipped byte inside any events chunk is always caught (the CRC), never silently replayed', () => {
    const f = tmp('flip.mmlog');
    for (const [i, c] of chunks.entries()) {
      if (c.kind !== 'events') continue;
      const b = Buffer.from(original);
      b[offsets[i] + 8 + Math.floor(original.readUInt32LE(offsets[i]) / 2)] ^= 0x01;
      writeFileSync(f, b);
      expect(() => replayLog(new LogReader(f))).toThrow(new RegExp(`chunk ${i} \\(events\\) at byte offset ${offsets[i]} is damaged`));
    }
  });
});
