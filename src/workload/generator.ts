// The seeded workload: a set of processes, each running a program, scheduled by weight.
// A step is one reference by one process, or a lifecycle action (spawn, brk, mmap, exit).
// It calls the kernel's entry points and never touches the state itself.

import { PAGE_SIZE } from '../arch/i386/page.js';
import type { Kernel } from '../kernel/kernel.js';
import { do_fork } from '../kernel/fork.js';
import { do_exit } from '../kernel/exit.js';
import { do_execve } from '../fs/exec.js';
import { access } from '../mm/memory.js';
import { do_brk, do_mmap, do_munmap } from '../mm/mmap.js';
import { timer_tick } from '../kernel/sched.js';
import { VM_READ, VM_WRITE, VmaKind } from '../state.js';
import { programLayout, TEMP_BASE, type Layout, type Region } from './layout.js';
import { Rng } from './rng.js';
import type { ProgramSpec, Scenario } from './scenario.js';
import { CapturedWorkload } from './captured.js';
import type { Input } from './inputs.js';
import type { MmtraceWriter } from './emit-trace.js';

/** A simulated process (exported for the SMP engine, src/smp/engine.ts, which runs them on CPUs). */
export interface Proc {
  pid: number;
  prog: ProgramSpec;
  progName: string;
  mm: number;
  parent: number;
  children: number;
  refs: number;
  layout: Layout;
  heapPages: number;
  temp: Region | null;
  tempRefs: number;
}

export class WorkloadError extends Error {}

export class Workload {
  private procs: Proc[] = [];
  private nextPid = 1;
  private readonly sched: Rng;
  private readonly addr: Rng;
  private readonly life: Rng;
  private readonly inodes: Map<string, number>;
  private _steps = 0;
  /** Set when the scenario is a captured machine layout: boot and step are its. */
  readonly captured: CapturedWorkload | null;
  /** Receives every decision the generator makes (shrink records a run's inputs this way). */
  recorder: ((i: Input) => void) | null = null;
  private _trace: MmtraceWriter | null = null;

  constructor(
    private readonly k: Kernel,
    private readonly sc: Scenario,
    seed: string,
  ) {
    this.captured = sc.captured ? new CapturedWorkload(k, sc, sc.captured, seed) : null;
    this.sched = new Rng(seed, 'sched');
    this.addr = new Rng(seed, 'access');
    this.life = new Rng(seed, 'life');
    this.inodes = new Map(sc.files.map((f, i) => [f.name, i + 1]));
  }

  /** Receives what the processes do, as mmtrace lines (`--emit-trace`), a captured machine's too. */
  get trace(): MmtraceWriter | null {
    return this._trace;
  }
  set trace(w: MmtraceWriter | null) {
    this._trace = w;
    if (this.captured) this.captured.trace = w;
  }

  private layoutOf(name: string): Layout {
    return programLayout(this.sc, name, (f) => this.inodes.get(f) as number);
  }

  /** Start the boot processes (each from nothing, as init's children would be). */
  get steps(): number {
    return this.captured ? this.captured.steps : this._steps;
  }

  boot(): void {
    for (const _ of this.bootOps());
  }

  /**
   * The boot one kernel operation at a time (each process start; for a captured machine also
   * each page it touches), so Simulation.run can stop it at `--events` like any other work.
   * A re-boot inside step() (every process exited) runs whole: it is one step.
   */
  *bootOps(): Generator<void> {
    if (this.captured) {
      yield* this.captured.bootOps();
      return;
    }
    for (const b of this.sc.boot) {
      for (let i = 0; i < b.count; i++) {
        this.start(b.program, -1);
        yield;
      }
    }
    if (this.procs.length === 0) throw new WorkloadError('no boot process could start: memory is too small for the scenario');
  }

  private start(progName: string, parent: number): Proc | null {
    const layout = this.layoutOf(progName);
    const mm = do_execve(this.k, -1, layout.vmas);
    if (mm < 0) return null;
    const p = this.add(progName, mm, parent, layout);
    this.trace?.exec(p.pid, layout.vmas);
    return p;
  }

  private add(progName: string, mm: number, parent: number, layout: Layout): Proc {
    const prog = this.sc.programs[progName];
    const p: Proc = {
      pid: this.nextPid++,
      prog,
      progName,
      mm,
      parent,
      children: 0,
      refs: 0,
      layout,
      heapPages: layout.heap.pages,
      temp: null,
      tempRefs: 0,
    };
    this.procs.push(p);
    return p;
  }

  get nprocs(): number {
    if (this.captured) return this.captured.nprocs;
    return this.procs.length;
  }

  /** One step. When every process has exited, the boot set starts again (the session loops). */
  step(): void {
    if (this.captured) {
      this.captured.step();
      return;
    }
    this._steps++;
    if (this.procs.length === 0) {
      this.recorder?.({ a: 'boot', first: this.nextPid });
      this.boot();
    }
    const p = this.pick();
    this.act(p);
    timer_tick(this.k);
  }

