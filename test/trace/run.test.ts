// runTrace's edges: the bound on what a trace may expand to, and temporary files that are
// gone however the process ends.
import { traceFailure as failure } from '../helpers.js';
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readlinkSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { runTrace } from '../../src/trace/run.js';
import { runMmtrace } from '../../src/trace/mmtrace.js';

const CLI = new URL('../../dist/tools/mmsim.js', import.meta.url).pathname;
const EXAMPLE = new URL('../fixtures/example.mmtrace', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'mmsim-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(content: string): string {
  const p = join(dir, `r${n++}`);
  writeFileSync(p, content);
  return p;
}

describe('--max-events', () => {
  it('refuses a few bytes of lackey that ask for millions of pages, naming the option', async () => {
    const tiny = file(' L 0,4000000000\n');
    const m = await failure(runTrace(tiny, { format: 'lackey', frames: 4, policy: 'clock', maxEvents: 100000 }));
    expect(m).toMatch(/:1: more than 100,000 page references, the bound --max-events sets/);
  });

  it('names the line of the first reference past the bound, in a run of decimal lines read in batches', async () => {
    // line 1 and the comment go line by line, lines 3.. in batches of values (src/trace/lines.ts)
    const pages = file(`5\n# a comment\n${Array.from({ length: 10000 }, (_, i) => String(i % 700)).join('\n')}\n`);
    const m = await failure(runTrace(pages, { format: 'pages', frames: 4, policy: 'clock', maxEvents: 5000 }));
    // reference j (j >= 2) is on line j + 1
    expect(m).toMatch(/:5002: more than 5,000 page references, the bound --max-events sets/);
    const edge = await failure(runTrace(pages, { format: 'pages', frames: 4, policy: 'clock', maxEvents: 10000 }));
    expect(edge).toMatch(/:10002: more than 10,000 page references/);
  });

  it('stops a run that emits more events than the bound', async () => {
    const pages = file(Array.from({ length: 600 }, (_, i) => String(i % 300)).join('\n'));
    const ok = await runTrace(pages, { format: 'pages', frames: 4, policy: 'fifo' });
    expect(ok.events).toBeGreaterThan(2000);
    const m = await failure(runTrace(pages, { format: 'pages', frames: 4, policy: 'fifo', maxEvents: 2000 }));
    expect(m).toMatch(/the run passed 2,000 events \(the --max-events bound\) at reference \d+; raise --max-events/);
    const at = await runTrace(pages, { format: 'pages', frames: 4, policy: 'fifo', maxEvents: ok.events });
    expect(at.faults).toBe(ok.faults);
  });

  it('bounds mmtrace runs too, fork and exec included', async () => {
    const ok = await runMmtrace(EXAMPLE, { frames: 4, policy: 'lru' });
    expect(await failure(runMmtrace(EXAMPLE, { frames: 4, policy: 'lru', maxEvents: ok.events - 1 }))).toMatch(/--max-events/);
    expect(await failure(runTrace(file('1\n'), { format: 'pages', frames: 4, policy: 'lru', maxEvents: 0 }))).toMatch(
      /--max-events 0: pass a whole number >= 1/,
    );
  });
});

/** The temporary files of a running trace (Linux: /proc/PID/fd links to deleted files under `tmp`). */
function deletedTemporaries(pid: number, tmp: string): string[] {
  const fdDir = `/proc/${pid}/fd`;
  const out: string[] = [];
  try {
    for (const fd of readdirSync(fdDir)) {
      try {
        const target = readlinkSync(join(fdDir, fd));
        if (target.startsWith(tmp) && target.endsWith('(deleted)')) out.push(target);
      } catch {
        // the descriptor closed meanwhile
      }
    }
  } catch {
    // the process is gone
  }
  return out;
}

describe.skipIf(!existsSync('/proc/self/fd') || spawnSync('mkfifo', ['--version']).status !== 0)('temporary files', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`are already unlinked while the trace runs, so ${signal} leaves nothing behind`, async () => {
      const tmp = join(dir, `tmp-${signal}`);
      mkdirSync(tmp);
      const fifo = join(dir, `fifo-${signal}`);
      expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
      // read-write: opening a FIFO so never blocks, and keeps the trace waiting for more lines
      const w = openSync(fifo, 'r+');
      writeSync(w, '1\n2\n3\n');
      const child = spawn(process.execPath, [CLI, 'trace', fifo, '--format', 'pages', '--policy', 'opt', '--frames', '2'], {
        env: { ...process.env, TMPDIR: tmp },
        stdio: 'ignore',
      });
      const exited = once(child, 'exit');
      try {
        let open: string[] = [];
        for (let i = 0; i < 1000 && open.length < 2; i++) {
          await new Promise((r) => setTimeout(r, 20));
          open = deletedTemporaries(child.pid!, tmp);
        }
        expect(open.map((t) => t.replace(/.*\//, '')).sort()).toEqual(['next.f64 (deleted)', 'refs.u32 (deleted)']);
        expect(readdirSync(tmp)).toEqual([]);
        child.kill(signal);
        const [code, sig] = await exited;
        expect({ code, sig }).toEqual({ code: null, sig: signal });
        expect(readdirSync(tmp)).toEqual([]);
      } finally {
        child.kill('SIGKILL');
        closeSync(w);
      }
    });
  }
});
