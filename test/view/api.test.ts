// The viewer's JSON API without a browser: ViewApi's answers against the timeline and the
// seek command, then the same over HTTP (binary frame map, errors as 400 with a message).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, record, timeline } from '../helpers.js';
import { ViewApi, MAX_SPAN } from '../../src/view/api.js';
import { frameMap } from '../../src/view/frame-state.js';
import { startViewServer, type ViewServer } from '../../src/view/server.js';
import { getPage } from '../../src/state.js';
import { PG_reserved } from '../../src/include/page-flags.js';
import { summary } from '../../src/timetravel/describe.js';

const bug = record({ events: 20000, every: 8192, inject: 'cow-no-unlink@0.05' });
const at = bug.injected[0];

describe('ViewApi', () => {
  const tl = timeline(bug.path);
  const api = new ViewApi(tl, bug.path);

  it('frames(n) is the frame map after event n, with the clock hand and free pages', () => {
    const f = api.frames(at);
    const s = timeline(bug.path).at(at + 1);
    expect(f.states).toEqual(frameMap(s));
    expect(f.states.length).toBe(2048);
    expect(f.free).toBe(s.nrFree);
    expect(f.hand).toBe(summary(s).clockHand);
    expect(() => api.frames(tl.events)).toThrow(/out of range: this log has 20\d\d\d events, numbered 0\.\.\d+/);
  });

  afterAll(() => api.close());

  it("page(n, P) is seek --json's page: the chain link by link", async () => {
    const vs = await api.bisectDone();
    if (vs.state !== 'done' || vs.ok) throw new Error(`bisect found nothing: ${JSON.stringify(vs)}`);
    expect(vs.event).toBe(at);
    const P = vs.violation.page!;
    const seek = JSON.parse((await cli(['seek', bug.path, String(at), '--page', String(P), '--json'])).stdout);
    expect(api.page(at, P).page).toEqual(seek.page);
    expect(seek.page.chain.some((c: { maps: number }) => c.maps !== P)).toBe(true); // the injected bad link is there
    expect(() => api.page(at, 2048)).toThrow(/page 2048 is out of range: .* numbered 0\.\.2047/);
  });

  it('events filter by type, page, pte and mm; around gives both sides; next marks a cut', () => {
    const all = api.events(0, 2000, {}, 10000).events;
    expect(all.map((r) => r.index)).toEqual([...Array(2000).keys()]);
    const sets = api.events(0, 2000, { types: new Set(['pte_set']) }, 10000).events;
    expect(sets.length).toBe(all.filter((r) => r.event.t === 'pte_set').length);
    expect(sets.length).toBeGreaterThan(0);
    const pte = (sets[0].event as { pte: number }).pte;
    expect(api.events(0, 2000, { pte }, 10000).events.every((r) => (r.event as { pte?: number }).pte === pte)).toBe(true);
    const mm1 = api.events(0, 2000, { mm: 1 }, 10000).events;
    expect(mm1.length).toBeGreaterThan(0);
    expect(mm1.every((r) => (r.event as { mm?: number }).mm === 1)).toBe(true);
    const cut = api.events(0, 2000, {}, 10);
    expect(cut.events.length).toBe(10);
    expect(cut.next).toBe(10);
    const ar = api.around(at, { types: new Set(['pte_set']) }, 3).events.map((r) => r.index);
    expect(ar.length).toBe(6);
    expect(ar.filter((i) => i <= at).length).toBe(3);
    expect(ar).toContain(at); // the injected event is a pte_set
    expect(() => api.events(0, MAX_SPAN + 1, {}, 1)).not.toThrow(); // clamped to the log's end
    expect(() => api.events(5, 5, {}, 1)).toThrow(/to 5 is out of range: 6\.\./);
  });

  it('a page filter finds the events that name the page, the pte_set that maps it included', async () => {
    const P = ((await api.bisectDone()) as { violation: { page: number } }).violation.page;
    const rows = api.events(0, at + 1, { page: P }, 10000).events;
    const hist = api.history(P, 0, at + 1).events.map((r) => r.index);
    // every event naming the page is in its history (history also has events that changed it without naming it)
    for (const r of rows) expect(hist).toContain(r.index);
    expect(rows.some((r) => r.event.t === 'pte_set')).toBe(true);
  });

  it('stepOp goes to the neighbouring op events', () => {
    const next = api.stepOp(at, 1).event!;
    const prev = api.stepOp(at, -1).event!;
    expect(tl.event(next).t).toBe('op');
    expect(tl.event(prev).t).toBe('op');
    expect(prev).toBeLessThan(at);
    expect(next).toBeGreaterThan(at);
    for (const [i, e] of tl.range(prev + 1, next)) expect(e.t, `event ${i}`).not.toBe('op');
    expect(api.stepOp(0, -1).event).toBe(null);
  });

  it('diff lists the changes and every frame whose struct page changed', () => {
    const d = api.diff(at - 200, at, 100000);
    expect(d.truncated).toBe(false);
    const fromChanges = [...new Set(d.changes.filter((c) => c.group === 'page').map((c) => c.id))].sort((x, y) => x - y);
    expect(d.frames).toEqual(fromChanges);
    expect(d.frames.length).toBeGreaterThan(0);
    expect(d.changes[0].text).toMatch(/^machine: /);
    expect(api.diff(at, at, 10)).toMatchObject({ changes: [], frames: [] });
  });

  it('free(samples) gives free pages at evenly spread events, the last event included', () => {
    const f = api.free(5);
    expect(f.events).toEqual([0, 1, 2, 3, 4].map((i) => Math.round((i * (tl.events - 1)) / 4)));
    const t2 = timeline(bug.path);
    expect(f.free).toEqual(f.events.map((e) => t2.at(e + 1).nrFree));
  });

  it('frame states agree with the machine: free frames are nr_free, page-table frames are the tables, link pages and pgds', () => {
    const s = timeline(bug.path).at(at + 1);
    const m = frameMap(s);
    const count = (code: number) => m.filter((c) => c === code).length;
    expect(count(0)).toBe(s.nrFree);
    expect(count(2)).toBe(2 * Object.keys(s.pts).length + Object.keys(s.mms).length);
    // task structs (two frames each) are kernel memory, beside the reserved frames
    const tasks = Object.values(s.mms).filter((mm) => mm.task !== undefined).length;
    expect(tasks).toBe(Object.keys(s.mms).length);
    const reserved = m.filter((_c, pfn) => (getPage(s, pfn).flags & PG_reserved) !== 0).length;
    expect(count(1)).toBe(reserved + 2 * tasks);
    for (let pfn = 0; pfn < s.nframes; pfn++) if (getPage(s, pfn).mapcount > 0) expect([3, 4, 5]).toContain(m[pfn]);
  });
});