  /**
   * SMP (src/smp/engine.ts): the process a free CPU runs next, weighted as pick() is, among
   * the processes no other CPU is running (one run queue for all CPUs, as 2.1's schedule()
   * has); null when every process is running elsewhere.
   */
  pickFree(running: ReadonlySet<Proc>): Proc | null {
    let total = 0;
    for (const p of this.procs) if (!running.has(p)) total += p.prog.weight;
    if (total === 0) return null;
    let r = this.sched.int(total);
    let last: Proc | null = null;
    for (const p of this.procs) {
      if (running.has(p)) continue;
      last = p;
      r -= p.prog.weight;
      if (r < 0) return p;
    }
    return last;
  }

  /** SMP: is some process not running on another CPU? */
  hasFree(running: ReadonlySet<Proc>): boolean {
    return this.procs.some((p) => !running.has(p));
  }

  /** SMP: is `p` still alive (it may have exited while its CPU waited)? */
  alive(p: Proc): boolean {
    return this.procs.includes(p);
  }

  /** SMP: every process exited: start the boot set again, as step() does. */
  rebootIfEmpty(): boolean {
    if (this.procs.length > 0) return false;
    this.recorder?.({ a: 'boot', first: this.nextPid });
    this.boot();
    return true;
  }

  private pick(): Proc {
    let total = 0;
    for (const p of this.procs) total += p.prog.weight;
    let r = this.sched.int(total);
    for (const p of this.procs) {
      r -= p.prog.weight;
      if (r < 0) return p;
    }
    return this.procs[this.procs.length - 1];
  }

  private act(p: Proc): void {
    this.apply(p, this.decide(p));
  }

  /**
   * Draw what process `p` does next (from the seeded streams; recorded and traced) without
   * doing it. Every draw comes before the kernel is called, so act = apply(decide) draws as
   * the generator always did.
   */
  decide(p: Proc): Input {
    const prog = p.prog;
    const rec = this.recorder;
    let i: Input | null = null;
    if (prog.life !== undefined && p.refs >= prog.life) i = { a: 'exit', pid: p.pid };
    else if (prog.spawn && p.children < prog.spawn.max && this.life.int(10000) < prog.spawn.everyPct * 100)
      i = { a: 'spawn', pid: p.pid, child: this.nextPid };
    if (i === null && prog.maxHeap !== undefined && p.heapPages < Math.min(prog.maxHeap, p.layout.heapLimit)) {
      const grow =
        prog.life !== undefined
          ? p.refs * (prog.maxHeap - p.layout.heap.pages) >= (p.heapPages - p.layout.heap.pages + 8) * prog.life
          : this.life.int(100) === 0;
      if (grow) i = { a: 'brk', pid: p.pid, pages: Math.min(prog.maxHeap, p.heapPages + 8) };
    }
    if (i === null && prog.mmapTemp) {
      if (p.temp === null && this.life.int(10000) < prog.mmapTemp.everyPct * 100) i = { a: 'mmap', pid: p.pid, pages: prog.mmapTemp.pages };
      else if (p.temp !== null && p.tempRefs >= p.temp.pages * 2) i = { a: 'munmap', pid: p.pid };
    }
    if (i === null) {
      p.refs++;
      return this.drawReference(p);
    }
    rec?.(i);
    return i;
  }

  /** Do what decide() drew for `p` (the kernel is called here). */
  apply(p: Proc, i: Input): void {
    switch (i.a) {
      case 'exit':
        this.exit(p);
        return;
      case 'spawn':
        this.spawn(p);
        return;
      case 'brk':
        this.brk(p, i.pages);
        return;
      case 'mmap':
        this.mapTemp(p, i.pages);
        return;
      case 'munmap':
        this.unmapTemp(p);
        return;
      case 'ref': {
        const r = access(this.k, p.mm, i.addr, i.write === 1);
        if (r === 'oom') this.exit(p);
        else if (r === 'segv') this.segv(p, i.addr);
        return;
      }
      case 'boot':
        return;
    }
  }

  /** A reference outside the process's vmas: the generator drew an address it should not have. */
  segv(p: Proc, addr: number): never {
    throw new WorkloadError(`pid ${p.pid} (${p.progName}, mm ${p.mm}) touched 0x${addr.toString(16)} outside its vmas: a workload bug`);
  }

