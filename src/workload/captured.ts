// Running a captured machine layout (mmsim capture). What is reproduced, and how:
// - every captured process, in capture order, with its mappings and their kinds;
// - file pages shared between processes: the same file at the same page offset is one
//   page-cache page, so touching a captured resident page shares it as on the real machine;
// - anonymous pages shared between processes: only fork shares anonymous memory, so a
//   process that shared anonymous frames with an earlier one is forked from it (the one
//   it shared most with; ties go to its real parent, then the earliest), keeps the
//   mappings they have in common, unmaps the others and maps its own; its shared anonymous
//   pages are read (the copy-on-write share stays), its other anonymous pages written.
// What is approximated (see docs/capture.md):
// - 64-bit addresses: mappings are packed from 0x08000000 in address order (a fork child's
//   own mappings after its parent's); a mapping longer than 16384 pages (64 MiB) is cut to
//   that, and resident pages beyond it fold onto offset % 16384; mappings that do not fit
//   below 0xc0000000 are dropped;
// - which pages of a private file mapping were copied is kept (they are written), but not
//   their contents' history; shared anonymous memory (shmem) is a shared file mapping;
// - after boot, each step is one reference by a process chosen by resident size to one of
//   its captured resident pages (uniform), a write with 25% chance when the page is
//   anonymous and writable: the capture has a layout, not an access pattern.

import { PAGE_OFFSET, PAGE_SIZE } from '../arch/i386/page.js';
import type { Kernel } from '../kernel/kernel.js';
import { do_fork } from '../kernel/fork.js';
import { do_execve } from '../fs/exec.js';
import { timer_tick } from '../kernel/sched.js';
import { access } from '../mm/memory.js';
import { do_mmap, do_munmap } from '../mm/mmap.js';
import { VM_EXEC, VM_READ, VM_WRITE, VmaKind, type Vma } from '../state.js';
import { Rng } from './rng.js';
import type { CapturedLayoutSpec, Scenario } from './scenario.js';
import type { MmtraceWriter } from './emit-trace.js';

export const SIM_BASE = 0x08000000;
export const MAX_VMA_PAGES = 16384;

type CVma = CapturedLayoutSpec['processes'][number]['vmas'][number];

interface Placed {
  mm: number;
  /** Simulated start of each captured vma (index as in the capture), -1 = dropped. */
  at: number[];
  end: number;
  /** Touchable pages: address and whether a step may write it. */
  addrs: number[];
  writable: boolean[];
}

const key = (v: CVma): string => `${v.start}:${v.pages}:${v.kind}:${v.file ?? ''}:${v.pgoff}`;
const KIND = { anon: VmaKind.Anon, private: VmaKind.PrivateFile, shared: VmaKind.SharedFile } as const;

function expand(r: readonly [number, number][]): number[] {
  const out: number[] = [];
  for (const [o, n] of r) for (let i = 0; i < n; i++) out.push(o + i);
  return out;
}

export class CapturedWorkload {
  private readonly placed: (Placed | null)[] = [];
  private readonly parent: number[];
  private readonly sharedAnon = new Set<string>();
  private readonly sched: Rng;
  private readonly addr: Rng;
  private weights: number[] = [];
  private total = 0;
  steps = 0;
  /** Receives what the processes do, as mmtrace lines (`--emit-trace`); pids are capture order + 1. */
  trace: MmtraceWriter | null = null;
  /** Approximations made while building the layout. */
  readonly approx = { vmasDropped: 0, pagesFolded: 0, processesFailed: 0 };

  constructor(
    private readonly k: Kernel,
    private readonly sc: Scenario,
    private readonly cap: CapturedLayoutSpec,
    seed: string,
  ) {
    this.sched = new Rng(seed, 'sched');
    this.addr = new Rng(seed, 'access');
    this.parent = this.forkParents();
  }

  private inode(name: string | undefined): number {
    return name === undefined ? 0 : this.sc.files.findIndex((f) => f.name === name) + 1;
  }

  /** For each process (by index), the earlier process it was forked from, or -1. */
  private forkParents(): number[] {
    const n = this.cap.processes.length;
    const counts: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    for (const g of this.cap.shared) {
      if (g.kind !== 'anon') continue;
      for (const [pid, vi, off] of g.maps) this.sharedAnon.add(`${pid}:${vi}:${off}`);
      const pids = [...new Set(g.maps.map((m) => m[0] - 1))].sort((a, b) => a - b);
      for (const b of pids) for (const a of pids) if (a < b) counts[b][a]++;
    }
    return counts.map((row, b) => {
      let best = -1;
      const ppid = this.cap.processes[b].ppid - 1;
      for (let a = 0; a < b; a++) {
        if (row[a] === 0) continue;
        if (best < 0 || row[a] > row[best] || (row[a] === row[best] && a === ppid)) best = a;
      }
      return best;
    });
  }

  get nprocs(): number {
    return this.placed.filter((p) => p !== null).length;
  }

  private simVma(v: CVma, start: number): Vma {
    const prot = (v.prot.includes('r') ? VM_READ : 0) | (v.prot.includes('w') ? VM_WRITE : 0) | (v.prot.includes('x') ? VM_EXEC : 0);
    return {
      start,
      end: start + Math.min(v.pages, MAX_VMA_PAGES) * PAGE_SIZE,
      kind: KIND[v.kind],
      prot,
      file: this.inode(v.file),
      pgoff: v.pgoff,
    };
  }

