// npm run bench:replay: replay and check of one log, each against its floor in the same run.
//
//   in-process (one log, already on disk; CPU time, medians of REPS, the floors and the command interleaved):
//     decode-only   read + CRC + decode every events chunk into event objects (no range checks), nothing applied
//     decode+apply  the same, then the reducer's apply() on a private copy of the initial state
//                   (the project's own reducer: the floor any replay of these event objects has)
//     replay        new LogReader + replayLog (direct engine): what `mmsim replay` runs
//   debugger steps (in-process): mmsim debug's timeline (a window of STEP_WINDOW Immer states)
//     against a plain one: goto the middle of the log, 200 steps forward, 100 steps back
//   whole process (CPU of the children, bash `times`, rounds interleaved):
//     decode-only   node dist/tools/decode-floor.js LOG
//     replay        mmsim replay LOG
//     check         mmsim check LOG
//
// Usage: node dist/tools/bench-replay.js [LOG]   (default: records x486 seed 1, 1M events to a temp file)

import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuPerRun } from './cpu-time.js';
import { unpack } from 'msgpackr';
import type { Event } from '../src/events.js';
import { decodeTrustedEvents } from '../src/log/event-ranges.js';
import { zlib } from '../src/log/zlib.js';
import { CHUNK_HEADER_BYTES } from '../src/log/format.js';
import { LogReader } from '../src/log/reader.js';
import { replayLog } from '../src/log/replay.js';
import { apply } from '../src/reducer/index.js';
import '../src/designs/registry.js';
import { cloneState } from '../src/snapshot/clone.js';
import { stateHash } from '../src/snapshot/hash.js';
import type { State } from '../src/state.js';
import { Timeline } from '../src/timetravel/timeline.js';
import { STEP_WINDOW } from '../src/cli/tt-common.js';
import { thousands } from '../src/lib/thousands.js';

const REPS = Number(process.env.BENCH_REPS ?? 5);
const BIN = join(import.meta.dirname, 'mmsim.js');
const FLOOR = join(import.meta.dirname, 'decode-floor.js');
const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function sh(args: string[]): void {
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
}

let path = process.argv[2];
if (path === undefined) {
  path = join(tmpdir(), 'mmsim-bench-replay.mmlog');
  console.log(`recording: mmsim record --scenario x486 --seed 1 --events 1000000 -o ${path}`);
  sh([BIN, 'record', '--scenario', 'x486', '--seed', '1', '--events', '1000000', '-o', path]);
}

/** Events chunks read, CRC-checked and decoded to objects: no range checks, no reducer. */
function decodeAll(p: string, onChunk: (events: Event[]) => void): void {
  const log = new LogReader(p);
  const fd = openSync(p, 'r');
  for (const info of log.chunks) {
    if (info.kind !== 'events') continue;
    const b = Buffer.alloc(CHUNK_HEADER_BYTES + info.length);
    readSync(fd, b, 0, b.length, info.offset);
    const payload = b.subarray(CHUNK_HEADER_BYTES);
    if (zlib.crc32(payload) !== b.readUInt32LE(4)) throw new Error(`CRC mismatch in chunk ${info.index}`);
    onChunk(decodeTrustedEvents((unpack(payload) as { ev: number[] }).ev));
  }
  closeSync(fd);
  log.close();
}

/** CPU milliseconds (user + sys) of this process while `f` runs: steadier than wall time on a shared machine. */
function timed(f: () => void): number {
  const t0 = process.cpuUsage();
  f();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}

const log0 = new LogReader(path);
const events = log0.events;
const initial = log0.header.initial as State;
const endHash = log0.end?.hash;
log0.close();

