// `mmsim trace`: a single-process trace (lackey or pages) through the strict machine.
// Pass 1 (scan.ts) parses and folds the trace into a temporary reference file. For OPT,
// pass 2 reads that file backwards in blocks and writes each reference's next-use index
// to a second temporary file (a fixed table of the last position of every folded page is
// the only other memory). Pass 3 drives the machine from the reference file. Memory is
// flat in the trace length; disk use is 4 bytes per reference (12 with OPT). The temporary
// files are unlinked as soon as they are open (the descriptors keep their data), so nothing
// is left behind however the process ends: an error, SIGINT, SIGTERM, even SIGKILL.

import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BLOCK, FOLDED_PAGES, scanTrace, type ScanOptions, type ScanResult } from './scan.js';
import { checkStrictOptions, DEFAULT_MAX_EVENTS, StrictRun, type StrictOptions, type StrictResult } from './strict.js';

export interface TraceOptions extends StrictOptions, Omit<ScanOptions, 'format'> {
  format: 'lackey' | 'pages';
  /** Directory for the temporary reference files (default: the OS temp directory). */
  tmpDir?: string;
  /** Called every BLOCK references with the count done and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Include the final state's hash in the result. */
  hash?: boolean;
}

export interface TraceResult extends StrictResult {
  format: string;
  file: string;
  lines: number;
  badLines: number;
  /** Distinct pages the trace references. */
  pages: number;
}

/** Pass 2: next-use index of every reference, computed backwards block by block. */
function writeNextUses(rfd: number, nfd: number, total: number): void {
  const last = new Float64Array(FOLDED_PAGES).fill(Infinity);
  const refs = new Uint32Array(BLOCK);
  const next = new Float64Array(BLOCK);
  for (let end = total; end > 0; ) {
    const start = Math.max(0, end - BLOCK);
    const n = end - start;
    readSync(rfd, refs, 0, n * 4, start * 4);
    for (let i = n - 1; i >= 0; i--) {
      const page = refs[i] >>> 1;
      next[i] = last[page];
      last[page] = start + i;
    }
    writeSync(nfd, next, 0, n * 8, start * 8);
    end = start;
  }
}

/** Pass 3: drive the machine. */
function replayRefs(run: StrictRun, rfd: number, nfd: number, total: number, onProgress?: (d: number, t: number) => void): void {
  const mm = run.startSingle();
  const refs = new Uint32Array(BLOCK);
  const next = new Float64Array(BLOCK);
  for (let start = 0; start < total; start += BLOCK) {
    const n = Math.min(BLOCK, total - start);
    readSync(rfd, refs, 0, n * 4, start * 4);
    if (nfd >= 0) readSync(nfd, next, 0, n * 8, start * 8);
    run.refBlock(mm, refs, n, nfd >= 0 ? next : null);
    onProgress?.(start + n, total);
  }
}

/** Temporary files, open for reading and writing, already unlinked. */
function openTemporaryFiles(tmpDir: string, names: string[]): number[] {
  const dir = mkdtempSync(join(tmpDir, 'mmsim-trace-'));
  const fds: number[] = [];
  try {
    for (const name of names) fds.push(openSync(join(dir, name), 'w+'));
  } catch (err) {
    for (const fd of fds) closeSync(fd);
    throw err;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return fds;
}

export async function runTrace(file: string, o: TraceOptions): Promise<TraceResult> {
  checkStrictOptions(o);
  const opt = o.policy === 'opt';
  const fds = openTemporaryFiles(o.tmpDir ?? tmpdir(), opt ? ['refs.u32', 'next.f64'] : ['refs.u32']);
  const [rfd, nfd = -1] = fds;
  try {
    const scan: ScanResult = await scanTrace(file, rfd, { ...o, maxReferences: o.maxEvents ?? DEFAULT_MAX_EVENTS });
    if (opt) writeNextUses(rfd, nfd, scan.references);
    const run = new StrictRun(o, scan.regions);
    replayRefs(run, rfd, nfd, scan.references, o.onProgress);
    const r = run.result(o.hash ? (await import('../snapshot/hash.js')).stateHash : null);
    return { format: o.format, file, lines: scan.lines, badLines: scan.badLines, pages: scan.pages, ...r };
  } finally {
    for (const fd of fds) closeSync(fd);
  }
}
