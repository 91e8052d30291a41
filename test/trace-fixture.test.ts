// The committed real trace: valgrind --tool=lackey --trace-mem=yes of test/fixtures/walk.c
// (gcc -O1 -static), 51,206 lines, gzipped.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { runTrace } from '../src/trace/run.js';
import { parseLackeyLine } from '../src/trace/formats.js';
import { checkState } from '../src/check/invariants.js';
import type { EventStore } from '../src/event-store.js';
import { fifoFaults, lruFaults, clockFaults } from './reference-models.js';

const FIXTURE = new URL('./fixtures/walk.lackey.gz', import.meta.url).pathname;

describe('lackey fixture (a real program) through all four policies', () => {
  it('gives the recorded fault counts at 16 frames, OPT lowest, and a consistent machine', async () => {
    const got: Record<string, number> = {};
    for (const policy of ['clock', 'fifo', 'lru', 'opt'] as const) {
      let machine: EventStore | null = null;
      const r = await runTrace(FIXTURE, {
        format: 'lackey',
        frames: 16,
        policy,
        onStart: (i) => {
          machine = i.machine;
        },
      });
      expect(r.references).toBe(51182);
      expect(r.pages).toBe(96);
      expect(r.faults).toBe(r.evictions + 16);
      got[policy] = r.faults;
      expect(checkState(machine!.state())).toEqual([]);
    }
    expect(got).toEqual({ clock: 322, fifo: 356, lru: 311, opt: 189 });
  });

  it('agrees with the textbook models on the same page sequence (parsed independently)', async () => {
    const pages: number[] = [];
    for (const line of gunzipSync(readFileSync(FIXTURE)).toString('utf8').split('\n')) {
      if (parseLackeyLine(line, (p) => pages.push(p)) !== null) throw new Error(`fixture line ${line}`);
    }
    expect(pages.length).toBe(51182);
    for (const frames of [8, 32]) {
      expect((await runTrace(FIXTURE, { format: 'lackey', frames, policy: 'fifo' })).faults).toBe(fifoFaults(pages, frames));
      expect((await runTrace(FIXTURE, { format: 'lackey', frames, policy: 'lru' })).faults).toBe(lruFaults(pages, frames));
      expect((await runTrace(FIXTURE, { format: 'lackey', frames, policy: 'clock' })).faults).toBe(clockFaults(pages, frames));
    }
  });

  it('the Immer engine and the direct engine end in the same state hash', async () => {
    const a = await runTrace(FIXTURE, { format: 'lackey', frames: 12, policy: 'lru', engine: 'direct', hash: true });
    const b = await runTrace(FIXTURE, { format: 'lackey', frames: 12, policy: 'lru', engine: 'immer', hash: true });
    expect(a.stateHash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.stateHash).toBe(a.stateHash);
    expect(b.events).toBe(a.events);
  });
});