const inproc: Record<string, number[]> = { 'decode-only': [], 'decode+apply': [], replay: [] };
let floorHash = '';
for (let r = 0; r < REPS + 1; r++) {
  const d = timed(() => decodeAll(path, () => {}));
  let s: State = initial;
  const da = timed(() => {
    s = cloneState(initial);
    decodeAll(path, (evs) => {
      for (let i = 0; i < evs.length; i++) apply(s, evs[i]);
    });
  });
  floorHash = stateHash(s);
  const rp = timed(() => {
    const log = new LogReader(path);
    replayLog(log, 'direct');
    log.close();
  });
  if (r === 0) continue; // warm-up
  inproc['decode-only'].push(d);
  inproc['decode+apply'].push(da);
  inproc.replay.push(rp);
}
if (floorHash !== endHash) throw new Error(`the decode+apply floor reached ${floorHash}, the log ends at ${endHash}`);

/** Step forward and back through the middle of the log, as `step` and `back` in mmsim debug do. */
function steps(window: number): { forward: number; back: number; reloads: number } {
  const tl = new Timeline(new LogReader(path), () => {}, { window });
  const mid = Math.floor(events / 2);
  tl.at(mid);
  const before = tl.reloads;
  const forward = timed(() => {
    for (let p = mid + 1; p <= mid + 200; p++) tl.at(p);
  });
  const back = timed(() => {
    for (let p = mid + 199; p >= mid + 100; p--) tl.at(p);
  });
  const reloads = tl.reloads - before;
  tl.log.close();
  return { forward: forward / 200, back: back / 100, reloads };
}
const stepRuns = { plain: [] as ReturnType<typeof steps>[], window: [] as ReturnType<typeof steps>[] };
for (let r = 0; r < 3; r++) {
  stepRuns.plain.push(steps(0));
  stepRuns.window.push(steps(STEP_WINDOW));
}

const node = process.execPath;
const whole: Record<string, [string, number[]]> = {
  'decode-only': [`${node} ${FLOOR} ${path}`, []],
  replay: [`${node} ${BIN} replay ${path}`, []],
  check: [`${node} ${BIN} check ${path}`, []],
};
for (let r = 0; r < REPS; r++) for (const [cmd, xs] of Object.values(whole)) xs.push(cpuPerRun(cmd, 1));

const ns = (ms: number): string => `${((ms * 1e6) / events).toFixed(0).padStart(5)} ns/event`;
console.log(`bench-replay: ${path}, ${thousands(events)} events, medians of ${REPS} (node ${process.version})`);
console.log('in-process (CPU, user + sys):');
const floorMs = median(inproc['decode+apply']);
for (const [name, xs] of Object.entries(inproc)) {
  const m = median(xs);
  console.log(`  ${name.padEnd(14)} ${m.toFixed(0).padStart(6)} ms ${ns(m)}  ${(m / floorMs).toFixed(2)}x decode+apply`);
}
console.log(`debugger steps in the middle of the log (CPU per step, median of 3; window: STEP_WINDOW = ${STEP_WINDOW}):`);
for (const [name, runs] of Object.entries(stepRuns)) {
  const f = median(runs.map((x) => x.forward));
  const b = median(runs.map((x) => x.back));
  console.log(
    `  ${name.padEnd(14)} step ${(f * 1000).toFixed(0).padStart(6)} µs   back ${(b * 1000).toFixed(0).padStart(7)} µs   (${runs[0].reloads} replays from a snapshot for 100 steps back)`,
  );
}
console.log('whole process (CPU, user + sys):');
const decodeCpu = median(whole['decode-only'][1]);
for (const [name, [cmd, xs]] of Object.entries(whole)) {
  const m = median(xs);
  const vsReplay = name === 'check' ? `, ${(m / median(whole.replay[1])).toFixed(2)}x replay` : '';
  console.log(
    `  ${name.padEnd(14)} ${(m * 1000).toFixed(0).padStart(6)} ms  ${(m / decodeCpu).toFixed(2)}x decode-only${vsReplay}   ${cmd.replace(node, 'node').replace(path, 'LOG')}`,
  );
}
