import type { RmapDesign } from './design.js';
import { pteChain } from './pte-chain.js';

export type { RmapDesign, ChainReport } from './design.js';

/** Reverse-map designs by the name `--rmap` takes. */
export const RMAP_DESIGNS: Record<string, RmapDesign> = {
  'pte-chain': pteChain,
};

export function rmapDesign(name: string): RmapDesign {
  const d = RMAP_DESIGNS[name];
  if (d === undefined) {
    throw new Error(`unknown rmap design '${name}': allowed values are ${Object.keys(RMAP_DESIGNS).join(', ')}`);
  }
  return d;
}
