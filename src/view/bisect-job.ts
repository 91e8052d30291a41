// Whether the log breaks an invariant, and where: `mmsim bisect` run in a worker thread
// as soon as the viewer starts, so the page can offer its bisect button only when there
// is something to find, without holding up the server (a sound log is checked operation
// by operation, which takes seconds on a long run).

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { bisect } from '../bisect/index.js';
import { formatViolation } from '../check/violation.js';
import { opOf } from '../timetravel/ops.js';
import type { Timeline } from '../timetravel/timeline.js';

export function bisectAnswer(tl: Timeline) {
  const r = bisect(tl);
  if (r === null) return { state: 'done' as const, ok: true as const, events: tl.events };
  const op = opOf(tl, r.event);
  return {
    state: 'done' as const,
    ok: false as const,
    event: r.event,
    invariant: r.invariant,
    violation: r.violation,
    text: formatViolation(r.violation),
    reason: r.culprit?.reason ?? null,
    operation: { start: r.op.start, end: r.op.end, kind: op.kind, mm: op.mm },
  };
}

export type BisectDone = ReturnType<typeof bisectAnswer>;
export type BisectStatus = BisectDone | { state: 'running' } | { state: 'failed'; error: string };

/** The compiled worker: beside this file when it runs from dist/, else under the package's dist/. */
function workerPath(): string {
  const here = join(import.meta.dirname, 'bisect-worker.js');
  if (existsSync(here)) return here;
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'dist', 'src', 'view', 'bisect-worker.js');
}

export class BisectJob {
  status: BisectStatus = { state: 'running' };
  readonly done: Promise<BisectStatus>;
  private readonly worker: Worker;

  constructor(logPath: string) {
    this.worker = new Worker(workerPath(), { workerData: { path: logPath } });
    this.done = new Promise((resolve) => {
      this.worker.once('message', (m: BisectStatus) => resolve((this.status = m)));
      this.worker.once('error', (err) => resolve((this.status = { state: 'failed', error: err.message })));
      this.worker.once('exit', (code) => {
        if (this.status.state === 'running')
          resolve((this.status = { state: 'failed', error: `the bisect worker exited with code ${code}` }));
      });
    });
    this.worker.unref();
  }

  stop(): Promise<number> {
    return this.worker.terminate();
  }
}
