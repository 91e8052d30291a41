// Strict-mode trace speed, two parts (both by default; --only floor|policies for one):
//
// 1. Against the floor (issue 14): whole processes of
//    `mmsim trace FILE --format pages --policy clock --clock-ref-on-load false --frames N`
//    and of tools/clock-floor.ts (a plain-JS CLOCK over the same text), run in alternation
//    on seeded traces: hit-heavy (a looping working set, 4M references, ~1% faults at 32
//    frames) and fault-heavy (1M references of Zipf(0.9) over 250,000 pages), at 32 (the
//    hit-heavy trace only), 1,024 and 65,536 frames; and fault-cache, the same Zipf over
//    8,000 pages at 256 frames (~60% faults), which keeps the whole state in cache, so that
//    the fault path's cost can be told from its memory misses. Each pair gives a ratio (floor time /
//    mmsim time, so 1.0x = as fast as the floor); the table shows the median over --pairs
//    pairs, of wall-clock time and of CPU time (the children's user + system time from
//    /proc/self/stat). Both must agree on the fault count, or the run stops.
// 2. Per policy: references per second of runTrace on a generated `pages` trace, with and
//    without a run log attached to the machine's sink, and peak RSS of separate processes
//    at 1M and 4M references (memory must stay flat as the trace grows). Each measurement
//    runs in its own child process so that maxRSS belongs to that run alone; the child first
//    runs a 100k-reference warm-up trace (the JIT), and each figure is the best of --repeat
//    runs (shared machines are noisy).
//
//    With --against OTHER (another build's dist/tools/mmsim.js, e.g. the commit before a
//    change), that mmsim runs in the same alternation and the table gains its CPU time and
//    ratio: a before/after in one run, under the same load.
//
//    With --cachesim PATH (libCacheSim's `cachesim` binary, built as docs/trace.md says),
//    `cachesim FILE txt clock N --ignore-obj-size 1` runs in the same alternation too: the
//    C text reader issue 14's targets name, which the plain-JS floor only stands in for.
//    Its miss ratio (printed to 4 places) must agree with mmsim's faults, or the run stops.
//
//   node dist/tools/bench-trace.js [--only floor|policies] [--pairs 3] [--hit-refs 4000000] [--zipf-refs 1000000]
//                                  [--against OTHER/dist/tools/mmsim.js] [--cachesim PATH/bin/cachesim]
//                                  [--refs 1000000] [--frames 1024] [--repeat 2]

import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, createWriteStream, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { runTrace } from '../src/trace/run.js';
import { scanTrace } from '../src/trace/scan.js';
import { traceLog } from '../src/trace/log.js';
import { Rng } from '../src/workload/rng.js';
import { writeLoopingTrace, writeZipfTrace } from './bench-trace-gen.js';
import { thousands } from '../src/lib/thousands.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const stringArg = (name: string): string | null => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : null;
};
const only = stringArg('--only');

