// The viewer page: wires the timeline, the frame map and the panels to the JSON API. The
// frame map follows the slider through the SeekScheduler; the panels follow once the
// position has settled, and an answer that arrives after the position moved on is dropped.

import { CHANGED_COLOR, CLOCK_HAND_COLOR, FRAME_STATES } from '../legend.js';
import { FreeChart } from './chart.js';
import { api, type FramesAnswer, type Filters, type HistoryAnswer, type Info } from './client.js';
import { FrameMap } from './frame-map.js';
import { el, renderDiff, renderEvents, renderPage } from './panels.js';
import { SeekScheduler } from './seek.js';
import { formatViewState, parseViewState, type ViewState } from './url-state.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const HISTORY_WINDOW = 25_000;
const SETTLE_MS = 80;
const BISECT_POLL_MS = 500;

/** What tests and scripts can read: the event shown, the map's geometry, requests made. */
interface ViewHook {
  shown: number;
  requests: () => number;
  centre: (pfn: number) => { x: number; y: number };
}
declare global {
  interface Window {
    mmsimView?: ViewHook;
  }
}

class Viewer {
  private readonly map: FrameMap;
  private readonly chart: FreeChart;
  private readonly seeker: SeekScheduler;
  private frames: FramesAnswer | null = null;
  private changed: number[] = [];
  private historyCache: HistoryAnswer | null = null;
  private settle = 0;
  /** Bumped on every settled position: panel answers for an older one are dropped. */
  private generation = 0;

  constructor(
    private readonly info: Info,
    private readonly st: ViewState,
  ) {
    this.map = new FrameMap($('map'), info.frames, 640);
    // the timeline column is as wide as the map: the chart's samples are its pixels
    const width = $<HTMLCanvasElement>('map').width;
    $<HTMLCanvasElement>('chart').width = width;
    $('left').style.width = `${width}px`;
    this.chart = new FreeChart($('chart'), info.events);
    this.seeker = new SeekScheduler(
      (n) => this.load(n),
      (cb) => requestAnimationFrame(cb),
      (err) => this.status(String(err)),
    );
    window.mmsimView = { shown: -1, requests: () => this.seeker.requests, centre: (p) => this.map.centre(p) };
  }

  start(): void {
    const { info } = this;
    $('title').textContent =
      `${info.log}: ${info.scenario}, seed ${info.seed}, ${info.reclaim}/${info.rmap}; ${info.events} events, ${info.frames} frames`;
    const slider = $<HTMLInputElement>('slider');
    slider.max = String(info.events - 1);
    $<HTMLInputElement>('event').max = String(info.events - 1);
    $('of').textContent = `of 0..${info.events - 1}`;
    $('legend').replaceChildren(
      ...FRAME_STATES.map((s) => {
        const item = el('span');
        const sw = el('span', '', 'sw');
        sw.style.background = s.color;
        item.append(sw, s.label);
        return item;
      }),
      this.swatch(CLOCK_HAND_COLOR, 'clock hand (outline)'),
      this.swatch(CHANGED_COLOR, 'changed since A (outline)'),
    );
    slider.addEventListener('input', () => this.go(Number(slider.value)));
    $<HTMLInputElement>('event').addEventListener('change', (e) => this.go(Number((e.target as HTMLInputElement).value)));
    // arrow keys step by event, with shift by operation (not while typing in a box)
    document.addEventListener('keydown', (e) => {
      if (e.target instanceof HTMLInputElement && e.target.type !== 'range') return;
      if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
      e.preventDefault();
      const dir = e.key === 'ArrowRight' ? 1 : -1;
      if (e.shiftKey) void this.stepOp(dir === 1 ? 'next' : 'prev');
      else this.go(this.st.event + dir);
    });
    $('prev').addEventListener('click', () => this.go(this.st.event - 1));
    $('next').addEventListener('click', () => this.go(this.st.event + 1));
    $('prev-op').addEventListener('click', () => this.stepOp('prev'));
    $('next-op').addEventListener('click', () => this.stepOp('next'));
    $('chart').addEventListener('click', (e) => this.go(this.chart.eventAt(e.clientX)));
    $('map').addEventListener('click', (e) => {
      const pfn = this.map.frameAt(e.clientX, e.clientY);
      if (pfn !== null) this.selectPage(pfn);
    });
    $('mark').addEventListener('click', () => {
      this.st.a = this.st.event;
      this.refreshPanels();
    });
    $('unmark').addEventListener('click', () => {
      this.st.a = null;
      this.changed = [];
      this.refreshPanels();
    });
    for (const k of ['type', 'page', 'pte', 'mm'] as (keyof Filters)[]) {
      const input = $<HTMLInputElement>(`f-${k}`);
      input.value = this.st.filters[k];
      input.addEventListener('change', () => {
        this.st.filters[k] = input.value.trim();
        this.refreshPanels();
      });
    }
    void this.watchBisect();
    this.go(this.st.event);
  }

  private swatch(color: string, label: string): HTMLElement {
    const item = el('span');
    const sw = el('span', '', 'sw');
    sw.style.border = `2px solid ${color}`;
    item.append(sw, label);
    return item;
  }

  go(n: number): void {
    n = Math.max(0, Math.min(this.info.events - 1, Math.round(n)));
    if (!Number.isFinite(n)) return;
    this.st.event = n;
    $<HTMLInputElement>('slider').value = String(n);
    $<HTMLInputElement>('event').value = String(n);
    this.chart.draw(n);
    this.seeker.seek(n);
  }

