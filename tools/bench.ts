// npm run bench: speed and memory of the core paths, medians of repeated runs in one process.
//   record and replay (open + replay) events/s for x486 at 1M events (both engines), log bytes per event,
//   and events/s at 2,048 and 262,144 frames (flat cost per event as memory grows).

import { DEFAULT_RECLAIM, DEFAULT_RMAP } from '../src/designs/registry.js';
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogReader } from '../src/log/reader.js';
import { LogWriter } from '../src/log/writer.js';
import { replayLog } from '../src/log/replay.js';
import { stateHash } from '../src/snapshot/hash.js';
import { makeRunConfig } from '../src/run-config.js';
import { Simulation } from '../src/simulation.js';
import { loadScenario } from '../src/workload/scenario.js';
import { EventStore, type EngineName } from '../src/event-store.js';
import { boot } from '../src/mm/boot.js';
import { thousands } from '../src/lib/thousands.js';

const REPS = Number(process.env.BENCH_REPS ?? 3);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1000000);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const r = f();
  return [r, performance.now() - t0];
}

function record(
  path: string,
  mem: string | undefined,
  engine: EngineName,
  events: number,
): { ms: number; events: number; headerBytes: number; bytes: number } {
  const sim = new Simulation(makeRunConfig(loadScenario('x486'), { seed: '1', mem }), engine, { consumeInitial: true });
  const w = new LogWriter(path, { config: sim.cfg, initial: sim.initial });
  const headerBytes = w.bytes;
  sim.machine.sink = (e) => w.event(e);
  const [s, ms] = time(() => sim.run(events));
  w.close({ hash: stateHash(s) });
  return { ms, events: w.events, headerBytes, bytes: statSync(path).size };
}

function row(label: string, values: string[]): string {
  return label.padEnd(36) + values.map((v) => v.padStart(22)).join('');
}

const rate = (events: number, ms: number): string => `${thousands(Math.round(events / (ms / 1000)))}/s`;

console.log(`mmsim bench: x486 seed 1, ${thousands(EVENTS)} events, median of ${REPS} (node ${process.version})`);
const dir = tmpdir();
for (const [mem, label] of [
  [undefined, '2,048 frames (8M)'],
  ['1G', '262,144 frames (1G)'],
] as const) {
  for (const engine of ['direct', 'immer'] as EngineName[]) {
    const path = join(dir, `mmsim-bench-${engine}-${mem ?? '8M'}.mmlog`);
    const reps = engine === 'immer' ? 1 : REPS;
    const recs = Array.from({ length: reps }, () => record(path, mem, engine, EVENTS));
    const rec = recs[0];
    const recMs = median(recs.map((r) => r.ms));
    // opening is part of replaying (it reads the index, or walks the chunks), so it is timed too
    const replays = Array.from({ length: reps }, () => {
      const [, ms] = time(() => {
        const log = new LogReader(path);
        replayLog(log, engine);
        log.close();
      });
      return ms;
    });
    const evBytes = rec.bytes - rec.headerBytes;
    console.log(
      row(`${label}, ${engine} engine`, [
        `rec ${rate(rec.events, recMs)}`,
        `replay ${rate(rec.events, median(replays))}`,
        `${(evBytes / rec.events).toFixed(2)} B/ev`,
        `hdr ${(rec.headerBytes / 1024).toFixed(0)} KiB`,
      ]),
    );
  }
}
// The same cycle of events at both sizes: alloc, map, link, access, age, unlink, unmap,
// free. Any cost that grows with mem_map shows here as a falling rate.
console.log('');
console.log('same event cycle (page_alloc .. page_free, 9 events) at both sizes:');
for (const nframes of [2048, 262144]) {
  for (const engine of ['direct', 'immer'] as EngineName[]) {
    const s0 = boot({ nframes, reserved: 256, swapSlots: 64, rmap: DEFAULT_RMAP, reclaim: DEFAULT_RECLAIM });
    const m = new EventStore(s0, engine, true);
    const pgd = m.s.freeArea[5].head;
    m.emit({ t: 'page_alloc', pfn: pgd, order: 1, from: 5 });
    m.emit({ t: 'mm_create', mm: 1, pgd, parent: -1 });
    const pt = m.s.freeArea[5].head;
    m.emit({ t: 'page_alloc', pfn: pt, order: 1, from: 5 });
    m.emit({ t: 'pt_alloc', pfn: pt, mm: 1, index: 0 });
    const cycles = engine === 'direct' ? 200000 : 40000;
    const runs = Array.from({ length: REPS }, () => {
      const t0 = performance.now();
      for (let i = 0; i < cycles; i++) {
        const from = m.s.freeArea.findIndex((a) => a.head >= 0);
        const pfn = m.s.freeArea[from].head + (1 << from) - 1;
        const pte = pt * 4096 + (i & 1023) * 4;
        m.emit({ t: 'page_alloc', pfn, order: 0, from });
        m.emit({ t: 'pte_set', pte, val: ((pfn << 12) | 0x67) >>> 0 });
        m.emit({ t: 'pte_link', pte, pfn });
        m.emit({ t: 'hw_access', pte, write: 1 });
        m.emit({ t: 'pte_mkold', pte });
        m.emit({ t: 'pte_unlink', pte, pfn });
        m.emit({ t: 'pte_clear', pte });
        m.emit({ t: 'put_page', pfn });
        m.emit({ t: 'page_free', pfn, order: 0, reclaim: 0 });
        if ((i & 255) === 255) m.commit();
      }
      m.commit();
      return performance.now() - t0;
    });
    console.log(
      row(`${thousands(nframes)} frames, ${engine} engine`, [
        rate(cycles * 9, median(runs)),
        `${((median(runs) * 1000) / (cycles * 9)).toFixed(3)} µs/ev`,
      ]),
    );
  }
}
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