  /** Pack vmas from `from`; returns their starts (-1 = did not fit) and the next free address. */
  private pack(vmas: readonly CVma[], from: number, skip: (i: number) => boolean): { at: number[]; end: number } {
    const at: number[] = [];
    let end = from;
    vmas.forEach((v, i) => {
      if (skip(i)) {
        at.push(-2);
        return;
      }
      const len = Math.min(v.pages, MAX_VMA_PAGES) * PAGE_SIZE;
      if (end + len > PAGE_OFFSET) {
        at.push(-1);
        this.approx.vmasDropped++;
        return;
      }
      at.push(end);
      end += len + PAGE_SIZE; // a guard page keeps neighbours from merging in the eye of a reader
    });
    return { at, end };
  }

  /** Whether boot has run to its end (the step weights are known). */
  private booted = false;

  private ops: Generator<void> | null = null;

  /** The rest of the boot at once (compare, and a step before the boot ended). */
  boot(): void {
    for (const _ of this.bootOps());
  }

  /**
   * The boot one kernel operation at a time: each process's exec or fork, then each touch of
   * one of its resident pages. A run stops between them once `--events` is reached, so the
   * boot of a large capture is bounded like any other work. One sequence: calling this again
   * continues where the last call stopped.
   */
  bootOps(): Generator<void> {
    this.ops ??= this.bootSequence();
    return this.ops;
  }

  private *bootSequence(): Generator<void> {
    for (let i = 0; i < this.cap.processes.length; i++) {
      const q = this.parent[i] >= 0 ? this.placed[this.parent[i]] : null;
      const me = q ? this.forkFrom(i, q) : this.start(i);
      this.placed.push(me);
      yield;
      if (me === null) {
        this.approx.processesFailed++;
        continue;
      }
      yield* this.touchAll(i, me);
    }
    this.weights = this.placed.map((p) => (p === null ? 0 : p.addrs.length));
    this.total = this.weights.reduce((a, b) => a + b, 0);
    this.booted = true;
  }

  private start(i: number): Placed | null {
    const vmas = this.cap.processes[i].vmas;
    const { at, end } = this.pack(vmas, SIM_BASE, () => false);
    const list = vmas.flatMap((v, j) => (at[j] >= 0 ? [this.simVma(v, at[j])] : []));
    const mm = do_execve(this.k, -1, list);
    if (mm < 0) return null;
    this.trace?.exec(i + 1, list);
    return { mm, at, end, addrs: [], writable: [] };
  }

  private forkFrom(i: number, q: Placed): Placed | null {
    const mm = do_fork(this.k, q.mm);
    if (mm < 0) return null;
    this.trace?.fork(this.parent[i] + 1, i + 1);
    const pvmas = this.cap.processes[this.parent[i]].vmas;
    const vmas = this.cap.processes[i].vmas;
    const parentAt = new Map<string, number>();
    pvmas.forEach((v, j) => {
      if (q.at[j] >= 0) parentAt.set(key(v), q.at[j]);
    });
    const mine = new Set(vmas.map(key));
    // drop what the child does not have, then map what only the child has
    pvmas.forEach((v, j) => {
      if (q.at[j] >= 0 && !mine.has(key(v))) {
        do_munmap(this.k, mm, q.at[j]);
        this.trace?.munmap(i + 1, q.at[j]);
      }
    });
    const { at, end } = this.pack(vmas, q.end, (j) => parentAt.has(key(vmas[j])));
    vmas.forEach((v, j) => {
      if (at[j] === -2) at[j] = parentAt.get(key(v)) as number;
      else if (at[j] >= 0) {
        const vma = this.simVma(v, at[j]);
        do_mmap(this.k, mm, vma);
        this.trace?.mmap(i + 1, vma);
      }
    });
    return { mm, at, end, addrs: [], writable: [] };
  }

  private *touchAll(i: number, me: Placed): Generator<void> {
    const pid = i + 1;
    for (const [j, v] of this.cap.processes[i].vmas.entries()) {
      if (me.at[j] < 0) continue;
      const w = v.prot.includes('w');
      const cow = new Set(v.cow ? expand(v.cow) : []);
      for (const off of expand(v.resident)) {
        let o = off;
        if (o >= MAX_VMA_PAGES) {
          o %= MAX_VMA_PAGES;
          this.approx.pagesFolded++;
        }
        const addr = me.at[j] + o * PAGE_SIZE;
        let write = false;
        if (v.kind === 'anon') write = w && !(this.parent[i] >= 0 && this.sharedAnon.has(`${pid}:${j}:${off}`));
        else if (v.kind === 'private') write = w && cow.has(off);
        this.trace?.ref(write ? 'w' : 'r', pid, addr);
        access(this.k, me.mm, addr, write);
        me.addrs.push(addr);
        me.writable.push(w && (v.kind === 'anon' || cow.has(off)));
        yield;
      }
    }
  }

  step(): void {
    this.steps++;
    if (!this.booted) this.boot(); // compare steps the workload without booting it first
    if (this.total === 0) {
      timer_tick(this.k);
      this.k.pendingUs += this.k.cfg.latencies.accessUs;
      return;
    }
    let r = this.sched.int(this.total);
    let i = 0;
    while (r >= this.weights[i]) {
      r -= this.weights[i];
      i++;
    }
    const p = this.placed[i] as Placed;
    const n = this.addr.int(p.addrs.length);
    const write = p.writable[n] && this.addr.int(100) < 25;
    this.trace?.ref(write ? 'w' : 'r', i + 1, p.addrs[n]);
    access(this.k, p.mm, p.addrs[n], write);
    timer_tick(this.k);
  }
}
