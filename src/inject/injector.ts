// Fault injection: a small hook the kernel paths consult at the exact spots where a real
// rmap bug would live. Decisions come from their own named Rng stream, and nothing is
// drawn unless a bug class is enabled, so a run without --inject is byte-identical to one
// built without this file.

import { Rng } from '../workload/rng.js';
import { ALL_BUG_CLASSES, type BugClass } from './classes.js';

export interface InjectSpec {
  bug: BugClass;
  /** Probability per opportunity, in parts per million. */
  ppm: number;
  /** Opportunities before this event index are passed over. */
  after: number;
  /** Stop after committing the bug this many times. */
  max: number;
}

export class InjectSpecError extends Error {}

/** Parse BUG[@RATE]; RATE is a probability (0.01) or a percentage (1%). */
export function parseInjectSpec(text: string, after = 0, max = 1): InjectSpec {
  const m = /^([a-z-]+)(?:@([0-9.]+)(%?))?$/.exec(text.trim());
  if (m === null || !(m[1] in ALL_BUG_CLASSES)) {
    throw new InjectSpecError(
      `--inject '${text}' is not BUG[@RATE]: BUG is one of ${Object.keys(ALL_BUG_CLASSES).join(', ')}; RATE is a probability per opportunity in (0, 1] (e.g. 0.05 or 5%)`,
    );
  }
  let rate = m[2] === undefined ? 1 : Number(m[2]);
  if (m[3] === '%') rate /= 100;
  if (!(rate > 0 && rate <= 1))
    throw new InjectSpecError(`--inject rate '${m[2]}${m[3] ?? ''}' is out of range: a probability in (0, 1], e.g. 0.05 or 5%`);
  return { bug: m[1] as BugClass, ppm: Math.max(1, Math.round(rate * 1e6)), after, max };
}

export class Injector {
  /** Event indices at which the bug was committed (the event that creates the bad state). */
  readonly committed: number[] = [];
  private readonly rng: Rng | null;

  constructor(
    readonly spec: InjectSpec | null,
    seed: string,
    private readonly clock: () => number = () => 0,
  ) {
    this.rng = spec === null ? null : new Rng(seed, `inject/${spec.bug}`);
  }

  static none(): Injector {
    return new Injector(null, '');
  }

  enabled(bug: BugClass): boolean {
    return this.spec !== null && this.spec.bug === bug;
  }

  /** Should the kernel commit `bug` at this opportunity? Draws only when `bug` is the enabled class. */
  fire(bug: BugClass): boolean {
    const sp = this.spec;
    if (sp === null || sp.bug !== bug || this.committed.length >= sp.max || this.clock() < sp.after) return false;
    return (this.rng as Rng).int(1000000) < sp.ppm;
  }

  /** Record that the bug was committed by the event with this index. */
  note(event: number): void {
    this.committed.push(event);
  }
}
