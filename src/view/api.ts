// The viewer's questions about a run log, answered as plain data: what the HTTP routes
// (server.ts) serve and docs/viewer-api.md documents. Every state comes from the Timeline
// (nearest snapshot plus a short replay); nothing here seeks on its own. "At event N" means
// after event N has been applied, as `mmsim seek LOG N` shows it.

import { pte_pfn, pte_present } from '../arch/i386/page.js';
import { formatEvent, OP_KINDS, type Event } from '../events.js';
import { rmapDesign } from '../designs/registry.js';
import { checkPage, pageInfo, summary } from '../timetravel/describe.js';
import { changedPages, diffStates, formatChange, type Change } from '../timetravel/diff.js';
import { history } from '../timetravel/history.js';
import { opOf } from '../timetravel/ops.js';
import { Timeline } from '../timetravel/timeline.js';
import { LogError } from '../log/format.js';
import { BisectJob, type BisectStatus } from './bisect-job.js';
import { frameMap } from './frame-state.js';
import { FRAME_STATES } from './legend.js';

/** A question the log cannot answer as asked (out of range, too wide): HTTP 400. */
export class ViewError extends LogError {}

/** The most events one events, history or step request may scan: it bounds the work per request. */
export const MAX_SPAN = 1_000_000;
/** How far back and forward `around` looks for matching events. */
export const AROUND_SPAN = 20_000;

export interface EventRow {
  index: number;
  /** The kernel path that emitted it (its operation's kind; `mmu` for hardware accesses). */
  path: string;
  event: Event;
  text: string;
}

/** Events whose own fields name a page, a pte or an mm (all given filters must hold). */
export interface EventFilter {
  types?: ReadonlySet<string>;
  page?: number;
  pte?: number;
  mm?: number;
}

export class ViewApi {
  readonly nframes: number;
  private freeCache: { samples: number; events: number[]; free: number[] } | null = null;
  private bisectJob: BisectJob | null = null;
  private readonly ptOrder: number;

  constructor(
    readonly tl: Timeline,
    readonly logName: string,
  ) {
    this.nframes = tl.at(0).nframes;
    this.ptOrder = rmapDesign(tl.config.rmap).caps.ptOrder;
  }

  info() {
    const c = this.tl.config as unknown as Record<string, unknown> & { scenario: { name: string } };
    return {
      log: this.logName,
      events: this.tl.events,
      frames: this.nframes,
      scenario: c.scenario.name,
      seed: c.seed,
      reclaim: c.reclaim,
      rmap: c.rmap,
      snapshots: this.tl.points.length - 1,
      inject: this.tl.log.header.inject ?? null,
      states: FRAME_STATES,
    };
  }

  /** One byte per frame (the legend's codes), the clock hand and free pages, after event `n`. */
  frames(n: number): { event: number; hand: number; free: number; states: Uint8Array } {
    this.tl.checkEvent(n);
    const s = this.tl.at(n + 1);
    const sum = summary(s);
    return { event: n, hand: sum.clockHand, free: sum.free, states: frameMap(s) };
  }

  /** A page and its reverse-map chain walked link by link: the `page` of `mmsim seek LOG N --page P --json`. */
  page(n: number, pfn: number) {
    this.tl.checkEvent(n);
    const s = this.tl.at(n + 1);
    return { event: n, page: pageInfo(s, pfn), summary: summary(s) };
  }

  /** Events in [from, to) that touched the page (as `mmsim history --page`). */
  history(pfn: number, from: number, to: number) {
    checkPage(this.tl.at(0), pfn);
    [from, to] = this.span(from, to);
    const rows = history(this.tl, { page: pfn }, from, to).map((t) => ({
      index: t.index,
      path: t.path,
      event: t.event,
      text: formatEvent(t.event),
    }));
    return { page: pfn, from, to, events: rows };
  }

  /** Matching events in [from, to), at most `limit`; `next` is where to go on when cut short. */
  events(from: number, to: number, f: EventFilter, limit: number) {
    [from, to] = this.span(from, to);
    const rows: EventRow[] = [];
    let next: number | null = null;
    for (const row of this.scan(from, to, f)) {
      if (rows.length === limit) {
        next = row.index;
        break;
      }
      rows.push(row);
    }
    return { from, to, events: rows, next };
  }

  /** The `count` matching events at or before `n` and the `count` after it, looking at most AROUND_SPAN events each way. */
  around(n: number, f: EventFilter, count: number) {
    this.tl.checkEvent(n);
    const before: EventRow[] = [];
    for (const row of this.scan(Math.max(0, n + 1 - AROUND_SPAN), n + 1, f)) {
      before.push(row);
      if (before.length > count) before.shift();
    }
    const after: EventRow[] = [];
    for (const row of this.scan(n + 1, Math.min(this.tl.events, n + 1 + AROUND_SPAN), f)) {
      if (after.length === count) break;
      after.push(row);
    }
    return { event: n, events: [...before, ...after] };
  }

