// The time-travel debugger's engine: a cursor on a timeline and commands that move it or
// print the machine. `exec` takes one command line and returns the lines to print, so the
// terminal front end (src/cli/debug.ts) is a thin readline loop and tests drive it
// directly or through stdin.

import { pte_pfn, pte_present } from '../arch/i386/page.js';
import { readPte } from '../arch/i386/pgtable.js';
import { INVARIANTS } from '../check/invariants.js';
import { StreamChecker } from '../check/run.js';
import { copyState } from '../snapshot/clone.js';
import { formatViolation } from '../check/violation.js';
import { EVENT_FIELDS, formatEvent, type Event, type EventType } from '../events.js';
import { getPage, type State } from '../state.js';
import { apply as applyEvent, ReducerError } from '../reducer/index.js';
import { LogError } from '../log/format.js';
import {
  checkMm,
  checkPage,
  checkPte,
  formatMm,
  formatPage,
  formatPte,
  formatSummary,
  hex,
  mmInfo,
  pageInfo,
  pteInfo,
  summary,
} from './describe.js';
import { pathOf } from './ops.js';
import { SeekRangeError, type Timeline } from './timeline.js';

type Break =
  | { kind: 'field'; field: 'mapcount' | 'count'; page: number; op: string; value: number }
  | { kind: 'event'; type: EventType; page?: number }
  | { kind: 'invariant'; name?: string };

type Watch = { page: number } | { pte: number } | { mm: number };

const OPS: Record<string, (a: number, b: number) => boolean> = {
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
};

export class DebugError extends Error {}

const num = (v: string | undefined, what: string): number => {
  if (v === undefined || !/^(0x[0-9a-f]+|\d+)$/i.test(v))
    throw new DebugError(`${what} '${v ?? ''}' is not allowed: write a whole number from 0 up, decimal or 0x-hex`);
  return Number(v);
};

export const DEBUG_HELP = [
  'step [n]                 apply the next n events (default 1)',
  'back [n]                 undo the last n events (default 1)',
  'goto N                   go to just after event N',
  'next TYPE [page P]       forward to the next event of TYPE (on page P)',
  'prev TYPE [page P]       back to the previous event of TYPE (on page P)',
  'continue | c             forward until a breakpoint fires (or the end)',
  'break mapcount|count P OP V   e.g. break mapcount 600 >= 3',
  'break event TYPE [page P]     stop after an event of TYPE (touching page P)',
  'break invariant [NAME]        stop at the operation boundary where an invariant fails (as mmsim check finds it)',
  'breaks | delete N        list breakpoints / delete one',
  'watch page P | pte A | mm M   print it whenever it changes',
  'print summary | event | page P | chain P | pte A | mm M',
  'where                    the current position',
  'quit',
];

export class Debugger {
  /** Events applied so far (0 = the initial state). */
  pos = 0;
  readonly breaks: Break[] = [];
  readonly watches: Watch[] = [];
  done = false;

  constructor(readonly tl: Timeline) {}

  private get s(): State {
    return this.tl.at(this.pos);
  }

  where(): string {
    if (this.pos === 0) return `at the start (no events applied; ${this.tl.events} events in the log)`;
    const i = this.pos - 1;
    return `after event ${i} [${pathOf(this.tl, i)}] ${formatEvent(this.tl.event(i))}`;
  }

  private watchView(s: State, w: Watch): string {
    if ('page' in w) {
      const p = getPage(s, w.page);
      return `page ${w.page}: count ${p.count}, map count ${p.mapcount}, chain head ${p.rmap ? hex(p.rmap) : 'NULL'}`;
    }
    if ('pte' in w) return s.pts[Math.floor(w.pte / 4096)] ? formatPte(pteInfo(s, w.pte)) : `pte ${hex(w.pte)}: no page table`;
    const m = s.mms[w.mm];
    return m
      ? `mm ${w.mm}: rss ${m.rss}, ${m.vmas.length} vma(s), ${Object.keys(m.pgdir).length} page table(s)`
      : `mm ${w.mm}: does not exist`;
  }

