// The invariants, each with a short stable name: the core's (src/check/rules.ts) and every
// design's own (src/include/design.ts `rules`). They hold between kernel operations, not
// inside them; the checker runs at op boundaries. checkState runs them over the whole state.

import { PTRS_PER_PTE } from '../arch/i386/page.js';
import { pte_addr } from '../arch/i386/pgtable.js';
import { allDesigns } from '../designs/registry.js';
import type { Violation } from '../include/rules.js';
import type { State } from '../state.js';
import { CORE_RULES } from './rules.js';
import { IndexedView, rulesFor, runRules } from './view.js';

/** Every invariant any design can have, by name: what `check --list` prints and --invariant accepts. */
export const INVARIANTS: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries([...CORE_RULES, ...allDesigns().flatMap((d) => d.rules ?? [])].map((r) => [r.name, r.description])),
);

export type InvariantName = keyof typeof INVARIANTS;

function* allSlots(s: State): Generator<number> {
  for (const key in s.pts) {
    const pfn = s.pts[key].pfn;
    for (let slot = 0; slot < PTRS_PER_PTE; slot++) yield pte_addr(pfn, slot);
  }
}

/** Run every invariant (or only `only`) over the whole state. */
export function checkState(s: State, only?: ReadonlySet<string>): Violation[] {
  const v = new IndexedView(s);
  const frames = {
    *[Symbol.iterator]() {
      for (let pfn = 0; pfn < s.nframes; pfn++) yield pfn;
    },
  };
  return runRules(
    v,
    rulesFor(s),
    { pages: frames, ptes: { [Symbol.iterator]: () => allSlots(s) }, tables: Object.keys(s.pts).map(Number), global: true },
    only,
  );
}
