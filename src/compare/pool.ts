// A pool of long-lived worker threads that run DesignJobs (src/compare/worker.ts), so module
// load and JIT warm-up are paid once per thread, not once per job. Jobs start in the order
// they are submitted; the caller decides that order (longest first). Used by `mmsim compare`
// for a fixed list of designs and by `mmsim sweep` / `mmsim worker` for jobs that stream in.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DesignJob, DesignResult } from './run.js';

/** The compiled worker: beside this file when running from dist, else dist/ of the package. */
export function workerPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const sibling = join(here, 'worker.js');
  if (existsSync(sibling)) return sibling;
  let dir = here;
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  const built = join(dir, 'dist', 'src', 'compare', 'worker.js');
  if (!existsSync(built)) throw new Error(`compare: the worker ${built} is missing; run 'npm run build' first (or use mode 'sequential')`);
  return built;
}

interface Task {
  id: number;
  job: DesignJob;
  resolve: (r: DesignResult) => void;
  reject: (e: Error) => void;
  onProgress?: (steps: number) => void;
}

type WorkerMessage =
  | { kind: 'progress'; id: number; steps: number }
  | { kind: 'done'; id: number; result: DesignResult }
  | { kind: 'error'; id: number; message: string };

export class ThreadPool {
  private readonly waiting: Task[] = [];
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Task>();
  private threads = 0;
  private nextId = 0;
  private closed = false;

  /** size: threads at most (started as jobs arrive). */
  constructor(readonly size: number) {
    if (!(size >= 1)) throw new Error(`thread pool size must be at least 1 (got ${size})`);
  }

  /** Run one job on a thread; a job that throws rejects with its message and leaves the thread usable. */
  run(job: DesignJob, onProgress?: (steps: number) => void): Promise<DesignResult> {
    if (this.closed) return Promise.reject(new Error('thread pool is closed'));
    return new Promise((resolve, reject) => {
      this.waiting.push({ id: this.nextId++, job, resolve, reject, onProgress });
      this.pump();
    });
  }

  /** Jobs running or waiting. */
  get pending(): number {
    return this.waiting.length + this.busy.size;
  }

  private pump(): void {
    while (this.waiting.length > 0) {
      let w = this.idle.pop();
      if (w === undefined) {
        if (this.threads >= this.size) return;
        w = this.spawn();
      }
      const task = this.waiting.shift()!;
      this.busy.set(w, task);
      w.postMessage({ kind: 'job', id: task.id, job: task.job });
    }
  }

  private spawn(): Worker {
    const w = new Worker(workerPath());
    this.threads++;
    w.on('message', (msg: WorkerMessage) => {
      const task = this.busy.get(w);
      if (task === undefined || task.id !== msg.id) return;
      if (msg.kind === 'progress') {
        task.onProgress?.(msg.steps);
        return;
      }
      this.busy.delete(w);
      this.idle.push(w);
      if (msg.kind === 'done') task.resolve(msg.result);
      else task.reject(new Error(msg.message));
      this.pump();
    });
    // a thread that dies (out of memory, terminated) fails its job; the pool starts another
    const lost = (why: string): void => {
      const task = this.busy.get(w);
      this.busy.delete(w);
      const i = this.idle.indexOf(w);
      if (i >= 0) this.idle.splice(i, 1);
      this.threads--;
      task?.reject(new Error(why));
      if (!this.closed) this.pump();
    };
    w.on('error', (err) => lost(`worker thread failed: ${err.message}`));
    w.on('exit', (code) => {
      if (this.busy.has(w) || this.idle.includes(w)) lost(`worker thread exited with code ${code}`);
    });
    return w;
  }

  /** Stop every thread (jobs still running are abandoned and rejected). */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.idle, ...this.busy.keys()];
    for (const t of this.waiting.splice(0)) t.reject(new Error('thread pool closed'));
    for (const [, t] of this.busy) t.reject(new Error('thread pool closed'));
    this.busy.clear();
    this.idle.length = 0;
    await Promise.all(all.map((w) => w.terminate()));
  }
}
