// How the rules see the machine. The full check indexes every pte once; the local check
// knows only what an operation touched and trusts the reverse map for the rest (by
// induction: every pte change touches that pte, every reverse-map change touches that
// page); bisect keeps the full index and updates it event by event.

import { pte_pfn, pte_present } from '../arch/i386/page.js';
import type { ChainReport, RmapDesign } from '../include/design.js';
import type { Rule, Violation } from '../include/rules.js';
import { reclaimOf, rmapOf } from '../reducer/designs.js';
import { getPage, NR_MEM_LISTS, type State } from '../state.js';
import { CORE_RULES, forEachPte, type CoreView, isUserPage, readPteSafe, swapCacheWritable, walkBuddy } from './rules.js';

/** The rules that hold in this state: the core's, 2.1.88's swap-cache invariant when its rules run, and each active design's. */
export function rulesFor(s: State): Rule[] {
  const swap = s.swap.cache !== undefined ? [swapCacheWritable] : [];
  return [...CORE_RULES, ...swap, ...(rmapOf(s).rules ?? []), ...(reclaimOf(s).rules ?? [])];
}

abstract class BaseView implements CoreView {
  readonly rmap: RmapDesign;
  private readonly chains = new Map<number, ChainReport>();
  constructor(readonly s: State) {
    this.rmap = rmapOf(s);
  }
  chain(pfn: number): ChainReport {
    let c = this.chains.get(pfn);
    if (c === undefined) this.chains.set(pfn, (c = this.rmap.entries(this.s, pfn)));
    return c;
  }
  mapsUser(pte: number): boolean {
    const v = readPteSafe(this.s, pte);
    return pte_present(v) && isUserPage(this.s, pte_pfn(v));
  }
  /** Forget memoised chains (the state changed). */
  invalidate(): void {
    this.chains.clear();
  }
  abstract exact(pfn: number): boolean;
  abstract mappers(pfn: number): readonly number[];
  abstract freeBlockOf(pfn: number): number;
}

/** Every present pte indexed by the user page it maps; the buddy lists walked once. */
export class IndexedView extends BaseView {
  exact(): boolean {
    return true;
  }
  private readonly index = new Map<number, number[]>();
  private free: Int32Array | null = null;
  constructor(s: State) {
    super(s);
    forEachPte(s, (pte, val) => {
      if (pte_present(val) && isUserPage(s, pte_pfn(val))) this.add(pte_pfn(val), pte);
    });
  }
  private add(pfn: number, pte: number): void {
    const l = this.index.get(pfn);
    if (l === undefined) this.index.set(pfn, [pte]);
    else l.push(pte);
  }
  mappers(pfn: number): readonly number[] {
    return this.index.get(pfn) ?? [];
  }
  freeBlockOf(pfn: number): number {
    this.free ??= walkBuddy(this.s).freeBlockOf;
    return this.free[pfn];
  }
  /** `pte` is about to change from `old` to `val` (bisect follows the state event by event). */
  update(pte: number, old: number, val: number): void {
    if (pte_present(old) && isUserPage(this.s, pte_pfn(old))) {
      const l = this.index.get(pte_pfn(old));
      const i = l?.indexOf(pte) ?? -1;
      if (l !== undefined && i >= 0) l.splice(i, 1);
    }
    if (pte_present(val) && isUserPage(this.s, pte_pfn(val))) this.add(pte_pfn(val), pte);
    this.free = null;
    this.invalidate();
  }
  /** The buddy lists may have changed. */
  buddyChanged(): void {
    this.free = null;
  }
}

/** The free block a frame is in, found by looking at the heads it could have (no list walk). */
function freeBlockNear(s: State, pfn: number): number {
  for (let order = 0; order < NR_MEM_LISTS; order++) {
    const head = pfn & ~((1 << order) - 1);
    const p = getPage(s, head);
    if (p.order === order && p.count === 0) return head;
  }
  return -1;
}

/** What one operation touched: the mappers of a page are its valid map entries plus the touched ptes that map it. */
export class TouchedView extends BaseView {
  constructor(
    s: State,
    private readonly ptes: ReadonlySet<number>,
  ) {
    super(s);
  }
  exact(pfn: number): boolean {
    if (!this.rmap.caps.tracksPtes) return false;
    const c = this.chain(pfn);
    if (c.problem !== null || c.ptes.length !== getPage(this.s, pfn).mapcount) return false;
    return c.ptes.every((pte) => {
      const v = readPteSafe(this.s, pte);
      return pte_present(v) && pte_pfn(v) === pfn;
    });
  }
  mappers(pfn: number): readonly number[] {
    const out = new Set<number>();
    const mapsIt = (pte: number): boolean => {
      const v = readPteSafe(this.s, pte);
      return pte_present(v) && pte_pfn(v) === pfn;
    };
    for (const pte of this.chain(pfn).ptes) if (mapsIt(pte)) out.add(pte);
    for (const pte of this.ptes) if (mapsIt(pte)) out.add(pte);
    return [...out];
  }
  freeBlockOf(pfn: number): number {
    return freeBlockNear(this.s, pfn);
  }
}

export interface Subjects {
  pages: Iterable<number>;
  ptes: Iterable<number>;
  tables: Iterable<number>;
  /** Run every global rule (true), only the cheap ones ('cheap'), or none (false). */
  global: boolean | 'cheap';
}

/** Run `rules` (filtered by `only`) over the subjects; page subjects that are not user frames are skipped. */
export function runRules(v: CoreView, rules: readonly Rule[], subjects: Subjects, only?: ReadonlySet<string>): Violation[] {
  const out: Violation[] = [];
  const want = rules.filter((r) => only === undefined || only.has(r.name));
  const by = (scope: Rule['scope']): Rule[] => want.filter((r) => r.scope === scope);
  const global = by('global').filter((r) => subjects.global === true || (subjects.global === 'cheap' && r.cheap === true));
  for (const r of global) r.check(v, 0, out);
  const pageRules = by('page');
  if (pageRules.length > 0) {
    for (const pfn of subjects.pages) if (isUserPage(v.s, pfn)) for (const r of pageRules) r.check(v, pfn, out);
  }
  const pteRules = by('pte');
  if (pteRules.length > 0) for (const pte of subjects.ptes) for (const r of pteRules) r.check(v, pte, out);
  const tableRules = by('table');
  if (tableRules.length > 0) for (const pt of subjects.tables) for (const r of tableRules) r.check(v, pt, out);
  return out;
}
