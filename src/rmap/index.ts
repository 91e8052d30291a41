import type { RmapDesign } from './design.js';
import { noRmap } from './none.js';
import { pteChain } from './pte-chain.js';
import { pte_chain } from './pte_chain.js';
import { ptePool } from './pte-pool.js';

export type { RmapDesign, ChainReport } from './design.js';

/** Reverse-map designs by the name `--rmap` takes. */
export const RMAP_DESIGNS: Record<string, RmapDesign> = {
  'pte-chain': pteChain,
  'pte-pool': ptePool,
  pte_chain,
  none: noRmap,
};

export function rmapDesign(name: string): RmapDesign {
  const d = RMAP_DESIGNS[name];
  if (d === undefined) {
    throw new Error(`unknown rmap design '${name}': allowed values are ${Object.keys(RMAP_DESIGNS).join(', ')}`);
  }
  return d;
}
