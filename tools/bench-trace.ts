// Strict-mode trace throughput and memory: references per second of runTrace for each
// policy on a generated `pages` trace, with and without a run log attached to the
// machine's sink, and peak RSS of separate processes at 1M and 4M references (memory must
// stay flat as the trace grows). Each measurement runs in its own child process so that
// maxRSS belongs to that run alone; the child first runs a 100k-reference warm-up trace
// (the JIT), and each figure is the best of --repeat runs (shared machines are noisy).
//
//   node dist/tools/bench-trace.js [--refs 1000000] [--frames 1024] [--repeat 2]

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, createWriteStream, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { runTrace } from '../src/trace/run.js';
import { traceLog } from '../src/trace/log.js';
import { Rng } from '../src/workload/rng.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};

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

async function main(): Promise<void> {
  const refs = arg('--refs', 1000000),
    frames = arg('--frames', 1024),
    repeat = arg('--repeat', 2);
  const dir = mkdtempSync(join(tmpdir(), 'mmsim-bench-'));
  const self = fileURLToPath(import.meta.url);
  try {
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
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child();
else await main();