/** A seeded trace with locality: 80% of references to a 512-page hot set that drifts, 20% over 8192 pages. */
async function writeTrace(path: string, refs: number): Promise<void> {
  const rng = new Rng('bench', 'trace');
  const out = createWriteStream(path);
  let buf = '';
  let base = 0;
  for (let i = 0; i < refs; i++) {
    if (i % 50000 === 0) base = rng.int(8192 - 512);
    const page = rng.int(100) < 80 ? base + rng.int(512) : rng.int(8192);
    buf += page + '\n';
    if (buf.length > 1 << 16) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

async function child(): Promise<void> {
  const [, , , file, policy, frames, withLog, logPath, warm] = process.argv;
  await runTrace(warm, { format: 'pages', policy: policy as 'lru', frames: Number(frames) });
  const t0 = performance.now();
  const log = withLog === '1' ? traceLog(logPath, { file, format: 'pages', policy, frames: Number(frames), version: 'bench' }) : null;
  const r = await runTrace(file, {
    format: 'pages',
    policy: policy as 'lru',
    frames: Number(frames),
    ...(log ? { sink: log.sink, onStart: log.onStart } : {}),
  });
  log?.close({});
  const ms = performance.now() - t0;
  const logBytes = log ? statSync(logPath).size : 0;
  process.stdout.write(JSON.stringify({ ...r, ms, maxRssMB: process.resourceUsage().maxRSS / 1024, logBytes }) + '\n');
}

/** CPU time (user + system, ms) of this process's waited-for children so far; null without /proc. */
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;
function childrenCpuMs(): number | null {
  try {
    // fields after the command name (which is in parentheses): cutime and cstime are the 14th and 15th
    const rest = readFileSync('/proc/self/stat', 'utf8')
      .replace(/^.*\) /, '')
      .split(' ');
    return ((Number(rest[13]) + Number(rest[14])) * 1000) / CLK_TCK;
  } catch {
    return null;
  }
}

interface Timed {
  out: { references: number; faults: number };
  wallMs: number;
  cpuMs: number | null;
}

function timedProcess(args: string[]): Timed {
  const { stdout, wallMs, cpuMs } = timedCommand(process.execPath, args);
  return { out: JSON.parse(stdout) as Timed['out'], wallMs, cpuMs };
}

function timedCommand(cmd: string, args: string[], cwd?: string): { stdout: string; wallMs: number; cpuMs: number | null } {
  const cpu0 = childrenCpuMs();
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 24, cwd });
  const wallMs = performance.now() - t0;
  const cpu1 = childrenCpuMs();
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.error?.message ?? r.stderr}`);
  const cpuMs = cpu0 === null || cpu1 === null ? null : cpu1 - cpu0;
  return { stdout: r.stdout, wallMs, cpuMs };
}

/**
 * libCacheSim's CLOCK over the same text (its txt reader: one object id per line; the cache
 * counts objects). It prints only a miss ratio to 4 places, so the references and faults
 * reported are mmsim's once that ratio agrees with them (checked by the caller); it writes
 * FILE.cachesim into its working directory, a scratch one here.
 */
function timedCachesim(bin: string, file: string, frames: number, refs: number, cwd: string): Timed & { missRatio: number } {
  const t = timedCommand(bin, [file, 'txt', 'clock', String(frames), '--ignore-obj-size', '1'], cwd);
  const m = /miss ratio ([0-9.]+)/.exec(t.stdout);
  if (m === null) throw new Error(`cachesim printed no miss ratio: ${t.stdout.slice(-200)}`);
  return { out: { references: refs, faults: NaN }, wallMs: t.wallMs, cpuMs: t.cpuMs, missRatio: Number(m[1]) };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The fault-cache trace's page universe: its page tables, link pages and page hash (a few hundred KiB) fit in this machine's 2 MiB L2. */
const IN_CACHE_PAGES = 8000;

async function floorComparison(dir: string): Promise<void> {
  const pairs = arg('--pairs', 3),
    hitRefs = arg('--hit-refs', 4000000),
    zipfRefs = arg('--zipf-refs', 1000000);
  const here = dirname(fileURLToPath(import.meta.url));
  const mmsim = join(here, 'mmsim.js'),
    floor = join(here, 'clock-floor.js');
  const hit = join(dir, 'hit.pages'),
    zipf = join(dir, 'zipf.pages'),
    small = join(dir, 'zipf-small.pages');
  await writeLoopingTrace(hit, hitRefs);
  await writeZipfTrace(zipf, zipfRefs, 250000, 0.9);
  await writeZipfTrace(small, zipfRefs, IN_CACHE_PAGES, 0.9);
  const cases: [string, string, number][] = [
    ['hit-heavy', hit, 32],
    ['hit-heavy', hit, 1024],
    ['hit-heavy', hit, 65536],
    ['fault-heavy', zipf, 1024],
    ['fault-heavy', zipf, 65536],
    ['fault-cache', small, 256],
  ];
  console.log(`mmsim trace --format pages --policy clock --clock-ref-on-load false, whole process, against a plain-JS CLOCK`);
  console.log(`over the same text (tools/clock-floor.ts); median of ${pairs} alternating pairs (node ${process.version})`);
  const against = stringArg('--against');
  if (against !== null) console.log(`against: ${against} (its CPU time and floor/its ratio)`);
  const cachesim = stringArg('--cachesim');
  if (cachesim !== null)
    console.log(`cachesim: ${cachesim} (its CPU time, and its CPU / mmsim's: 1.0x = as fast as libCacheSim's text reader)`);
  console.log(
    `trace        refs      frames  faults   | mmsim wall s  cpu s  refs/s(cpu)  ns/ref(cpu) | floor wall s  cpu s | ratio wall  cpu${against === null ? '' : ' | against cpu s  ratio cpu'}${cachesim === null ? '' : ' | cachesim cpu s  mmsim/it'}`,
  );
  const mmsimArgs = (file: string, frames: number): string[] => [
    'trace',
    file,
    '--format',
    'pages',
    '--policy',
    'clock',
    '--clock-ref-on-load',
    'false',
    '--frames',
    String(frames),
    '--json',
  ];
  for (const [name, file, frames] of cases) {
    const m: Timed[] = [],
      f: Timed[] = [],
      a: Timed[] = [],
      c: (Timed & { missRatio: number })[] = [];
    for (let i = 0; i < pairs; i++) {
      f.push(timedProcess([floor, file, String(frames)]));
      m.push(timedProcess([mmsim, ...mmsimArgs(file, frames)]));
      if (against !== null) a.push(timedProcess([against, ...mmsimArgs(file, frames)]));
      if (cachesim !== null) c.push(timedCachesim(cachesim, file, frames, m[i].out.references, dir));
    }
    const { references, faults } = m[0].out;
    // the same CLOCK (one reference bit, a new page unreferenced) must miss the same references
    if (c.length > 0 && Math.abs(c[0].missRatio - faults / references) > 0.00005 + 1e-9) {
      throw new Error(`${name} at ${frames} frames: mmsim ${faults} faults in ${references} refs, cachesim's miss ratio ${c[0].missRatio}`);
    }
    for (const [who, t] of [
      ['the floor', f[0]],
      ['--against', a[0]],
    ] as const) {
      if (t !== undefined && (t.out.faults !== faults || t.out.references !== references)) {
        throw new Error(
          `${name} at ${frames} frames: mmsim ${references} refs ${faults} faults, ${who} ${t.out.references} refs ${t.out.faults} faults`,
        );
      }
    }
    const cpu = [...m, ...f, ...a, ...c].every((x) => x.cpuMs !== null);
    const mw = median(m.map((x) => x.wallMs)) / 1000,
      fw = median(f.map((x) => x.wallMs)) / 1000;
    const mc = cpu ? median(m.map((x) => x.cpuMs!)) / 1000 : NaN,
      fc = cpu ? median(f.map((x) => x.cpuMs!)) / 1000 : NaN,
      ac = cpu && against !== null ? median(a.map((x) => x.cpuMs!)) / 1000 : NaN;
    const wallRatio = median(m.map((x, i) => f[i].wallMs / x.wallMs));
    const cpuRatio = cpu ? median(m.map((x, i) => f[i].cpuMs! / x.cpuMs!)) : NaN;
    const againstRatio = cpu && against !== null ? median(a.map((x, i) => f[i].cpuMs! / x.cpuMs!)) : NaN;
    const cc = cpu && cachesim !== null ? median(c.map((x) => x.cpuMs!)) / 1000 : NaN,
      cachesimRatio = cpu && cachesim !== null ? median(m.map((x, i) => c[i].cpuMs! / x.cpuMs!)) : NaN;
    const num = (v: number, w: number, d = 2): string => (Number.isNaN(v) ? 'n/a' : v.toFixed(d)).padStart(w);
    console.log(
      `${name.padEnd(11)}  ${String(references).padEnd(8)}  ${String(frames).padStart(6)}  ${String(faults).padStart(7)}  | ${num(mw, 12)}  ${num(mc, 5)}  ${num(references / mc, 11, 0)}  ${num((mc * 1e9) / references, 11, 0)} | ${num(fw, 12)}  ${num(fc, 5)} | ${num(wallRatio, 9)}x ${num(cpuRatio, 4)}x${against === null ? '' : ` | ${num(ac, 13)}  ${num(againstRatio, 8)}x`}${cachesim === null ? '' : ` | ${num(cc, 14)}  ${num(cachesimRatio, 7)}x`}`,
    );
  }
  console.log(
    `fault-cache: Zipf(0.9) over ${thousands(IN_CACHE_PAGES)} pages, small enough for every table to stay in the CPU's caches: the fault path's cost without memory misses`,
  );
  await overheads(hit);
}

