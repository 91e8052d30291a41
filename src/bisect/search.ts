// Bisect, part 1: find the first kernel operation after which an invariant fails.
// Binary search over the snapshots (each probed at the first operation boundary at or
// after it, since a snapshot may fall inside an operation), then binary search over the
// operation boundaries inside the one interval, each probe the full check. Like git
// bisect it assumes that once broken the state stays broken, which rmap breakage mostly
// does (a lost link is never found again, an unlink that misses is counted for good).
// When the end of the log is sound, every snapshot is checked instead, and when all are,
// every operation (as `mmsim check` does): a log is only declared sound after that.

import { checkState } from '../check/invariants.js';
import { StreamChecker } from '../check/run.js';
import type { Violation } from '../check/violation.js';
import type { Timeline } from '../timetravel/timeline.js';

export interface FailingOp {
  /** Position (events applied) at the start of the failing operation: its `op` event's index. */
  start: number;
  /** Position at its end: the index of the next `op` event, or the log's length. */
  end: number;
  violations: Violation[];
  probes: number;
}

export class BoundaryFinder {
  constructor(private readonly tl: Timeline) {}

  /** The first operation boundary at or after position `pos`. */
  next(pos: number): number {
    for (const [i, e] of this.tl.range(pos, this.tl.events)) if (e.t === 'op') return i;
    return this.tl.events;
  }

  /** Every boundary in (a, b]. */
  between(a: number, b: number): number[] {
    const out: number[] = [];
    for (const [i, e] of this.tl.range(a + 1, b)) if (e.t === 'op') out.push(i);
    if (out[out.length - 1] !== b) out.push(b);
    return out;
  }
}

export function findFailingOp(tl: Timeline, only?: ReadonlySet<string>): FailingOp | null {
  const bf = new BoundaryFinder(tl);
  let probes = 0;
  const check = (pos: number): Violation[] => {
    probes++;
    return checkState(tl.at(pos), only);
  };
  const fails = (pos: number): boolean => check(pos).length > 0;

  // Candidate boundaries: one per snapshot, then the end.
  const cands = [...new Set([...tl.points.map((p) => bf.next(p.event)), tl.events])].sort((a, b) => a - b);
  if (fails(0)) return { start: 0, end: 0, violations: check(0), probes };
  let lo = -1,
    hi = cands.length - 1; // cands[hi] fails; cands[lo] passes (-1: the initial state)
  if (fails(tl.events)) {
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (fails(cands[mid])) hi = mid;
      else lo = mid;
    }
  } else {
    // The end is sound, but breakage can heal (a freed page table's frames reused as a
    // new table make stale chain entries look valid again): look at every snapshot, and
    // if none is broken either, check every operation as `mmsim check` does.
    hi = cands.findIndex((c) => fails(c));
    if (hi < 0) return streamCheck(tl, only, probes);
    lo = hi - 1;
  }
  const good = lo < 0 ? 0 : cands[lo];
  const bounds = bf.between(good, cands[hi]);
  let a = -1,
    b = bounds.length - 1; // bounds[b] fails; bounds[a] passes (-1: `good`)
  while (b - a > 1) {
    const mid = (a + b) >> 1;
    if (fails(bounds[mid])) b = mid;
    else a = mid;
  }
  const start = a < 0 ? good : bounds[a];
  const end = bounds[b];
  return { start, end, violations: check(end), probes };
}

/** Every operation boundary from the start, with the local checks (and a full check every 256 operations). */
function streamCheck(tl: Timeline, only: ReadonlySet<string> | undefined, probes: number): FailingOp | null {
  const checker = new StreamChecker(tl.copyAt(0), { only, engine: tl.engine });
  let lastOp = 0;
  for (const [i, e] of tl.range(0, tl.events)) {
    if (!checker.step(e)) break;
    if (e.t === 'op') lastOp = i;
  }
  if (checker.failure === null && checker.finish()) return null;
  const f = checker.failure!;
  return { start: lastOp, end: f.event + 1, violations: f.violations, probes: probes + checker.checks };
}
