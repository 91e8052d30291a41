// mmtrace: mmsim's text format for multi-process workloads (docs/mmtrace.md). Each line
// runs at once against the strict machine, so the file is streamed and never held.

import { PAGE_OFFSET, PAGE_SIZE } from '../arch/i386/page.js';
import { do_execve } from '../fs/exec.js';
import { do_exit } from '../kernel/exit.js';
import { do_fork } from '../kernel/fork.js';
import { do_mmap, do_munmap } from '../mm/mmap.js';
import { find_vma } from '../mm/memory.js';
import { VM_EXEC, VM_READ, VM_WRITE, VmaKind } from '../state.js';
import { isBlank, numberEnd, readNumber } from './bytes.js';
import { otherFormatsReading } from './detect.js';
import { TraceError, quoteLine, quoteToken } from './errors.js';
import { thousands } from '../lib/thousands.js';
import { forEachLine, lineText, looksBinary, MAX_LINE_BYTES } from './lines.js';
import type { ReadProgress } from './source.js';
import { StrictRun, checkStrictOptions, type StrictOptions, type StrictResult } from './strict.js';

export interface MmtraceOptions extends StrictOptions {
  skipBadLines?: boolean;
  /** Include the final state's hash in the result. */
  hash?: boolean;
  /** Bytes of the file read so far and its size (the file is streamed, so progress is by bytes). */
  onProgress?: ReadProgress;
}

export interface MmtraceResult extends StrictResult {
  format: 'mmtrace';
  file: string;
  lines: number;
  badLines: number;
  processes: number;
  forks: number;
  exits: number;
  /** Faults by kind (zero, anon, file, file_major, cow, wp, swapin). */
  faultKinds: number[];
}

const KINDS: Record<string, VmaKind> = { anon: VmaKind.Anon, private: VmaKind.PrivateFile, shared: VmaKind.SharedFile };

class LineError extends Error {}

const R = 114,
  W = 119,
  X = 120;

function num(t: string | undefined, what: string): number {
  if (t === undefined) throw new LineError(`missing ${what}`);
  const v = /^0[xX][0-9a-fA-F]+$/.test(t) ? parseInt(t.slice(2), 16) : /^[0-9]+$/.test(t) ? Number(t) : NaN;
  if (!Number.isSafeInteger(v)) throw new LineError(`bad ${what} ${quoteToken(t)}: expected a decimal or 0x-hex number`);
  return v;
}

function userAddr(t: string | undefined, what: string): number {
  const v = num(t, what);
  if (v >= PAGE_OFFSET) throw new LineError(`bad ${what} ${quoteToken(t!)}: user addresses end at 0xc0000000 on i386`);
  return v;
}

function prot(t: string | undefined): number {
  if (t === undefined || !/^r?w?x?$/.test(t) || t === '')
    throw new LineError(`bad protection ${quoteToken(String(t))}: write r, rw, rx or rwx`);
  return (t.includes('r') ? VM_READ : 0) | (t.includes('w') ? VM_WRITE : 0) | (t.includes('x') ? VM_EXEC : 0);
}

