// The event store: the machine's current state and the one way to change it, emit(event),
// which applies the event through the reducer and hands it to the sink (a log writer, a
// checker). Two engines run the same reducer:
//  - 'immer': each batch of events is applied to an Immer draft (createDraft/finishDraft),
//    so every committed state is an immutable value sharing structure with the last one.
//    The kernel reads a private mirror that the same events are applied to: reading
//    through draft proxies made recording ~2x slower (measured in docs/architecture.md);
//  - 'direct': the reducer mutates a private, unshared copy (the bulk-replay fast path;
//    tests prove it reaches the same state hash as the Immer engine).

import { Immer, type Draft } from 'immer';
import { apply, codeOf } from './reducer/index.js';
// replaying a log applies events of its designs: load them all
import './designs/registry.js';
import type { Event } from './events.js';
import type { State } from './state.js';
import type { DeepReadonly } from './include/readonly.js';
import { cloneState } from './snapshot/clone.js';

/** Events between Immer commits in a batch run (Simulation, strict traces). */
export const COMMIT_EVERY = 4096;

export type EngineName = 'immer' | 'direct';
export const ENGINES: readonly EngineName[] = ['immer', 'direct'];

/** `code`: the event's type code (events.ts EVENT_CODE), so that a sink can switch on an integer. */
export type EventSink = (e: Event, code: number) => void;

/** What the kernel sees of the event store: the state, read-only, and the one way to change it. */
export interface EventStoreView {
  readonly s: DeepReadonly<State>;
  /** Events applied so far (fault injection notes where it fired). */
  readonly events: number;
  /** `code`, when the emitter knows it, is EVENT_CODE[e.t] (the store then does not look it up). */
  emit(e: Event, code?: number): void;
}

const immer = new Immer({ autoFreeze: false });

export class EventStore implements EventStoreView {
  private committed: State;
  private draft: State | null = null;
  /** The state the kernel reads: a private copy the reducer mutates (in immer mode, a mirror of the draft). */
  readonly s: State;
  events = 0;
  sink: EventSink | null = null;

  /**
   * `consumeInitial`: in direct mode, mutate `initial` itself instead of a copy (saves a
   * deep copy of mem_map; only for callers that have finished with the initial state).
   */
  constructor(
    initial: State,
    readonly engine: EngineName = 'immer',
    consumeInitial = false,
  ) {
    if (engine === 'direct') {
      this.committed = consumeInitial ? initial : cloneState(initial);
      this.s = this.committed;
    } else {
      this.committed = initial;
      this.draft = immer.createDraft(initial) as State;
      this.s = cloneState(initial);
    }
  }

  emit(e: Event, code = codeOf(e)): void {
    apply(this.s, e, code);
    if (this.draft !== null) apply(this.draft, e, code);
    this.events++;
    if (this.sink !== null) this.sink(e, code);
  }

  /** Close the current batch and return the committed state (an immutable value in immer mode). */
  commit(): State {
    if (this.engine === 'immer') {
      this.committed = immer.finishDraft(this.draft as Draft<State>) as State;
      this.draft = immer.createDraft(this.committed) as State;
    }
    return this.committed;
  }

  /** The state after every event so far. In direct mode this is the live, mutable copy. */
  state(): State {
    return this.commit();
  }
}

/** Fold events over a state with Immer: one produce around the whole batch. */
export function applyEvents(state: State, events: Iterable<Event>): State {
  return immer.produce(state, (d) => {
    for (const e of events) apply(d as State, e);
  });
}

/** One event applied with Immer: a new immutable state sharing all it did not change with `state`. */
export function applyOne(state: State, e: Event): State {
  return immer.produce(state, (d) => {
    apply(d as State, e);
  });
}

/** A plain (non-draft) view of the machine's current state, for snapshots mid-batch. */
export function plainState(m: EventStore): State {
  return m.s;
}