  private touches(s: State, e: Event, page: number): boolean {
    const r = e as unknown as Record<string, number>;
    if (r.pfn === page) return true;
    if (e.t === 'pte_set' && pte_present(e.val) && pte_pfn(e.val) === page) return true;
    if ('pte' in r) {
      const v = readPte(s, r.pte);
      return pte_present(v) && pte_pfn(v) === page;
    }
    return false;
  }

  /** Move to `target` one event at a time, stopping early when `stop` says so; prints watch changes. */
  private run(target: number, out: string[], stop?: (s: State) => string | null): boolean {
    const dir = target >= this.pos ? 1 : -1;
    if (dir < 0) {
      const before = this.watches.map((w) => this.watchView(this.s, w));
      this.pos = target;
      this.watches.forEach((w, k) => {
        const now = this.watchView(this.s, w);
        if (now !== before[k]) out.push(`watch: ${now}`);
      });
      return false;
    }
    // Invariant breakpoints run the checker `mmsim check` uses: the local checks at every
    // operation boundary and the full check every 256 operations, on its own copy.
    const inv = this.breaks.filter((b): b is Extract<Break, { kind: 'invariant' }> => b.kind === 'invariant');
    const only = inv.length === 0 || inv.some((b) => b.name === undefined) ? undefined : new Set(inv.map((b) => b.name as string));
    const checker = stop && inv.length > 0 ? new StreamChecker(copyState(this.s), { only, engine: this.tl.engine }) : null;
    // States on the way are read directly; only the last STEP_WINDOW before the target are
    // kept as Immer values (one produce per event costs ~100x a direct step: `continue`
    // over a whole log must not pay it for states nobody steps back to).
    const window = this.tl.windowSize;
    const at = (pos: number): State => this.tl.at(pos, { keep: window > 0 && target - pos < window });
    while (this.pos < target) {
      const s = at(this.pos);
      const e = this.tl.event(this.pos);
      if (checker !== null && !checker.step(e)) {
        const v = checker.failure!.violations;
        const k = this.breaks.findIndex((b) => b.kind === 'invariant' && (b.name === undefined || v.some((x) => x.invariant === b.name)));
        out.push(
          `breakpoint ${k}: invariant failed at the operation boundary after event ${this.pos - 1}:\n  ${v.slice(0, 5).map(formatViolation).join('\n  ')}`,
        );
        return true;
      }
      const pre = stop ? e : null;
      const watched = this.watches.map((w) => this.watchView(s, w));
      const touched =
        pre && this.breaks.some((b) => b.kind === 'event' && b.page !== undefined)
          ? new Set(
              this.breaks
                .filter((b) => b.kind === 'event' && b.page !== undefined && this.touches(s, e, (b as { page: number }).page))
                .map((b) => this.breaks.indexOf(b)),
            )
          : new Set<number>();
      this.pos++;
      const after = at(this.pos);
      this.watches.forEach((w, k) => {
        const now = this.watchView(after, w);
        if (now !== watched[k]) out.push(`watch (event ${this.pos - 1} ${formatEvent(e)}): ${now}`);
      });
      if (stop) {
        const why = stop(after);
        const hit = this.breaks.findIndex((b, k) => b.kind === 'event' && b.type === e.t && (b.page === undefined || touched.has(k)));
        if (why !== null) {
          out.push(why);
          return true;
        }
        if (hit >= 0) {
          out.push(
            `breakpoint ${hit}: ${e.t}${(this.breaks[hit] as { page?: number }).page !== undefined ? ` on page ${(this.breaks[hit] as { page: number }).page}` : ''}`,
          );
          return true;
        }
      }
    }
    return false;
  }

