// The designs the reducer can dispatch to, loaded by src/designs/registry.ts (as Immer's
// enableMapSet() loads a plugin). The reducer never imports a design: it asks this table
// for the state's active ones by the names the state records.
//
// Per event the reducer needs the active designs' handlers for its type and the type's
// owners. Both are arrays indexed by the event's integer code (events.ts), built once when
// a design loads, and the active pair is resolved once per change of the state's design
// names: Map lookups by name per event were ~20% of a fault-heavy trace run.

import type { DesignStatePart, Handler, RmapDesign } from '../include/design.js';
import { EVENT_TYPES, type EventType } from '../events.js';

export class DesignNotLoaded extends Error {}

type AnyHandler = Handler<EventType>;

const rmaps = new Map<string, RmapDesign>();
const reclaims = new Map<string, DesignStatePart>();
/** Event code -> the designs that own it (only they may apply it); null for core events. */
const ownersByCode: (DesignStatePart[] | null)[] = EVENT_TYPES.map(() => null);
/** Each loaded design's handlers by event code (undefined: no handler). */
const handlersByCode = new Map<DesignStatePart, (AnyHandler | undefined)[]>();
/** The last pair activeDesigns() resolved. */
let last: ActiveDesigns | null = null;

export function loadDesign(d: DesignStatePart): void {
  const table = d.kind === 'rmap' ? rmaps : reclaims;
  if (table.has(d.name)) return;
  table.set(d.name, d as RmapDesign & DesignStatePart);
  handlersByCode.set(
    d,
    EVENT_TYPES.map((t) => d.handlers?.[t] as AnyHandler | undefined),
  );
  for (const t of d.owns ?? []) {
    const code = EVENT_TYPES.indexOf(t);
    ownersByCode[code] = [...(ownersByCode[code] ?? []), d];
  }
  // a cached pair's coreOnly may name a code this design now owns
  last = null;
}

function get<T>(table: Map<string, T>, kind: string, name: string): T {
  const d = table.get(name);
  if (d === undefined) {
    throw new DesignNotLoaded(
      table.size === 0
        ? `no designs are loaded: import src/designs/registry.js before applying events`
        : `unknown ${kind} design '${name}': known are ${[...table.keys()].join(', ')}`,
    );
  }
  return d;
}

export const rmapOf = (s: { readonly rmap: string }): RmapDesign => get(rmaps, 'rmap', s.rmap);
export const reclaimOf = (s: { readonly reclaim: string }): DesignStatePart => get(reclaims, 'reclaim', s.reclaim);

/** The designs that own the event of code `code`, or null for a core event. */
export const ownersOfCode = (code: number): readonly DesignStatePart[] | null => ownersByCode[code];

/** What the reducer dispatches to for one pair of active designs. */
export interface ActiveDesigns {
  rmapName: string;
  reclaimName: string;
  rmap: RmapDesign;
  /** The rmap design's, then the reclaim policy's handler of each event code (undefined: none). */
  rmapHandlers: readonly (AnyHandler | undefined)[];
  reclaimHandlers: readonly (AnyHandler | undefined)[];
  /**
   * Per event code: true when no design owns it and neither active design handles it, so the
   * reducer goes straight to the core's change (most of a fault's events): decided once per
   * pair, not per event.
   */
  coreOnly: readonly boolean[];
}

/** The state's active designs and their handler tables; cached while the state's names stay the same. */
export function activeDesigns(s: { readonly rmap: string; readonly reclaim: string }): ActiveDesigns {
  if (last !== null && last.rmapName === s.rmap && last.reclaimName === s.reclaim) return last;
  const rmap = rmapOf(s),
    reclaim = reclaimOf(s);
  const rmapHandlers = handlersByCode.get(rmap) ?? [],
    reclaimHandlers = handlersByCode.get(reclaim) ?? [];
  last = {
    rmapName: s.rmap,
    reclaimName: s.reclaim,
    rmap,
    rmapHandlers,
    reclaimHandlers,
    coreOnly: EVENT_TYPES.map(
      (_, code) => ownersByCode[code] === null && rmapHandlers[code] === undefined && reclaimHandlers[code] === undefined,
    ),
  };
  return last;
}
