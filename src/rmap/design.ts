// The one interface every reverse-map design implements. The reducer calls link/unlink
// (they write the draft state); the kernel and the checker only read through walk/entries.

import type { State } from '../state.js';

export interface ChainReport {
  /** pte addresses in chain order, at most `limit` of them. */
  ptes: number[];
  /** A structural problem (cycle, wrong closure, dangling entry), or null. */
  problem: string | null;
}

export interface RmapDesign {
  readonly name: string;
  /**
   * Order of a page-table allocation: 1 for LaHaise's layout (pte page + link page), 0 for
   * designs that keep their map elsewhere. The link page is memory the design really costs.
   */
  readonly ptOrder: number;
  /** Words per block of State.rmapArena (0: the design allocates no blocks). */
  readonly blockWords: number;
  /** pte_link(pte, page): record that `pte` maps `pfn`; false when it already did (a duplicate add). */
  link(s: State, pte: number, pfn: number): boolean;
  /** pte_unlink(pte, page): forget it; returns false when `pte` was not on `pfn`'s map. */
  unlink(s: State, pte: number, pfn: number): boolean;
  /** Calls fn for each pte mapping `pfn` (bounded: a corrupt map never hangs the caller). */
  forEach(s: State, pfn: number, fn: (pte: number) => void): void;
  /** The map as stored, with structural problems named (for the checker and `seek`). */
  entries(s: State, pfn: number): ChainReport;
  /** Link of a pte slot as the design stores it (pte-chain: the next pte; others 0). */
  slotLink(s: State, pte: number): number;
  /** Bytes the design's kernel would allocate for its reverse map in this state. */
  overheadBytes(s: State): number;
}