  private drawReference(p: Proc): Input {
    const prog = p.prog;
    let region: Region;
    if (p.temp !== null && this.addr.int(4) === 0) {
      region = p.temp;
      p.tempRefs++;
    } else {
      const m = prog.mix;
      const libW = p.layout.libs.length ? m.libs : 0;
      const dataW = p.layout.data.pages ? m.data : 0;
      let r = this.addr.int(m.text + libW + dataW + m.heap + m.stack);
      if ((r -= m.text) < 0) region = p.layout.text;
      else if ((r -= libW) < 0) region = p.layout.libs[this.addr.int(p.layout.libs.length)];
      else if ((r -= dataW) < 0) region = p.layout.data;
      else if ((r -= m.heap) < 0) region = { start: p.layout.heap.start, pages: p.heapPages, writable: true };
      else region = p.layout.stack;
    }
    const hotPages = Math.max(1, Math.floor((region.pages * prog.hot) / 100));
    const page = this.addr.int(100) < prog.hotPct ? this.addr.int(hotPages) : this.addr.int(region.pages);
    const write = region.writable && this.addr.int(100) < prog.writePct;
    const i: Input = { a: 'ref', pid: p.pid, addr: region.start + page * PAGE_SIZE, write: write ? 1 : 0 };
    this.recorder?.(i);
    this.trace?.ref(write ? 'w' : region === p.layout.text ? 'x' : 'r', p.pid, i.addr);
    return i;
  }

  /**
   * Perform one recorded decision instead of drawing one (shrink). Decisions whose process
   * no longer exists are skipped, and a touch outside the vmas is ignored: a shrunk input
   * list need not be one the generator could have produced.
   */
  perform(i: Input): void {
    this._steps++;
    if (i.a === 'boot') {
      this.nextPid = i.first;
      try {
        this.boot();
      } catch (err) {
        if (!(err instanceof WorkloadError)) throw err;
      }
    } else {
      const p = this.procs.find((q) => q.pid === i.pid);
      if (p !== undefined) {
        switch (i.a) {
          case 'ref':
            if (access(this.k, p.mm, i.addr, i.write === 1) === 'oom') this.exit(p);
            break;
          case 'spawn':
            this.nextPid = i.child;
            this.spawn(p);
            break;
          case 'brk':
            this.brk(p, i.pages);
            break;
          case 'mmap':
            if (p.temp === null) this.mapTemp(p, i.pages);
            break;
          case 'munmap':
            if (p.temp !== null) this.unmapTemp(p);
            break;
          case 'exit':
            this.exit(p);
            break;
        }
      }
    }
    timer_tick(this.k);
  }

  private spawn(p: Proc): void {
    const spec = p.prog.spawn!;
    const child = do_fork(this.k, p.mm);
    if (child < 0) return;
    p.children++;
    const pid = this.nextPid;
    this.trace?.fork(p.pid, pid);
    if (spec.exec) {
      const layout = this.layoutOf(spec.program);
      const mm = do_execve(this.k, child, layout.vmas);
      if (mm < 0) {
        p.children--;
        this.nextPid++;
        this.trace?.exit(pid);
        return;
      }
      this.add(spec.program, mm, p.pid, layout);
      this.trace?.exec(pid, layout.vmas);
    } else {
      const c = this.add(spec.program, child, p.pid, p.layout);
      c.heapPages = p.heapPages;
      c.layout = { ...p.layout, heap: { ...p.layout.heap, pages: p.heapPages } };
      c.temp = p.temp;
    }
  }

  private brk(p: Proc, pages: number): void {
    const oldEnd = p.layout.heap.start + p.heapPages * PAGE_SIZE;
    if (!do_brk(this.k, p.mm, p.layout.heap.start, p.layout.heap.start + pages * PAGE_SIZE)) return;
    // mmtrace has no brk: growing the heap is an anonymous mapping of the new part
    if (pages > p.heapPages)
      this.trace?.mmap(p.pid, {
        start: oldEnd,
        end: p.layout.heap.start + pages * PAGE_SIZE,
        kind: VmaKind.Anon,
        prot: VM_READ | VM_WRITE,
        file: 0,
        pgoff: 0,
      });
    p.heapPages = pages;
  }

  private mapTemp(p: Proc, pages: number): void {
    const start = TEMP_BASE;
    const vma = { start, end: start + pages * PAGE_SIZE, kind: VmaKind.Anon, prot: VM_READ | VM_WRITE, file: 0, pgoff: 0 };
    do_mmap(this.k, p.mm, vma);
    this.trace?.mmap(p.pid, vma);
    p.temp = { start, pages, writable: true };
    p.tempRefs = 0;
  }

  private unmapTemp(p: Proc): void {
    do_munmap(this.k, p.mm, p.temp!.start);
    this.trace?.munmap(p.pid, p.temp!.start);
    p.temp = null;
  }

  private exit(p: Proc): void {
    do_exit(this.k, p.mm);
    this.trace?.exit(p.pid);
    this.procs.splice(this.procs.indexOf(p), 1);
    for (const q of this.procs) {
      if (q.pid === p.parent) q.children--;
      if (q.parent === p.pid) q.parent = -1;
    }
  }
}