  private fieldStop = (s: State): string | null => {
    for (const [k, b] of this.breaks.entries()) {
      if (b.kind !== 'field') continue;
      const v = getPage(s, b.page)[b.field];
      if (OPS[b.op](v, b.value)) return `breakpoint ${k}: page ${b.page} ${b.field} is ${v} (${b.op} ${b.value})`;
    }
    return null;
  };

  /**
   * Events a command will read, for its progress line: goto's distance (forwards from here,
   * or from the snapshot before its target); null for a search (next, prev, continue) or a
   * command that reads little.
   */
  readCost(line: string): number | null {
    const [cmd, arg] = line.trim().split(/\s+/);
    if (cmd !== 'goto' && cmd !== 'g') return null;
    const n = Number(arg);
    if (!Number.isSafeInteger(n) || n < 0 || n >= this.tl.events) return null;
    return n + 1 >= this.pos ? n + 1 - this.pos : this.tl.replayCost(n + 1);
  }

  exec(line: string): string[] {
    const out: string[] = [];
    const [cmd, ...a] = line.trim().split(/\s+/);
    try {
      switch (cmd) {
        case '':
        case undefined:
          break;
        case 'help':
          out.push(...DEBUG_HELP);
          break;
        case 'quit':
        case 'q':
        case 'exit':
          this.done = true;
          break;
        case 'where':
          out.push(this.where());
          break;
        case 'step':
        case 's': {
          const n = a[0] ? num(a[0], 'step count') : 1;
          this.run(Math.min(this.tl.events, this.pos + n), out);
          out.push(this.where());
          break;
        }
        case 'back':
        case 'b': {
          const n = a[0] ? num(a[0], 'back count') : 1;
          this.run(Math.max(0, this.pos - n), out);
          out.push(this.where());
          break;
        }
        case 'goto':
        case 'g': {
          const n = num(a[0], 'event');
          this.tl.checkEvent(n);
          this.run(n + 1, out);
          out.push(this.where());
          break;
        }
        case 'next':
        case 'prev': {
          const type = a[0] as EventType;
          if (!(type in EVENT_FIELDS))
            throw new DebugError(`'${a[0] ?? ''}' is not an event type: one of ${Object.keys(EVENT_FIELDS).join(', ')}`);
          const page = a[1] === 'page' ? num(a[2], 'page') : undefined;
          if (page !== undefined) checkPage(this.s, page);
          const found = cmd === 'next' ? this.findForward(type, page) : this.findBackward(type, page);
          if (found < 0) out.push(`no ${cmd === 'next' ? 'later' : 'earlier'} ${type}${page !== undefined ? ` on page ${page}` : ''}`);
          else this.run(found + 1, out);
          out.push(this.where());
          break;
        }
        case 'continue':
        case 'c': {
          const hit = this.run(this.tl.events, out, (s) => this.fieldStop(s));
          if (!hit) out.push('reached the end of the log');
          out.push(this.where());
          break;
        }
        case 'break':
          out.push(this.addBreak(a));
          break;
        case 'breaks':
          for (const [k, b] of this.breaks.entries()) out.push(`${k}: ${JSON.stringify(b)}`);
          if (!this.breaks.length) out.push('no breakpoints');
          break;
        case 'delete': {
          const k = num(a[0], 'breakpoint');
          if (k >= this.breaks.length) throw new DebugError(`breakpoint ${k} does not exist: 0..${this.breaks.length - 1}`);
          this.breaks.splice(k, 1);
          out.push(`deleted breakpoint ${k}`);
          break;
        }
        case 'watch': {
          const v = num(a[1], a[0] ?? 'target');
          if (a[0] === 'page') {
            checkPage(this.s, v);
            this.watches.push({ page: v });
          } else if (a[0] === 'pte') this.watches.push({ pte: v });
          else if (a[0] === 'mm') this.watches.push({ mm: v });
          else throw new DebugError(`watch what? 'watch page P', 'watch pte A' or 'watch mm M'`);
          out.push(`watching ${a[0]} ${a[1]}: ${this.watchView(this.s, this.watches[this.watches.length - 1])}`);
          break;
        }
        case 'print':
        case 'p':
          out.push(...this.print(a));
          break;
        default:
          throw new DebugError(`unknown command '${cmd}' (try 'help')`);
      }
    } catch (err) {
      // a malformed log ends the session (exit 2); a command's own mistake is reported and the session goes on
      if (err instanceof ReducerError)
        throw new LogError(`${this.tl.log.path}: a logged event cannot be applied: ${err.message} (the log is malformed)`);
      if (err instanceof LogError && !(err instanceof SeekRangeError)) throw err;
      if (err instanceof Error && !(err instanceof TypeError) && !(err instanceof ReferenceError)) out.push(`error: ${err.message}`);
      else throw err;
    }
    return out;
  }

