// The registry: the one place that knows designs by name. Importing it loads every design
// into the reducer's table (src/reducer/designs.ts), the way Immer's enableMapSet() loads a
// plugin; everything else asks a design for its capabilities, never for its name.

import type { Design, ReclaimPolicy, RmapDesign } from '../include/design.js';
import { activeInactivePolicy, rmap24Policy } from '../reclaim/active-inactive.js';
import { clockPolicy } from '../reclaim/clock.js';
import { oldPolicy } from '../reclaim/old.js';
import { loadDesign } from '../reducer/designs.js';
import { pte_chain } from '../rmap/chain-blocks.js';
import { pteChain } from '../rmap/link-page.js';
import { anonVma } from '../rmap/anon-vma.js';
import { noRmap } from '../rmap/none.js';
import { objrmap } from '../rmap/objrmap.js';
import { ptePool } from '../rmap/pte-pool.js';

/** Reverse-map designs by the name `--rmap` takes, in the order docs and `compare` list them. */
export const RMAP_DESIGNS: ReadonlyMap<string, RmapDesign> = new Map([
  ['pte-chain', pteChain],
  ['pte-pool', ptePool],
  ['pte_chain', pte_chain],
  ['objrmap', objrmap],
  ['anon_vma', anonVma],
  ['none', noRmap],
]);

/** Reclaim policies by the name `--reclaim` takes. */
export const RECLAIM_POLICIES: ReadonlyMap<string, ReclaimPolicy> = new Map([
  ['clock', clockPolicy],
  ['old', oldPolicy],
  ['active-inactive', activeInactivePolicy],
  ['2.4-rmap', rmap24Policy],
]);

export const DEFAULT_RMAP = 'pte-chain';
export const DEFAULT_RECLAIM = 'clock';
/** What `mmsim compare` puts side by side when no --designs is given: the seed, the kernel it replaced, its two rivals. */
export const DEFAULT_COMPARISON: readonly string[] = ['clock/pte-chain', 'old/none', 'clock/pte-pool', 'clock/pte_chain'];

for (const d of [...RMAP_DESIGNS.values(), ...RECLAIM_POLICIES.values()]) loadDesign(d);

export class UnknownDesign extends Error {}

function lookup<T>(table: ReadonlyMap<string, T>, flag: string, name: string): T {
  const d = table.get(name);
  if (d === undefined) throw new UnknownDesign(`${flag} '${name}' is not known: allowed values are ${[...table.keys()].join(', ')}`);
  return d;
}

export const rmapDesign = (name: string): RmapDesign => lookup(RMAP_DESIGNS, '--rmap', name);
export const reclaimPolicy = (name: string): ReclaimPolicy => lookup(RECLAIM_POLICIES, '--reclaim', name);

/** Every design, for `check --list` and docs. */
export const allDesigns = (): Design[] => [...RMAP_DESIGNS.values(), ...RECLAIM_POLICIES.values()];

/**
 * Why `reclaim` cannot run over `rmap`, or null when it can: a policy that finds a page's ptes
 * through the reverse map needs a design that tracks them.
 */
export function incompatibility(reclaim: string, rmap: string): string | null {
  const p = reclaimPolicy(reclaim);
  const d = rmapDesign(rmap);
  if (!p.caps.needsRmap || d.caps.tracksPtes) return null;
  const ok = [...RECLAIM_POLICIES.values()].filter((q) => !q.caps.needsRmap).map((q) => q.name);
  const maps = [...RMAP_DESIGNS.values()].filter((q) => q.caps.tracksPtes).map((q) => q.name);
  return (
    `--rmap ${rmap} cannot run with --reclaim ${reclaim}: '${reclaim}' finds a page's ptes through the reverse map. ` +
    `--rmap ${rmap} is allowed only with --reclaim ${ok.join(', ')}; with --reclaim ${reclaim} use --rmap ${maps.join(', ')}`
  );
}

/** Designs that track ptes (what --steal and the rmap-walking policies need). */
export const trackingRmaps = (): string[] => [...RMAP_DESIGNS.values()].filter((d) => d.caps.tracksPtes).map((d) => d.name);
