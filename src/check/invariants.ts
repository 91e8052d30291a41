// The invariants, each with a short stable name: the core's (src/check/rules.ts) and every
// design's own (src/include/design.ts `rules`). They hold between kernel operations, not
// inside them; the checker runs at op boundaries. checkState runs them over the whole state.

import { allDesigns } from '../designs/registry.js';
import type { Violation } from '../include/rules.js';
import type { State } from '../state.js';
import type { DeepReadonly } from '../include/readonly.js';
import { CORE_RULES, swapCacheWritable } from './rules.js';
import { IndexedView, rulesFor, runRules } from './view.js';

/** Every invariant any design can have, by name: what `check --list` prints and --invariant accepts. */
export const INVARIANTS: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries([...CORE_RULES, swapCacheWritable, ...allDesigns().flatMap((d) => d.rules ?? [])].map((r) => [r.name, r.description])),
);

export type InvariantName = keyof typeof INVARIANTS;

/** Run every invariant (or only `only`) over the whole state. */
/** (The checker only reads: a kernel's read-only view of the state is accepted as it is.) */
export function checkState(state: State | DeepReadonly<State>, only?: ReadonlySet<string>): Violation[] {
  const s = state as State;
  const v = new IndexedView(s);
  const frames: number[] = [];
  for (let pfn = 0; pfn < s.nframes; pfn++) frames.push(pfn);
  // the pte subjects: every non-empty pte, and every empty slot that still has a link
  // (the non-empty ones are listed once each already; a linked slot adds itself only when empty)
  const ptes = v.ptes().pte.slice();
  for (const pte of v.rmap.linkedSlots?.(s) ?? []) if (v.readPte(pte) === 0) ptes.push(pte);
  return runRules(v, rulesFor(s), { pages: frames, ptes, tables: Object.keys(s.pts).map(Number), global: true }, only);
}
