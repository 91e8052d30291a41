// Bisect: the first failing operation (search.ts), then the event inside it that created
// the bad state (culprit.ts), with its neighbours and the violation that names it.

import type { Event } from '../events.js';
import type { Violation } from '../check/violation.js';
import type { Timeline } from '../timetravel/timeline.js';
import { findFailingOp } from './search.js';
import { findCulprit, findCulpritByCheck, type Culprit } from './culprit.js';

export interface BisectReport {
  /** Index of the event that created the bad state. */
  event: number;
  invariant: string;
  violation: Violation;
  violations: Violation[];
  op: { start: number; end: number };
  culprit: Culprit | null;
  context: [number, Event][];
  probes: number;
}

/** The violation about the culprit's pte or page, else the first. */
function matching(vs: Violation[], c: Culprit | null): Violation {
  if (c !== null) {
    const hexPte = c.subject.pte !== undefined ? '0x' + c.subject.pte.toString(16) : null;
    const v =
      vs.find((x) => c.subject.pte !== undefined && x.pte === c.subject.pte) ??
      vs.find((x) => hexPte !== null && x.message.includes(hexPte)) ??
      vs.find((x) => c.subject.page !== undefined && x.page === c.subject.page);
    if (v) return v;
  }
  return vs[0];
}

export function bisect(tl: Timeline, only?: ReadonlySet<string>): BisectReport | null {
  const f = findFailingOp(tl, only);
  if (f === null) return null;
  const ops = [...tl.range(f.start, f.end)];
  const s0 = ops.length ? tl.copyAt(f.start) : null;
  const culprit = s0 === null ? null : (findCulprit(s0, ops) ?? findCulpritByCheck(s0, ops, new Set(f.violations.map((v) => v.invariant))));
  const event = culprit?.event ?? Math.max(0, f.end - 1);
  const violation = matching(f.violations, culprit);
  return {
    event,
    invariant: violation.invariant,
    violation,
    violations: f.violations,
    op: { start: f.start, end: f.end },
    culprit,
    context: [...tl.range(event - 5, event + 6)],
    probes: f.probes,
  };
}