  private findForward(type: EventType, page?: number): number {
    const s = this.tl.copyAt(this.pos);
    for (const [i, e] of this.tl.range(this.pos, this.tl.events)) {
      if (e.t === type && (page === undefined || this.touches(s, e, page))) return i;
      if (page !== undefined) applyEvent(s, e);
    }
    return -1;
  }

  private findBackward(type: EventType, page?: number): number {
    for (let i = this.pos - 2; i >= 0; i--) {
      const e = this.tl.event(i);
      if (e.t !== type) continue;
      // touches() only reads: the timeline's own state will do, no copy per event looked at
      if (page === undefined || this.touches(this.tl.at(i), e, page)) return i;
    }
    return -1;
  }

  private addBreak(a: string[]): string {
    let b: Break;
    if (a[0] === 'mapcount' || a[0] === 'count') {
      const page = num(a[1], 'page');
      checkPage(this.s, page);
      if (!(a[2] in OPS)) throw new DebugError(`'${a[2] ?? ''}' is not a comparison: one of ${Object.keys(OPS).join(' ')}`);
      b = { kind: 'field', field: a[0], page, op: a[2], value: num(a[3], 'value') };
    } else if (a[0] === 'event') {
      if (!(a[1] in EVENT_FIELDS))
        throw new DebugError(`'${a[1] ?? ''}' is not an event type: one of ${Object.keys(EVENT_FIELDS).join(', ')}`);
      const page = a[2] === 'page' ? num(a[3], 'page') : undefined;
      if (page !== undefined) checkPage(this.s, page);
      b = { kind: 'event', type: a[1] as EventType, page };
    } else if (a[0] === 'invariant') {
      if (a[1] !== undefined && !(a[1] in INVARIANTS))
        throw new DebugError(`'${a[1]}' is not an invariant: one of ${Object.keys(INVARIANTS).join(', ')}`);
      b = { kind: 'invariant', name: a[1] };
    } else throw new DebugError(`break on what? 'break mapcount P >= V', 'break event TYPE [page P]' or 'break invariant [NAME]'`);
    this.breaks.push(b);
    return `breakpoint ${this.breaks.length - 1}: ${JSON.stringify(b)}`;
  }

  private print(a: string[]): string[] {
    const s = this.s;
    switch (a[0]) {
      case undefined:
      case 'summary':
        return formatSummary(summary(s)).split('\n');
      case 'event':
        return [this.where()];
      case 'page':
      case 'chain':
        return formatPage(pageInfo(s, num(a[1], 'page'))).split('\n');
      case 'pte': {
        const p = num(a[1], 'pte');
        checkPte(s, p);
        return [formatPte(pteInfo(s, p))];
      }
      case 'mm': {
        const m = num(a[1], 'mm');
        checkMm(s, m);
        return formatMm(mmInfo(s, m)).split('\n');
      }
      default:
        throw new DebugError(`print what? summary, event, page P, chain P, pte A or mm M`);
    }
  }
}
