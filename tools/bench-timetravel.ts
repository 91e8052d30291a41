// npm run bench:timetravel — time-travel benchmarks. Each phase runs in its own process
// so that its peak memory (maxRSS) is its own:
//   record   a 10M-event x486 log with a late injected bug (fault-no-link after 9.5M)
//   seek     median time to reach random events (open the log + nearest snapshot + replay)
//   bisect   the whole bisect of that log
//   snapshot size and write/read time of one snapshot at 262,144 frames (--mem 1G)
//   interval (--interval) record time, log size and seek time for several snapshot intervals
// Usage: node dist/tools/bench-timetravel.js [--events N] [--out DIR] [--interval]

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unpack } from 'msgpackr';
import { recordRun } from '../src/log/record.js';
import { LogReader } from '../src/log/reader.js';
import { Timeline } from '../src/timetravel/timeline.js';
import { bisect } from '../src/bisect/index.js';
import { makeRunConfig } from '../src/run-config.js';
import { Simulation } from '../src/simulation.js';
import { loadScenario } from '../src/workload/scenario.js';
import { parseInjectSpec } from '../src/inject/injector.js';
import { encodeState } from '../src/snapshot/hash.js';
import { Rng } from '../src/workload/rng.js';

const args = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const EVENTS = Number(opt('--events', '10000000'));
const OUT = opt('--out', 'bench-out');
const LOG = join(OUT, `x486-${EVENTS}.mmlog`);
const maxRssMb = (): number => Math.round(process.resourceUsage().maxRSS / 1024);
const median = (xs: number[]): number => {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const r1 = (x: number): number => Math.round(x * 10) / 10;

function phase(name: string): Record<string, unknown> {
  switch (name) {
    case 'record': {
      const t0 = performance.now();
      const cfg = makeRunConfig(loadScenario('x486'), { seed: '1' });
      const r = recordRun(LOG, cfg, { events: EVENTS, inject: parseInjectSpec('fault-no-link@0.05', Math.floor(EVENTS * 0.95)) });
      return {
        events: r.events,
        bytes: r.bytes,
        seconds: r1((performance.now() - t0) / 1000),
        injected: r.injected,
        snapshots: r.snapshots,
        crashed: r.crashed,
      };
    }
    case 'seek': {
      const rng = new Rng('bench', 'seek');
      const total = new LogReader(LOG).events;
      const times: number[] = [],
        openTimes: number[] = [];
      for (let k = 0; k < 40; k++) {
        const n = rng.int(total);
        const t0 = performance.now();
        const tl = new Timeline(new LogReader(LOG));
        const t1 = performance.now();
        tl.at(n + 1);
        times.push(performance.now() - t0);
        openTimes.push(t1 - t0);
        tl.log.close();
      }
      return { seeks: times.length, medianMs: r1(median(times)), maxMs: r1(Math.max(...times)), medianOpenMs: r1(median(openTimes)) };
    }
    case 'bisect': {
      const t0 = performance.now();
      const tl = new Timeline(new LogReader(LOG));
      const b = bisect(tl);
      return {
        seconds: r1((performance.now() - t0) / 1000),
        event: b?.event ?? null,
        invariant: b?.invariant ?? null,
        probes: b?.probes ?? 0,
      };
    }
    case 'snapshot': {
      const cfg = makeRunConfig(loadScenario('x486'), { seed: '1', mem: '1G' });
      const sim = new Simulation(cfg, 'direct');
      const s = sim.run(200000);
      const path = join(OUT, 'snapshot-1G.bin');
      const t0 = performance.now();
      const bytes = encodeState(s);
      const hash = createHash('sha256').update(bytes).digest('hex');
      writeFileSync(path, bytes);
      const t1 = performance.now();
      const back = readFileSync(path);
      const ok = createHash('sha256').update(back).digest('hex') === hash;
      const st = unpack(back) as { nframes: number };
      const t2 = performance.now();
      return { frames: st.nframes, bytes: statSync(path).size, writeMs: r1(t1 - t0), readMs: r1(t2 - t1), hashOk: ok };
    }
    case 'interval': {
      // How K (events between snapshots) trades recording cost and log size against seek time.
      const cfg = makeRunConfig(loadScenario('x486'), { seed: '1' });
      const rows: Record<string, number>[] = [];
      for (const every of [16384, 32768, 65536, 131072, 262144]) {
        const path = join(OUT, `interval-${every}.mmlog`);
        const t0 = performance.now();
        const r = recordRun(path, cfg, { events: 1000000, snapshotEvery: every });
        const recordMs = performance.now() - t0;
        const rng = new Rng('bench', `interval-${every}`);
        const times: number[] = [];
        for (let k = 0; k < 30; k++) {
          const n = rng.int(r.events);
          const t1 = performance.now();
          const tl = new Timeline(new LogReader(path));
          tl.at(n + 1);
          times.push(performance.now() - t1);
          tl.log.close();
        }
        rows.push({
          every,
          recordMs: Math.round(recordMs),
          snapshotMs: r.snapshots.ms,
          bytes: r.bytes,
          snapshotBytes: r.snapshots.bytes,
          seekMedianMs: r1(median(times)),
          seekMaxMs: r1(Math.max(...times.slice(1))),
        });
      }
      return { rows };
    }
    default:
      throw new Error(`unknown phase ${name}`);
  }
}

if (args[0] === '--phase') {
  const res = phase(args[1]);
  process.stdout.write(JSON.stringify({ ...res, peakRssMb: maxRssMb() }) + '\n');
} else {
  mkdirSync(OUT, { recursive: true });
  const self = fileURLToPath(import.meta.url);
  const results: Record<string, unknown> = {};
  const phases = args.includes('--interval') ? ['interval'] : ['record', 'seek', 'bisect', 'snapshot'];
  for (const p of phases) {
    const r = spawnSync(process.execPath, [self, '--phase', p, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) {
      process.stderr.write(r.stderr);
      process.exit(1);
    }
    results[p] = JSON.parse(r.stdout.trim().split('\n').pop()!);
    process.stdout.write(`${p.padEnd(9)} ${JSON.stringify(results[p])}\n`);
  }
  writeFileSync(join(OUT, 'timetravel.json'), JSON.stringify(results, null, 2) + '\n');
}
