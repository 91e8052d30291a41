// Invariants as rules: one encoding that the full check, the per-operation local check and
// bisect's culprit search all run. A rule judges one subject (a user page, a pte slot, a page
// table) or the whole machine; what differs between the callers is only which subjects they
// hand it and how `mappers` is answered (a full pte index, or the touched set's bookkeeping).

import type { State } from '../state.js';
import type { ChainReport, RmapDesign } from './design.js';

/** One broken invariant: its stable name, what was expected, and the page/pte/mm involved. */
export interface Violation {
  invariant: string;
  message: string;
  page?: number;
  pte?: number;
  mm?: number;
}

export interface CheckView {
  readonly s: State;
  readonly rmap: RmapDesign;
  /** The design's map of `pfn` as stored (memoised for one check). */
  chain(pfn: number): ChainReport;
  /** The present ptes that map user page `pfn`. */
  mappers(pfn: number): readonly number[];
  /** `pte` is present and maps a user (non-reserved) page. */
  mapsUser(pte: number): boolean;
}

export const hex = (n: number): string => '0x' + n.toString(16);

export type RuleScope = 'page' | 'pte' | 'table' | 'global';

export interface Rule {
  /** Stable short name (`chain-entry-valid`), used by --invariant and in reports. */
  readonly name: string;
  readonly description: string;
  /** page: a user frame's pfn; pte: a pte address; table: a page table's pfn; global: id 0. */
  readonly scope: RuleScope;
  check(v: CheckView, id: number, out: Violation[]): void;
  /** A global rule cheap enough to run at every operation boundary (the local check runs it too). */
  readonly cheap?: boolean;
}
