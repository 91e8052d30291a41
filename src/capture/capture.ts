// `mmsim capture`: the running machine's processes as a scenario with a captured layout
// (see workload/captured.ts for how it runs). Processes that exit mid-capture, or whose
// files are unreadable or partial, are skipped and counted, never fatal. Without root the
// PFNs read as 0: the layout is captured without sharing, and the report says so.

import { readdirSync } from 'node:fs';
import { Anonymiser } from './anonymise.js';
import { ProcReadError, readProcess, type RawPage, type RawProcess } from './proc.js';
import { MAX_SWAP_SLOTS } from '../run-config.js';

export interface CaptureOptions {
  /** Only these pids (default: every process in /proc). */
  pids?: number[];
  maxProcesses?: number;
  /** Pagemap entries read per mapping at most (default 1M pages = 4 GiB). */
  maxPagesPerVma?: number;
  /** Simulated memory as a percentage of the captured resident frames (default 75: reclaim has work). */
  memoryPct?: number;
  name?: string;
  /** Called after each process is read (or skipped): processes tried, and how many will be. */
  onProgress?: (done: number, total: number) => void;
}

type Ranges = [number, number][];
export interface CapturedVmaJson {
  start: number;
  pages: number;
  kind: 'anon' | 'private' | 'shared';
  prot: string;
  file?: string;
  pgoff?: number;
  resident: Ranges;
  cow?: Ranges;
}
export interface CapturedProcessJson {
  pid: number;
  ppid: number;
  name: string;
  vmas: CapturedVmaJson[];
}
export interface SharedGroupJson {
  kind: 'anon' | 'file';
  maps: [number, number, number][];
}

export interface CaptureReport {
  processes: number;
  /** Processes skipped, by reason (exited, permission, partial, unreadable, kernel-thread). */
  skipped: Record<string, number>;
  vmasSkipped: number;
  pfns: boolean;
  residentFrames: number;
  sharedFrames: number;
  notes: string[];
}

export interface Capture {
  scenario: Record<string, unknown>;
  report: CaptureReport;
}

export class CaptureError extends Error {
  readonly exitCode = 2;
}

const SPECIAL = /^\[(vvar|vdso|vsyscall|vvar_vclock|uprobes)\]$/;
const RESERVED_PAGES = 32;

function ranges(offs: readonly number[]): Ranges {
  const out: Ranges = [];
  for (const o of offs) {
    const last = out[out.length - 1];
    if (last !== undefined && last[0] + last[1] === o) last[1]++;
    else out.push([o, 1]);
  }
  return out;
}

function listPids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .sort((a, b) => a - b);
}

