// How the rules see the machine. The full check indexes every pte once; the local check
// knows only what an operation touched and trusts the reverse map for the rest (by
// induction: every pte change touches that pte, every reverse-map change touches that
// page); bisect keeps the full index and updates it event by event.

import { pte_pfn, pte_present } from '../arch/i386/page.js';
import type { ChainReport, RmapDesign } from '../include/design.js';
import type { Rule, Violation } from '../include/rules.js';
import { reclaimOf, rmapOf } from '../reducer/designs.js';
import { getPage, NR_MEM_LISTS, type PageTable, type State } from '../state.js';
import { CORE_RULES, type CoreView, isUserPage, listPtes, type PteList, swapCacheWritable, walkBuddy } from './rules.js';
import { pte_slot, pte_table_pfn } from '../arch/i386/pgtable.js';

/** The rules of each design pair (and swap-cache rules), built once: the local check asks at every operation boundary. */
const rulesByDesigns = new Map<string, readonly Rule[]>();
/** The last answer of rulesFor, and what it was for. */
let last: { rmap: string; reclaim: string; lookup: boolean; rules: readonly Rule[] } | null = null;

/** The rules that hold in this state: the core's, 2.1.88's swap-cache invariant when its rules run, and each
 * active design's (the same array for the same designs). */
export function rulesFor(s: State): readonly Rule[] {
  const lookup = s.swap.cache !== undefined;
  // the local check asks at every boundary of one run: answer the same question without a key string
  if (last !== null && last.rmap === s.rmap && last.reclaim === s.reclaim && last.lookup === lookup) return last.rules;
  const key = `${s.rmap}\0${s.reclaim}\0${lookup}`;
  let rules = rulesByDesigns.get(key);
  if (rules === undefined) {
    const swap = lookup ? [swapCacheWritable] : [];
    rules = Object.freeze([...CORE_RULES, ...swap, ...(rmapOf(s).rules ?? []), ...(reclaimOf(s).rules ?? [])]);
    rulesByDesigns.set(key, rules);
  }
  last = { rmap: s.rmap, reclaim: s.reclaim, lookup, rules };
  return rules;
}