  /** The next (dir 1) or previous (dir -1) operation's first event from `n`, or null at the ends. */
  stepOp(n: number, dir: 1 | -1): { event: number | null } {
    this.tl.checkEvent(n);
    if (dir === 1) {
      for (const [i, e] of this.tl.range(n + 1, Math.min(this.tl.events, n + 1 + MAX_SPAN))) if (e.t === 'op') return { event: i };
      return { event: null };
    }
    for (let j = n - 1; j >= Math.max(0, n - MAX_SPAN); j--) if (this.tl.event(j).t === 'op') return { event: j };
    return { event: null };
  }

  /** What changed from after event `a` to after event `b`: at most `limit` changes, and every frame whose page changed. */
  diff(a: number, b: number, limit: number) {
    this.tl.checkEvent(a, 'a');
    this.tl.checkEvent(b, 'b');
    const sa = this.tl.copyAt(a + 1);
    const sb = this.tl.at(b + 1);
    const changes = diffStates(sa, sb, limit + 1);
    const rows = changes.slice(0, limit).map((c: Change) => ({ ...c, text: formatChange(c) }));
    return { a, b, changes: rows, truncated: changes.length > limit, frames: changedPages(sa, sb) };
  }

  /** Free pages after `samples` events spread evenly over the run (first and last included); one forward pass, cached. */
  free(samples: number) {
    if (this.freeCache?.samples === samples) return this.freeCache;
    const last = this.tl.events - 1;
    const k = Math.max(1, Math.min(samples, this.tl.events));
    const events: number[] = [];
    for (let i = 0; i < k; i++) {
      const e = k === 1 ? last : Math.round((i * last) / (k - 1));
      if (events[events.length - 1] !== e) events.push(e);
    }
    // a timeline of its own over the same log, so this forward pass leaves the viewer's position where it was
    const pass = new Timeline(this.tl.log);
    const free = events.map((e) => summary(pass.at(e + 1)).free);
    this.freeCache = { samples, events, free };
    return this.freeCache;
  }

  /** `mmsim bisect` in a worker started with the viewer: `running` until it has answered. */
  bisect(): BisectStatus {
    this.bisectJob ??= new BisectJob(this.tl.log.path);
    return this.bisectJob.status;
  }

  /** Starts the bisect now (the server does, so the answer is ready when the page asks) and resolves with its answer. */
  bisectDone(): Promise<BisectStatus> {
    this.bisect();
    return this.bisectJob!.done;
  }

  close(): Promise<number> | undefined {
    return this.bisectJob?.stop();
  }

  private span(from: number, to: number): [number, number] {
    to = Math.min(to, this.tl.events);
    if (!Number.isInteger(from) || from < 0 || from >= this.tl.events)
      throw new ViewError(`from ${from} is out of range: events are numbered 0..${this.tl.events - 1}`);
    if (!Number.isInteger(to) || to <= from) throw new ViewError(`to ${to} is out of range: ${from + 1}..${this.tl.events}`);
    if (to - from > MAX_SPAN) throw new ViewError(`from ${from} to ${to} spans ${to - from} events: at most ${MAX_SPAN} per request`);
    return [from, to];
  }

  /** Matching events of [from, to) with the kernel path of each. */
  private *scan(from: number, to: number, f: EventFilter): Generator<EventRow> {
    if (from >= to) return;
    let kind = opOf(this.tl, from).kind;
    for (const [i, e] of this.tl.range(from, to)) {
      if (e.t === 'op') kind = OP_KINDS[e.kind] ?? String(e.kind);
      if (!this.matches(e, f)) continue;
      yield { index: i, path: e.t === 'hw_access' ? 'mmu' : kind, event: e, text: formatEvent(e) };
    }
  }

  private matches(e: Event, f: EventFilter): boolean {
    const r = e as unknown as Record<string, number>;
    if (f.types !== undefined && !f.types.has(e.t)) return false;
    if (f.mm !== undefined && r.mm !== f.mm) return false;
    if (f.pte !== undefined && r.pte !== f.pte) return false;
    return f.page === undefined || this.namesPage(e, f.page);
  }

  /** The event's own fields name frame P: its pfn, a block or page table holding it, a pte value mapping it. */
  private namesPage(e: Event, P: number): boolean {
    switch (e.t) {
      case 'page_alloc':
      case 'page_free':
        return P >= e.pfn && P < e.pfn + (1 << e.order);
      case 'pt_alloc':
      case 'pt_free':
        return P >= e.pfn && P < e.pfn + (1 << this.ptOrder);
      case 'mm_create':
        return e.pgd === P;
      case 'page_copy':
        return e.from === P || e.to === P;
      case 'pte_set':
        return pte_present(e.val) && pte_pfn(e.val) === P;
      default:
        return (e as unknown as Record<string, number>).pfn === P;
    }
  }
}