export function captureMachine(o: CaptureOptions = {}): Capture {
  const skipped: Record<string, number> = {};
  const raw: RawProcess[] = [];
  const pids = o.pids ?? listPids();
  let tried = 0;
  for (const pid of pids) {
    if (o.maxProcesses !== undefined && raw.length >= o.maxProcesses) break;
    // each is a /proc read of its maps and pagemap: a big machine has thousands
    o.onProgress?.(tried++, pids.length);
    try {
      raw.push(readProcess(pid, o.maxPagesPerVma ?? 1 << 20));
    } catch (err) {
      if (!(err instanceof ProcReadError)) throw err;
      skipped[err.reason] = (skipped[err.reason] ?? 0) + 1;
    }
  }
  if (raw.length === 0) {
    const why =
      Object.entries(skipped)
        .map(([r, n]) => `${n} ${r}`)
        .join(', ') || 'no processes listed';
    // root already reads every process's maps, so "run as root" would be no help there
    const hint = process.getuid?.() === 0 ? 'pass pids of running processes' : 'run as root, or pass pids of running processes';
    throw new CaptureError(`nothing captured: no process could be read (${why}); ${hint}`);
  }
  const anon = new Anonymiser();
  const files: { name: string; pages: number }[] = [];
  const fileIndex = new Map<string, number>();
  const pidIndex = new Map(raw.map((p, i) => [p.pid, i + 1]));
  const byPfn = new Map<number, { kind: 'anon' | 'file'; maps: [number, number, number][] }>();
  let pfns = false,
    vmasSkipped = 0;
  const processes: CapturedProcessJson[] = raw.map((p, pi) => {
    const vmas: CapturedVmaJson[] = [];
    const kept: string[] = [];
    for (const { vma, pages } of p.vmas) {
      if (SPECIAL.test(vma.path) || vma.perms.startsWith('---')) {
        vmasSkipped++;
        continue;
      }
      const shared = vma.perms[3] === 's';
      const isFile = vma.inode !== 0 || shared;
      const kind = !isFile ? 'anon' : shared ? 'shared' : 'private';
      const prot = (vma.perms[0] === 'r' ? 'r' : '') + (vma.perms[1] === 'w' ? 'w' : '') + (vma.perms[2] === 'x' ? 'x' : '');
      const npages = Math.max(1, Math.ceil((vma.end - vma.start) / 4096));
      const v: CapturedVmaJson = { start: vma.start, pages: npages, kind, prot, resident: ranges(pages.map((g) => g.off)) };
      if (isFile) {
        const key = `${vma.inode}:${vma.path}`;
        const name = anon.path(vma.path === '' ? `shm${vma.inode}` : vma.path, key);
        kept.push(name);
        let fi = fileIndex.get(name);
        if (fi === undefined) {
          fi = files.length;
          fileIndex.set(name, fi);
          files.push({ name, pages: 1 });
        }
        v.file = name;
        v.pgoff = Math.floor(vma.offset / 4096);
        files[fi].pages = Math.max(files[fi].pages, v.pgoff + npages);
        if (kind === 'private') {
          const cow = pages.filter((g: RawPage) => !g.file).map((g) => g.off);
          if (cow.length) v.cow = ranges(cow);
        }
      }
      const vi = vmas.length;
      for (const g of pages) {
        if (g.pfn === 0) continue;
        pfns = true;
        let grp = byPfn.get(g.pfn);
        if (grp === undefined) {
          grp = { kind: g.file ? 'file' : 'anon', maps: [] };
          byPfn.set(g.pfn, grp);
        }
        grp.maps.push([pi + 1, vi, g.off]);
      }
      vmas.push(v);
    }
    return { pid: pi + 1, ppid: pidIndex.get(p.ppid) ?? 0, name: anon.processName(p.comm, kept, pi + 1), vmas };
  });
  // frame identities are dropped: only "these mappings share one frame" is kept, in mapping order
  const shared = [...byPfn.values()]
    .filter((g) => g.maps.length > 1)
    .sort((a, b) => a.maps[0][0] - b.maps[0][0] || a.maps[0][1] - b.maps[0][1] || a.maps[0][2] - b.maps[0][2]);
  const residentFrames = pfns
    ? byPfn.size
    : processes.reduce((n, p) => n + p.vmas.reduce((m, v) => m + v.resident.reduce((r, x) => r + x[1], 0), 0), 0);
  const notes: string[] = [];
  if (!pfns)
    notes.push(
      'physical frame numbers were unreadable (they need root, CAP_SYS_ADMIN): the layout is captured without sharing between processes',
    );
  const memory = Math.min(1 << 18, Math.max(128, RESERVED_PAGES + Math.ceil((residentFrames * (o.memoryPct ?? 75)) / 100)));
  const report: CaptureReport = {
    processes: processes.length,
    skipped,
    vmasSkipped,
    pfns,
    residentFrames,
    sharedFrames: shared.length,
    notes,
  };
  const scenario = {
    name: o.name ?? 'machine',
    description: `Captured from a running Linux machine: ${processes.length} processes, ${residentFrames} resident frames, ${shared.length} of them shared; simulated memory ${o.memoryPct ?? 75}% of that.`,
    memory,
    reserved: RESERVED_PAGES,
    // twice the resident set, within the swap 2.1 can have (MAX_SWAP_SLOTS; a run refuses more)
    swap: Math.min(MAX_SWAP_SLOTS, Math.max(1024, 2 * residentFrames)),
    files: files.map((f) => ({ name: f.name, pages: f.pages, backing: 'disk' })),
    programs: {},
    boot: [],
    captured: { version: 1, pfns, processes, shared, skipped, notes },
  };
  return { scenario, report };
}
