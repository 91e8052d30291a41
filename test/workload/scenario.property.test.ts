// Mutated scenario files through the command line (src/workload/scenario.ts validates them):
// every mutant of the built-in scenarios and the capture fixture (test/workload/mutate.ts)
// (run, record or compare) must end in exit 0 after the work asked for, or a clean exit 2: `mmsim: error: ` first,
// no stack, a message of bounded size. Never an internal error, a hang or a heap blow-up.
//
// The cases run in one worker thread calling the compiled CLI's main() in-process, so that
// a case that hangs or exhausts memory can be stopped (a synchronous loop cannot be
// interrupted from inside) and named: the worker has a heap limit, and a case that takes
// over HANG_MS is a hang (a run of 2,000 events takes milliseconds; the bound is wide so that
// a loaded machine never trips it). npm test runs CASES; npm run soak (MMSIM_SOAK=1) ten
// times as many (MMSIM_MUTANTS=N: N). A failure names its seed: MMSIM_MUTANT=<seed> reruns
// that case alone and writes the mutant's file.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { type Mutant, mutant } from './mutate.js';

const SOAK = process.env.MMSIM_SOAK === '1';
const CASES = Number(process.env.MMSIM_MUTANTS ?? (SOAK ? 2000 : 50));
const ONLY = process.env.MMSIM_MUTANT;
const HANG_MS = 30_000;
const EVENTS = 2000;
/** An error message longer than this is echoing the input back (a huge string, say). */
const MAX_MESSAGE = 4000;

const dir = mkdtempSync(join(tmpdir(), 'mmsim-mutants-'));
/** The compiled CLI (npm test builds it first), loaded by the worker. */
const MAIN = pathToFileURL(join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'index.js')).href;

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { Readable } = require('node:stream');
const { writeFileSync } = require('node:fs');
import(workerData.main).then(({ main }) => {
  parentPort.on('message', async (job) => {
    writeFileSync(job.file, job.text);
    const out = [], err = [];
    const io = { stdout: { write: (s) => out.push(s) }, stderr: { write: (s) => err.push(s) }, stdin: Readable.from(['']) };
    const code = await main(job.args, io);
    parentPort.postMessage({ code, stdout: out.join(''), stderr: err.join('') });
  });
  parentPort.postMessage('ready');
});
`;

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

class CaseRunner {
  private w: Worker | null = null;
  private async worker(): Promise<Worker> {
    if (this.w !== null) return this.w;
    const w = new Worker(WORKER, { eval: true, workerData: { main: MAIN }, resourceLimits: { maxOldGenerationSizeMb: 768 } });
    await new Promise<void>((ok, fail) => {
      w.once('message', () => ok());
      w.once('error', fail);
    });
    this.w = w;
    return w;
  }
  /** The case's outcome, or a string saying how the worker died. */
  async run(file: string, text: string, args: string[]): Promise<Outcome | string> {
    const w = await this.worker();
    return new Promise((resolve) => {
      const done = (r: Outcome | string, dead: boolean): void => {
        clearTimeout(timer);
        w.removeAllListeners('message').removeAllListeners('error').removeAllListeners('exit');
        if (dead) {
          void w.terminate();
          this.w = null;
        }
        resolve(r);
      };
      const timer = setTimeout(() => done(`no answer after ${HANG_MS / 1000} s (a hang)`, true), HANG_MS);
      w.once('message', (m: Outcome) => done(m, false));
      w.once('error', (e) => done(`the worker died: ${e.message}`, true));
      w.once('exit', (c) => done(`the worker exited with ${c}`, true));
      w.postMessage({ file, text, args });
    });
  }
  close(): Promise<number> | undefined {
    return this.w?.terminate();
  }
}

/** What is wrong with the outcome, or null when it is one of the allowed ones. */
function problem(r: Outcome | string): string | null {
  if (typeof r === 'string') return r;
  if (r.code === 0) {
    const out = JSON.parse(r.stdout) as { events?: unknown; results?: Array<{ steps: number }> };
    if (out.results !== undefined) return out.results.every((d) => d.steps === 300) ? null : 'exit 0 but compare ran short';
    if (typeof out.events !== 'number' || out.events < EVENTS) return `exit 0 but the report has events ${String(out.events)}`;
    return null;
  }
  if (r.code !== 2) return `exit ${r.code}`;
  if (!r.stderr.startsWith('mmsim: error: ')) return 'exit 2 without "mmsim: error: " first';
  if (/\n\s+at /.test(r.stderr)) return 'exit 2 with a stack';
  if (r.stderr.length > MAX_MESSAGE) return `exit 2 with a ${r.stderr.length}-character message`;
  return null;
}

function argsFor(m: Mutant, file: string): string[] {
  // one case in four records a log too (the log header validates the booted machine again);
  // one in eight compares, which steps the workload itself instead of running to an event count
  if (m.seed % 4 === 3) return ['record', '--scenario', file, '--events', String(EVENTS), '-o', join(dir, `${m.seed}.mmlog`), '--json'];
  if (m.seed % 8 === 5) return ['compare', '--scenario', file, '--steps', '300', '--designs', 'clock/pte-chain', '--sequential', '--json'];
  return ['run', '--scenario', file, '--events', String(EVENTS), '--json'];
}

describe('mutated scenario files', () => {
  const seeds = ONLY !== undefined ? [Number(ONLY)] : Array.from({ length: CASES }, (_, i) => i);
  it(`exit 0 after the work asked for, or a clean exit 2 (${seeds.length} cases)`, { timeout: SOAK ? 3_600_000 : 300_000 }, async () => {
    const runner = new CaseRunner();
    const failures: string[] = [];
    try {
      for (const seed of seeds) {
        const m = mutant(seed);
        const file = join(dir, `${seed}.json`);
        const args = argsFor(m, file);
        const r = await runner.run(file, m.text, args);
        const p = problem(r);
        if (p === null) continue;
        const err = typeof r === 'string' ? '' : r.stderr.slice(0, 600);
        failures.push(
          `seed ${seed} (rerun alone: MMSIM_MUTANT=${seed} npx vitest run test/workload/scenario.property.test.ts; file ${file}): ${p}\n` +
            `  ${m.base}: ${m.ops.join('; ')}\n  mmsim ${args.join(' ')}\n  ${err.replace(/\n/g, '\n  ')}`,
        );
        if (ONLY !== undefined) writeFileSync(file, m.text);
      }
    } finally {
      await runner.close();
    }
    // the mutants' files stay only when a case failed, for its replay
    if (failures.length === 0) rmSync(dir, { recursive: true, force: true });
    expect(failures.slice(0, 10).join('\n'), `${failures.length} of ${seeds.length} cases failed`).toBe('');
  });
});