describe('the HTTP API', () => {
  let vs: ViewServer;
  const get = (path: string) => fetch(vs.url + path.slice(1));
  /** The body as JSON.parse gives it (untyped, as the tests of the CLI's --json read it). */
  const json = async (path: string) => JSON.parse(await (await get(path)).text());
  beforeAll(async () => {
    vs = await startViewServer(new ViewApi(timeline(bug.path), 'bug.mmlog'), { host: '127.0.0.1', port: 0 });
  });
  afterAll(() => vs.close());

  it('serves the page, info, and the frame map as one byte per frame (or JSON)', async () => {
    const html = await (await get('/')).text();
    expect(html).toContain('<canvas id="map">');
    const info = await json('/api/info');
    expect(info).toMatchObject({ log: 'bug.mmlog', frames: 2048, scenario: 'x486', seed: '7', rmap: 'pte-chain' });
    expect(info.states.map((s: { name: string }) => s.name)).toEqual(['free', 'kernel', 'pagetable', 'anon', 'pagecache', 'swapcache']);
    const r = await get(`/api/frames?event=${at}`);
    expect(r.headers.get('content-type')).toBe('application/octet-stream');
    const bytes = new Uint8Array(await r.arrayBuffer());
    const s = timeline(bug.path).at(at + 1);
    expect(bytes).toEqual(frameMap(s));
    expect(Number(r.headers.get('x-clock-hand'))).toBe(summary(s).clockHand);
    const j = await json(`/api/frames?event=${at}&format=json`);
    expect(j.states).toEqual(Array.from(bytes));
  });

  it('answers page, events, step, diff, free and bisect as JSON', async () => {
    let b = await json('/api/bisect');
    for (let i = 0; b.state === 'running' && i < 600; i++) {
      await new Promise((r) => setTimeout(r, 50));
      b = await json('/api/bisect');
    }
    expect(b).toMatchObject({ state: 'done', ok: false, event: at, invariant: 'chain-entry-valid' });
    const p = await json(`/api/page?event=${at}&page=${b.violation.page}`);
    expect(p.page.page).toBe(b.violation.page);
    const ev = await json(`/api/events?from=0&to=100&type=op,tick&limit=5`);
    expect(ev.events.length).toBe(5);
    expect(ev.events.every((r: { event: { t: string } }) => ['op', 'tick'].includes(r.event.t))).toBe(true);
    expect((await json(`/api/events?around=${at}&count=2&pte=0x${b.violation.pte.toString(16)}`)).events.length).toBeGreaterThan(0);
    expect((await json(`/api/step?event=${at}&dir=next`)).event).toBeGreaterThan(at);
    expect((await json(`/api/diff?a=0&b=${at}&limit=3`)).truncated).toBe(true);
    expect((await json('/api/free?samples=3')).free.length).toBe(3);
    expect((await json(`/api/history?page=${b.violation.page}&from=0&to=${at + 1}`)).events.at(-1).index).toBe(at);
  });

  it('bad questions are 400 with a message naming the value; unknown paths 404', async () => {
    const cases: [string, RegExp][] = [
      ['/api/frames?event=abc', /event 'abc' is not a number/],
      ['/api/frames', /missing parameter 'event'/],
      ['/api/frames?event=99999999', /event 99999999 is out of range/],
      ['/api/page?event=0&page=5000', /page 5000 is out of range/],
      ['/api/events?from=0&type=nope', /type 'nope' is not an event type: allowed are op, tick/],
      ['/api/events?from=0&limit=0', /limit 0 is out of range: 1\.\.10000/],
      ['/api/step?event=0&dir=up', /dir 'up' is not a direction/],
      ['/api/diff?a=0&b=99999999', /b 99999999 is out of range/],
    ];
    for (const [path, msg] of cases) {
      const r = await get(path);
      expect(r.status, path).toBe(400);
      expect(JSON.parse(await r.text()).error).toMatch(msg);
    }
    expect((await get('/api/nope')).status).toBe(404);
    expect((await fetch(vs.url + 'api/info', { method: 'POST' })).status).toBe(405);
  });
});

describe('the background bisect', () => {
  it('says ok for a sound log', async () => {
    const clean = record({ events: 3000 });
    const api = new ViewApi(timeline(clean.path), clean.path);
    expect(api.bisect()).toEqual({ state: 'running' });
    expect(await api.bisectDone()).toEqual({ state: 'done', ok: true, events: clean.events });
    await api.close();
  });
});