/** Where a whole-process run's time goes besides the machine: the fixed cost of a process, and pass 1 (reading and parsing). */
async function overheads(hit: string): Promise<void> {
  const cpuOf = (args: string[]): number => {
    const cpu0 = childrenCpuMs();
    const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
    return (childrenCpuMs() ?? NaN) - (cpu0 ?? NaN);
  };
  const best = (f: () => number): number => Math.min(f(), f(), f());
  // the fixed cost: start-up (the trace command's modules), booting the machine, the temporary file
  const one = join(dirname(hit), 'one.pages');
  writeFileSync(one, '1\n');
  const mmsim = join(dirname(fileURLToPath(import.meta.url)), 'mmsim.js');
  const fixed = best(() => cpuOf([mmsim, 'trace', one, '--format', 'pages', '--frames', '32', '--json']));
  const against = stringArg('--against');
  const fixedAgainst = against === null ? NaN : best(() => cpuOf([against, 'trace', one, '--format', 'pages', '--frames', '32', '--json']));
  const bare = best(() => cpuOf(['-e', '0']));
  let scan = Infinity;
  for (let i = 0; i < 3; i++) {
    const fd = openSync(join(dirname(hit), 'refs.u32'), 'w+');
    const c = process.cpuUsage();
    await scanTrace(hit, fd, { format: 'pages' });
    const d = process.cpuUsage(c);
    closeSync(fd);
    scan = Math.min(scan, (d.user + d.system) / 1000);
  }
  console.log(
    `fixed cost: mmsim trace of a one-reference trace ${(fixed / 1000).toFixed(2)} s CPU (node -e 0: ${(bare / 1000).toFixed(2)} s${against === null ? '' : `; --against: ${(fixedAgainst / 1000).toFixed(2)} s`}); pass 1 alone on the hit-heavy trace (read, parse, fold, write the reference file; in this process, best of 3): ${(scan / 1000).toFixed(2)} s CPU`,
  );
}

