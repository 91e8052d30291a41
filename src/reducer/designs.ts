// The designs the reducer can dispatch to, loaded by src/designs/registry.ts (as Immer's
// enableMapSet() loads a plugin). The reducer never imports a design: it asks this table
// for the state's active ones by the names the state records.

import type { DesignStatePart, RmapDesign } from '../include/design.js';
import type { EventType } from '../events.js';

export class DesignNotLoaded extends Error {}

const rmaps = new Map<string, RmapDesign>();
const reclaims = new Map<string, DesignStatePart>();
/** Event type -> the designs that own it (only they may apply it). */
const owners = new Map<EventType, DesignStatePart[]>();

export function loadDesign(d: DesignStatePart): void {
  const table = d.kind === 'rmap' ? rmaps : reclaims;
  if (table.has(d.name)) return;
  table.set(d.name, d as RmapDesign & DesignStatePart);
  for (const t of d.owns ?? []) owners.set(t, [...(owners.get(t) ?? []), d]);
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

/** The designs that own event type `t` (empty for core events). */
export const ownersOf = (t: EventType): readonly DesignStatePart[] => owners.get(t) ?? [];