export async function runMmtrace(file: string, o: MmtraceOptions): Promise<MmtraceResult> {
  checkStrictOptions(o);
  if (o.policy === 'opt') {
    throw new TraceError(
      `--policy opt needs the future of one process's page references; mmtrace is multi-process (fork shares pages): use clock, fifo or lru, or a lackey/pages trace`,
    );
  }
  const run = new StrictRun({ ...o, kernelFrames: o.kernelFrames ?? 1024 }, 1);
  const k = run.kernel;
  const mms = new Map<number, number>(); // pid -> mm
  const inodes = new Map<string, number>();
  let header = false,
    badLines = 0,
    processes = 0;
  const mmOf = (t: string | undefined): number => {
    const pid = num(t, 'pid');
    const mm = mms.get(pid);
    if (mm === undefined) throw new LineError(`pid ${pid} does not exist (start it with 'exec ${pid}' or fork it)`);
    return mm;
  };
  const exec = (line: string): void => {
    const w = line.trim().split(/\s+/);
    if (w[0] === '' || w[0].startsWith('#')) return;
    if (!header) {
      if (w[0] !== 'mmtrace' || w[1] !== '1') throw new LineError("the first line must be the header 'mmtrace 1'");
      header = true;
      return;
    }
    const op = w[0];
    if (op === 'r' || op === 'w' || op === 'x') {
      const mm = mmOf(w[1]);
      const addr = userAddr(w[2], 'address');
      const vma = find_vma(k.s.mms[mm], addr);
      if (vma === undefined)
        throw new LineError(`address 0x${addr.toString(16)} is outside pid ${w[1]}'s mappings (add an mmap line first)`);
      if (op === 'w' && (vma.prot & VM_WRITE) === 0)
        throw new LineError(`write to 0x${addr.toString(16)} in a mapping without w protection`);
      run.ref(mm, addr, op === 'w', Infinity);
      return;
    }
    switch (op) {
      case 'exec': {
        const pid = num(w[1], 'pid');
        const mm = do_execve(k, mms.get(pid) ?? -1, []);
        if (mm < 0) throw new LineError('no frame for a page directory: raise kernelFrames');
        if (!mms.has(pid)) processes++;
        mms.set(pid, mm);
        return;
      }
      case 'fork': {
        const parent = mmOf(w[1]);
        const pid = num(w[2], 'child pid');
        if (mms.has(pid)) throw new LineError(`pid ${pid} already exists`);
        const child = do_fork(k, parent);
        if (child < 0) throw new LineError('fork ran out of kernel frames: raise kernelFrames');
        mms.set(pid, child);
        processes++;
        return;
      }
      case 'exit': {
        const mm = mmOf(w[1]);
        do_exit(k, mm);
        mms.delete(num(w[1], 'pid'));
        return;
      }
      case 'mmap': {
        const mm = mmOf(w[1]);
        const start = userAddr(w[2], 'start');
        const len = num(w[3], 'length');
        const kind = KINDS[w[4] ?? ''];
        if (kind === undefined) throw new LineError(`bad kind ${quoteToken(String(w[4]))}: write anon, private or shared`);
        const p = prot(w[5]);
        if (start % PAGE_SIZE !== 0 || len % PAGE_SIZE !== 0 || len === 0)
          throw new LineError(`start and length must be whole pages (multiples of 0x1000), length > 0`);
        if (start + len > PAGE_OFFSET) throw new LineError(`mapping ends at 0x${(start + len).toString(16)}, past 0xc0000000`);
        let inode = 0,
          pgoff = 0;
        if (kind !== VmaKind.Anon) {
          const name = w[6];
          if (name === undefined) throw new LineError(`a ${w[4]} mapping needs a file name`);
          inode = inodes.get(name) ?? inodes.size + 2; // inode 1 is the single-process trace file
          inodes.set(name, inode);
          const off = w[7] === undefined ? 0 : num(w[7], 'offset');
          if (off % PAGE_SIZE !== 0) throw new LineError(`offset ${w[7]} is not a multiple of the page size`);
          pgoff = off / PAGE_SIZE;
        }
        for (const v of k.s.mms[mm].vmas) {
          if (start < v.end && v.start < start + len)
            throw new LineError(`overlaps the mapping at 0x${v.start.toString(16)}-0x${v.end.toString(16)}; munmap it first`);
        }
        do_mmap(k, mm, { start, end: start + len, kind, prot: p, file: inode, pgoff });
        return;
      }
      case 'munmap': {
        const mm = mmOf(w[1]);
        const start = userAddr(w[2], 'start');
        if (!do_munmap(k, mm, start))
          throw new LineError(`no mapping starts at 0x${start.toString(16)} (munmap removes a whole mapping by its start)`);
        return;
      }
      default:
        throw new LineError(`unknown record ${quoteToken(op)}: expected r, w, x, exec, fork, exit, mmap or munmap`);
    }
  };
  // r/w/x lines read straight from the bytes; anything unusual, and every other record, as text
  const fastRef = (b: Uint8Array, start: number, end: number): boolean => {
    if (!header) return false;
    let p = start;
    while (p < end && isBlank(b[p])) p++;
    const op = b[p];
    if (!(op === R || op === W || op === X) || p + 1 >= end || !isBlank(b[p + 1])) return false;
    p += 2;
    while (p < end && isBlank(b[p])) p++;
    const pid = readNumber(b, p, end, false, true);
    p = numberEnd;
    if (pid < 0 || p === end || !isBlank(b[p])) return false;
    while (p < end && isBlank(b[p])) p++;
    const addr = readNumber(b, p, end, false, true);
    p = numberEnd;
    // the text parser ignores fields after the address, as this does
    if (addr < 0 || addr >= PAGE_OFFSET || (p < end && !isBlank(b[p]))) return false;
    const mm = mms.get(pid);
    if (mm === undefined) return false;
    const vma = find_vma(k.s.mms[mm], addr);
    if (vma === undefined || (op === W && (vma.prot & VM_WRITE) === 0)) return false;
    run.ref(mm, addr, op === W, Infinity);
    return true;
  };
  const fail = (text: string, bytes: number, lineNo: number, err: unknown): void => {
    if (!(err instanceof LineError)) {
      if (err instanceof TraceError) throw new TraceError(`${file}:${lineNo}: ${err.message}`);
      throw err;
    }
    if (o.skipBadLines && header) {
      badLines++;
      return;
    }
    if (looksBinary(text)) throw new TraceError(`${file}:${lineNo}: binary data, not an mmtrace file`);
    // no header yet: more likely a wrong --format than a damaged file
    const others = header ? [] : otherFormatsReading(text, 'mmtrace', false);
    const hint =
      others.length > 0 ? `; it reads as ${others[0]}: pass --format ${others[0]} (or leave --format out to detect the format)` : '';
    throw new TraceError(`${file}:${lineNo}: ${quoteLine(text, bytes)}: ${err.message}${hint}`);
  };
  const lines = await forEachLine(
    file,
    {
      line(b, start, end, lineNo) {
        try {
          if (fastRef(b, start, end)) return;
          exec(lineText(b, start, end));
          run.checkEventBound();
        } catch (err) {
          fail(lineText(b, start, end), end - start, lineNo, err);
        }
      },
      longLine(head, length, lineNo) {
        fail(
          lineText(head, 0, head.length),
          length,
          lineNo,
          new LineError(`longer than any mmtrace line (at most ${thousands(MAX_LINE_BYTES)} bytes)`),
        );
      },
    },
    o.onProgress,
  );
  if (!header) throw new TraceError(`${file}: ${lines === 0 ? 'the file is empty' : "no 'mmtrace 1' header"}; is it an mmtrace file?`);
  if (run.references === 0)
    throw new TraceError(`${file}: no references (r/w/x lines)${badLines ? ` (${badLines} malformed lines skipped)` : ''}`);
  const s = run.machine.state();
  return {
    format: 'mmtrace',
    file,
    lines,
    badLines,
    processes,
    forks: s.stats.forks,
    exits: s.stats.exits,
    faultKinds: [...s.stats.faults],
    ...run.result(o.hash ? (await import('../snapshot/hash.js')).stateHash : null),
  };
}