  private async stepOp(dir: 'next' | 'prev'): Promise<void> {
    const r = await api.step(this.st.event, dir);
    if (r.event !== null) this.go(r.event);
  }

  private selectPage(pfn: number): void {
    this.st.page = pfn;
    this.redraw();
    this.refreshPanels();
  }

  private async load(n: number): Promise<void> {
    const first = this.frames === null;
    this.frames = await api.frames(n);
    this.redraw();
    // the chart replays the whole run on the server: asked for after the first map, not before it
    if (first)
      void api.free($<HTMLCanvasElement>('chart').width).then((d) => {
        this.chart.set(d);
        this.chart.draw(this.st.event);
      });
    this.status(`after event ${n}: ${this.frames.free} free of ${this.info.frames} frames, clock hand at page ${this.frames.hand}`);
    window.clearTimeout(this.settle);
    this.settle = window.setTimeout(() => this.refreshPanels(), SETTLE_MS);
  }

  private redraw(): void {
    const f = this.frames;
    if (f === null) return;
    this.map.draw(f.states, f.hand, this.st.page, this.st.a !== null ? this.changed : []);
    if (window.mmsimView) window.mmsimView.shown = f.event;
    document.body.dataset.event = String(f.event);
  }

  private status(text: string): void {
    $('status').textContent = text;
  }

  /** Page, history, events and diff for the settled position; the URL follows. */
  private refreshPanels(): void {
    const gen = ++this.generation;
    const n = this.st.event;
    const fresh = () => gen === this.generation;
    history.replaceState(null, '', formatViewState(this.st));
    const go = (i: number) => this.go(i);
    if (this.st.page !== null) {
      const pfn = this.st.page;
      api.page(n, pfn).then(
        (a) => fresh() && renderPage($('page'), a, (pte) => this.filterPte(pte)),
        (err) => fresh() && ($('page').textContent = String(err)),
      );
      this.refreshHistory(pfn, n, fresh);
    }
    api.around(n, this.st.filters, 30).then(
      (r) => fresh() && renderEvents($('events'), r.events, n, go, 'no event matches these filters near here'),
      (err) => fresh() && ($('events').textContent = String(err)),
    );
    if (this.st.a !== null) {
      api.diff(this.st.a, n).then(
        (d) => {
          if (!fresh()) return;
          renderDiff($('diff-head'), $('diff'), d);
          this.changed = d.frames;
          this.redraw();
        },
        (err) => fresh() && ($('diff').textContent = String(err)),
      );
    } else {
      $('diff-head').textContent = 'mark an event as A, then move: the changes from A to here';
      $('diff').replaceChildren();
    }
  }

  /**
   * A page's history replays its window of the log on the server (seconds on a 1 GB
   * machine), so a window is kept while the position stays well inside it.
   */
  private refreshHistory(pfn: number, n: number, fresh: () => boolean): void {
    const go = (i: number) => this.go(i);
    const h = this.historyCache;
    const margin = HISTORY_WINDOW / 5;
    const inside = (x: number, lo: number, hi: number) => x >= lo && x < hi;
    if (h !== null && h.page === pfn && inside(n, h.from === 0 ? 0 : h.from + margin, h.to === this.info.events ? h.to : h.to - margin)) {
      renderEvents($('history'), h.events, n, go, `nothing touched page ${pfn} in events ${h.from}..${h.to - 1}`);
      return;
    }
    const from = Math.max(0, n - HISTORY_WINDOW),
      to = Math.min(this.info.events, n + HISTORY_WINDOW);
    api.history(pfn, from, to).then(
      (a) => {
        this.historyCache = a;
        if (fresh()) renderEvents($('history'), a.events, n, go, `nothing touched page ${pfn} in events ${from}..${to - 1}`);
      },
      (err) => fresh() && ($('history').textContent = String(err)),
    );
  }

  private filterPte(pte: number): void {
    this.st.filters.pte = '0x' + pte.toString(16);
    $<HTMLInputElement>('f-pte').value = this.st.filters.pte;
    this.refreshPanels();
  }

  /** The server checks the log in the background: the bisect button appears once it has found a broken invariant. */
  private async watchBisect(): Promise<void> {
    const out = $('bisect-status');
    out.textContent = 'checking invariants…';
    let r = await api.bisect();
    while (r.state === 'running') {
      await new Promise((w) => setTimeout(w, BISECT_POLL_MS));
      r = await api.bisect();
    }
    if (r.state === 'failed') {
      out.textContent = `invariant check failed: ${r.error}`;
      return;
    }
    if (r.ok) {
      out.textContent = `invariants hold at every operation of the ${r.events} events`;
      return;
    }
    out.className = 'bad';
    out.textContent = `broken at event ${r.event}: ${r.text}`;
    const button = $<HTMLButtonElement>('bisect');
    button.hidden = false;
    button.addEventListener('click', () => {
      if (r.violation.page !== undefined) this.st.page = r.violation.page;
      this.go(r.event);
      this.redraw();
      this.refreshPanels();
    });
  }
}

api.info().then(
  (info) => new Viewer(info, parseViewState(location.search, info.events, info.frames)).start(),
  (err) => {
    document.body.textContent = `mmsim view: ${String(err)}`;
  },
);
