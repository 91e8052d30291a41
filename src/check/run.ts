// Checking a stream of events: apply each one, and at every operation boundary (before
// each `op` event, and at the end) run the local checks for what the operation touched,
// plus the full check every `fullEvery` operations and at the end.

import { apply } from '../reducer/index.js';
import { EventStore, type EngineName } from '../event-store.js';
import '../designs/registry.js';
import type { Event } from '../events.js';
import type { State } from '../state.js';
import { checkState } from './invariants.js';
import { checkTouched, noteTouches, Touched } from './local.js';
import type { Violation } from './violation.js';

export interface CheckOptions {
  only?: ReadonlySet<string>;
  /**
   * 'immer': events go through an Immer EventStore and every boundary is checked on the
   * immutable state it commits there (default 'direct': the reducer mutates `s`).
   */
  engine?: EngineName;
  /** Run the full check every this many operations (1 = at every boundary). */
  fullEvery?: number;
}

export interface CheckFailure {
  /** Index of the last event of the operation after which the check failed. */
  event: number;
  /** Sequence number of that operation. */
  op: number;
  violations: Violation[];
}

export class StreamChecker {
  private readonly touched = new Touched();
  private opsSinceFull = 0;
  private index = -1;
  failure: CheckFailure | null = null;
  checks = 0;
  fullChecks = 0;

  private readonly store: EventStore | null;
  /** The state events are applied to (in immer mode the store's mirror, read for what an event touches). */
  private readonly s: State;

  constructor(
    s: State,
    private readonly opts: CheckOptions = {},
  ) {
    this.store = opts.engine === 'immer' ? new EventStore(s, 'immer') : null;
    this.s = this.store === null ? s : this.store.s;
  }

  /** Apply one event; returns false once an invariant has failed. */
  step(e: Event): boolean {
    if (e.t === 'op' && this.index >= 0 && !this.boundary(false)) return false;
    noteTouches(this.s, e, this.touched);
    if (this.store === null) apply(this.s, e);
    else this.store.emit(e);
    this.index++;
    return true;
  }

  /** The end of the stream is a boundary too; the full check always runs there. */
  finish(): boolean {
    return this.boundary(true);
  }

  private boundary(forceFull: boolean): boolean {
    this.checks++;
    const s = this.store === null ? this.s : this.store.commit();
    let v = checkTouched(s, this.touched, this.opts.only);
    this.touched.clear();
    this.opsSinceFull++;
    if (v.length === 0 && (forceFull || this.opsSinceFull >= (this.opts.fullEvery ?? 256))) {
      this.opsSinceFull = 0;
      this.fullChecks++;
      v = checkState(s, this.opts.only);
    }
    if (v.length > 0) {
      this.failure = { event: this.index, op: s.op.seq, violations: v };
      return false;
    }
    return true;
  }
}