async function policyTable(dir: string): Promise<void> {
  const refs = arg('--refs', 1000000),
    frames = arg('--frames', 1024),
    repeat = arg('--repeat', 2);
  const self = fileURLToPath(import.meta.url);
  {
    const small = join(dir, 'small.pages'),
      big = join(dir, 'big.pages'),
      warm = join(dir, 'warm.pages');
    await writeTrace(warm, 100000);
    await writeTrace(small, refs);
    await writeTrace(big, refs * 4);
    type Out = { references: number; faults: number; ms: number; maxRssMB: number; events: number; logBytes: number };
    const once1 = (file: string, policy: string, log: boolean): Out => {
      const r = spawnSync(
        process.execPath,
        [self, '--child', file, policy, String(frames), log ? '1' : '0', join(dir, 'run.mmlog'), warm],
        { encoding: 'utf8' },
      );
      if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
      return JSON.parse(r.stdout) as Out;
    };
    const run = (file: string, policy: string, log: boolean): Out => {
      const runs = Array.from({ length: repeat }, () => once1(file, policy, log));
      const best = runs.reduce((a, b) => (b.ms < a.ms ? b : a));
      return { ...best, maxRssMB: Math.max(...runs.map((r) => r.maxRssMB)) };
    };
    console.log(`strict mode, pages trace: ${refs} and ${refs * 4} references, ${frames} frames (node ${process.version})`);
    console.log(
      'policy  refs      faults    events     no log: refs/s  RSS MB | with log: refs/s  RSS MB  log MB | 4x refs: refs/s  RSS MB',
    );
    for (const policy of ['clock', 'fifo', 'lru', 'opt']) {
      const a = run(small, policy, false),
        b = run(small, policy, true),
        c = run(big, policy, false);
      const rate = (x: { references: number; ms: number }): string => String(Math.round(x.references / (x.ms / 1000))).padStart(9);
      console.log(
        `${policy.padEnd(6)}  ${String(a.references).padEnd(8)}  ${String(a.faults).padEnd(8)}  ${String(a.events).padEnd(9)}  ${rate(a)}      ${a.maxRssMB.toFixed(0).padStart(4)} |  ${rate(b)}        ${b.maxRssMB.toFixed(0).padStart(4)}  ${(b.logBytes / 1e6).toFixed(1).padStart(6)} | ${rate(c)}       ${c.maxRssMB.toFixed(0).padStart(4)}`,
      );
    }
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mmsim-bench-'));
  try {
    if (only !== 'policies') await floorComparison(dir);
    if (only === null) console.log('');
    if (only !== 'floor') await policyTable(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child();
else await main();
