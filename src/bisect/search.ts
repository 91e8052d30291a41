// Bisect, part 1: find the first kernel operation after which an invariant fails.
// Binary search over the snapshots (each probed at the first operation boundary at or
// after it, since a snapshot may fall inside an operation), then binary search over the
// operation boundaries inside the one interval, each probe the full check. Like git
// bisect it assumes that once broken the state stays broken; rmap breakage does (a lost
// link is never found again, an unlink that misses is counted for good), and `mmsim check`
// walks every boundary when that assumption is in doubt.

import { checkState } from '../check/invariants.js';
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
  const check = (pos: number): Violation[] => { probes++; return checkState(tl.at(pos), only); };
  const fails = (pos: number): boolean => check(pos).length > 0;

  // Candidate boundaries: one per snapshot, then the end.
  const cands = [...new Set([...tl.points.map((p) => bf.next(p.event)), tl.events])].sort((a, b) => a - b);
  if (!fails(tl.events)) return null;
  let lo = -1, hi = cands.length - 1; // cands[hi] fails; cands[lo] passes (-1: the initial state)
  if (fails(0)) return { start: 0, end: 0, violations: check(0), probes };
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (fails(cands[mid])) hi = mid; else lo = mid;
  }
  const good = lo < 0 ? 0 : cands[lo];
  const bounds = bf.between(good, cands[hi]);
  let a = -1, b = bounds.length - 1; // bounds[b] fails; bounds[a] passes (-1: `good`)
  while (b - a > 1) {
    const mid = (a + b) >> 1;
    if (fails(bounds[mid])) b = mid; else a = mid;
  }
  const start = a < 0 ? good : bounds[a];
  const end = bounds[b];
  return { start, end, violations: check(end), probes };
}