abstract class BaseView implements CoreView {
  readonly rmap: RmapDesign;
  /**
   * Chains memoised for one check: by pfn in an array for a full check (it asks for every
   * page), in a Map for a local one (a few pages; an array that large per boundary costs more).
   */
  private chains: ChainReport[] | Map<number, ChainReport>;
  private pteList: PteList | null = null;
  constructor(
    readonly s: State,
    private readonly dense: boolean,
  ) {
    this.rmap = rmapOf(s);
    this.chains = this.newChains();
  }
  private newChains(): ChainReport[] | Map<number, ChainReport> {
    return this.dense ? new Array<ChainReport>(this.s.nframes) : new Map();
  }
  chain(pfn: number): ChainReport {
    const m = this.chains;
    if (Array.isArray(m)) {
      let c = m[pfn];
      if (c === undefined) m[pfn] = c = this.rmap.entries(this.s, pfn);
      return c;
    }
    let c = m.get(pfn);
    if (c === undefined) m.set(pfn, (c = this.rmap.entries(this.s, pfn)));
    return c;
  }
  mapsUser(pte: number): boolean {
    const v = this.readPte(pte);
    return pte_present(v) && isUserPage(this.s, pte_pfn(v));
  }
  table(pfn: number): PageTable | undefined {
    return this.s.pts[pfn];
  }
  readPte(pte: number): number {
    const pt = this.table(pte_table_pfn(pte));
    if (pt === undefined) return 0;
    const slot = pte_slot(pte);
    return pt.pte[slot >> 6][slot & 63];
  }
  ptes(): PteList {
    this.pteList ??= listPtes(this.s);
    return this.pteList;
  }
  /** Forget what was memoised (the state changed). */
  invalidate(): void {
    this.chains = this.newChains();
    this.pteList = null;
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
  /** s.pts as an array by pfn, built once per state (a full check looks up a table for every pte it reads). */
  private tables: (PageTable | undefined)[] | null = null;
  override table(pfn: number): PageTable | undefined {
    if (this.tables === null) {
      this.tables = new Array<PageTable | undefined>(this.s.nframes);
      for (const key in this.s.pts) this.tables[Number(key)] = this.s.pts[key];
    }
    return pfn >= 0 && pfn < this.tables.length ? this.tables[pfn] : this.s.pts[pfn];
  }
  override invalidate(): void {
    super.invalidate();
    this.tables = null;
  }
  /** Mappers by pfn (user pages only, so always inside mem_map). */
  private readonly index: (number[] | undefined)[];
  private free: Int32Array | null = null;
  constructor(s: State) {
    super(s, true);
    this.index = new Array<number[] | undefined>(s.nframes);
    const { pte, val, n } = this.ptes();
    for (let i = 0; i < n; i++) if (pte_present(val[i]) && isUserPage(s, pte_pfn(val[i]))) this.add(pte_pfn(val[i]), pte[i]);
  }
  private add(pfn: number, pte: number): void {
    const l = this.index[pfn];
    if (l === undefined) this.index[pfn] = [pte];
    else l.push(pte);
  }
  mappers(pfn: number): readonly number[] {
    return this.index[pfn] ?? [];
  }
  freeBlockOf(pfn: number): number {
    this.free ??= walkBuddy(this.s).freeBlockOf;
    return this.free[pfn];
  }
  /** `pte` is about to change from `old` to `val` (bisect follows the state event by event). */
  update(pte: number, old: number, val: number): void {
    if (pte_present(old) && isUserPage(this.s, pte_pfn(old))) {
      const l = this.index[pte_pfn(old)];
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
  /** mappers() per page: several page rules ask for the same page. */
  private readonly mapped = new Map<number, readonly number[]>();
  /** The touched ptes by the page each maps now (an operation can touch a whole table: never scan them per page). */
  private byPage: Map<number, number[]> | null = null;
  constructor(
    s: State,
    private readonly touched: ReadonlySet<number>,
  ) {
    super(s, false);
  }
  exact(pfn: number): boolean {
    if (!this.rmap.caps.tracksPtes) return false;
    const c = this.chain(pfn);
    if (c.problem !== null || c.ptes.length !== getPage(this.s, pfn).mapcount) return false;
    return c.ptes.every((pte) => {
      const v = this.readPte(pte);
      return pte_present(v) && pte_pfn(v) === pfn;
    });
  }
  mappers(pfn: number): readonly number[] {
    let out = this.mapped.get(pfn);
    if (out === undefined) this.mapped.set(pfn, (out = this.findMappers(pfn)));
    return out;
  }
  private touchedByPage(): Map<number, number[]> {
    if (this.byPage === null) {
      this.byPage = new Map();
      for (const pte of this.touched) {
        const v = this.readPte(pte);
        if (!pte_present(v)) continue;
        const l = this.byPage.get(pte_pfn(v));
        if (l === undefined) this.byPage.set(pte_pfn(v), [pte]);
        else l.push(pte);
      }
    }
    return this.byPage;
  }
  private findMappers(pfn: number): number[] {
    const out = new Set<number>();
    for (const pte of this.chain(pfn).ptes) {
      const v = this.readPte(pte);
      if (pte_present(v) && pte_pfn(v) === pfn) out.add(pte);
    }
    for (const pte of this.touchedByPage().get(pfn) ?? []) out.add(pte);
    return [...out];
  }
  override invalidate(): void {
    super.invalidate();
    this.mapped.clear();
    this.byPage = null;
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

/** Rules sorted by what they judge, for one rule list and one `only` filter. */
interface RuleGroups {
  global: readonly Rule[];
  cheapGlobal: readonly Rule[];
  page: readonly Rule[];
  pte: readonly Rule[];
  table: readonly Rule[];
}

/** Groups by rule list, then by filter (no filter: the key `rules` itself); built once, not at every boundary. */
const groupCache = new WeakMap<readonly Rule[], WeakMap<object, RuleGroups>>();

function groupsOf(rules: readonly Rule[], only?: ReadonlySet<string>): RuleGroups {
  let byOnly = groupCache.get(rules);
  if (byOnly === undefined) groupCache.set(rules, (byOnly = new WeakMap()));
  const key = only ?? rules;
  let g = byOnly.get(key);
  if (g === undefined) {
    const want = rules.filter((r) => only === undefined || only.has(r.name));
    const by = (scope: Rule['scope']): Rule[] => want.filter((r) => r.scope === scope);
    g = {
      global: by('global'),
      cheapGlobal: by('global').filter((r) => r.cheap === true),
      page: by('page'),
      pte: by('pte'),
      table: by('table'),
    };
    byOnly.set(key, g);
  }
  return g;
}

/** Run `rules` (filtered by `only`) over the subjects; page subjects that are not user frames are skipped. */
export function runRules(v: CoreView, rules: readonly Rule[], subjects: Subjects, only?: ReadonlySet<string>): Violation[] {
  const out: Violation[] = [];
  const g = groupsOf(rules, only);
  const global = subjects.global === true ? g.global : subjects.global === 'cheap' ? g.cheapGlobal : [];
  for (const r of global) r.check(v, 0, out);
  const pageRules = g.page;
  if (pageRules.length > 0) {
    for (const pfn of subjects.pages) if (isUserPage(v.s, pfn)) for (const r of pageRules) r.check(v, pfn, out);
  }
  const pteRules = g.pte;
  if (pteRules.length > 0) for (const pte of subjects.ptes) for (const r of pteRules) r.check(v, pte, out);
  const tableRules = g.table;
  if (tableRules.length > 0) for (const pt of subjects.tables) for (const r of tableRules) r.check(v, pt, out);
  return out;
}
