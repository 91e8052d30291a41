// The viewer in a real browser: `mmsim view` on a free port, Debian's chromium through
// playwright-core. Clicking a frame shows the chain `mmsim seek --page --json` gives;
// stepping to the next operation repaints the map in the legend's colours.
/// <reference lib="dom" />
import { type ChildProcess, spawn } from 'node:child_process';
import { PNG } from 'pngjs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, cli, record, timeline } from '../../helpers.js';
import { launchChromium } from '../../../tools/view-browser.js';
import { pageInfo } from '../../../src/timetravel/describe.js';
import { frameMap } from '../../../src/view/frame-state.js';
import { CLOCK_HAND_COLOR, FRAME_STATES, rgb } from '../../../src/view/legend.js';
import { summary } from '../../../src/timetravel/describe.js';

interface ViewHook {
  mmsimView: { centre: (pfn: number) => { x: number; y: number } };
}

const bug = record({ events: 20000, every: 8192, inject: 'cow-no-unlink@0.05' });
const at = bug.injected[0];

/** Starts `mmsim view LOG --port 0` and resolves with the URL it prints. */
function serve(log: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [CLI, 'view', log, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /mmsim view: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) resolve({ url: m[1], child });
    });
    child.on('exit', (code) => reject(new Error(`mmsim view exited ${code} before printing its URL: ${out}`)));
  });
}

describe('mmsim view in chromium', { timeout: 30000 }, () => {
  let server: { url: string; child: ChildProcess };
  let browser: { context: BrowserContext; close: () => Promise<void> };
  let page: Page;

  beforeAll(async () => {
    [server, browser] = await Promise.all([serve(bug.path), launchChromium({ width: 1400, height: 900 })]);
    page = await browser.context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    server?.child.kill('SIGTERM');
  });

  it('a clicked frame shows its chain link by link, as mmsim seek --page --json does', async () => {
    // a page mapped twice or more at the injected event, so the chain has links to walk
    const s = timeline(bug.path).at(at + 1);
    let P = -1;
    for (let pfn = 0; pfn < s.nframes && P < 0; pfn++) if (pageInfo(s, pfn).chain.length >= 2) P = pfn;
    expect(P).toBeGreaterThanOrEqual(0);

    await page.goto(`${server.url}?e=${at}`);
    await page.waitForSelector(`body[data-event="${at}"]`);
    const c = await page.evaluate((p) => (window as unknown as ViewHook).mmsimView.centre(p), P);
    const box = (await page.locator('#map').boundingBox())!;
    await page.mouse.click(box.x + c.x, box.y + c.y);
    await page.waitForSelector(`#page[data-page="${P}"][data-event="${at}"]`);

    const seek = JSON.parse((await cli(['seek', bug.path, String(at), '--page', String(P), '--json'])).stdout).page;
    const shown = await page.$$eval('#page .link', (els) =>
      els.map((e) => ({ pte: Number((e as HTMLElement).dataset.pte), text: e.textContent })),
    );
    expect(shown.map((x) => x.pte)).toEqual(seek.chain.map((x: { pte: number }) => x.pte));
    expect(shown.length).toBeGreaterThanOrEqual(2);
    seek.chain.forEach((x: { pte: number; link: number; maps: number }, i: number) => {
      expect(shown[i].text).toContain(`[${i}] pte 0x${x.pte.toString(16)} `);
      expect(shown[i].text).toContain(`maps page ${x.maps}, link -> ${x.link === 0 ? 'NULL' : '0x' + x.link.toString(16)}`);
    });
    expect(page.url()).toContain(`e=${at}&p=${P}`);
  });

  it('the next operation repaints the map: cell centres have the legend colour of their state', async () => {
    const tl = timeline(bug.path);
    let next = at + 1;
    while (tl.event(next).t !== 'op') next++;
    await page.click('#next-op');
    await page.waitForSelector(`body[data-event="${next}"]`);
    await page.waitForFunction((n) => location.search.startsWith(`?e=${n}`), next);

    const s = tl.at(next + 1);
    const states = frameMap(s);
    const hand = summary(s).clockHand;
    const png = PNG.sync.read(await page.locator('#map').screenshot());
    const pixel = (x: number, y: number) => {
      const o = (Math.floor(y) * png.width + Math.floor(x)) * 4;
      return [png.data[o], png.data[o + 1], png.data[o + 2]];
    };
    const near = (got: number[], want: number[]) => got.every((v, i) => Math.abs(v - want[i]) <= 4);
    // the first and last frame of each state present, and the clock hand's outline
    const checked: number[] = [];
    for (const st of FRAME_STATES) {
      const first = states.indexOf(st.code),
        last = states.lastIndexOf(st.code);
      for (const pfn of new Set([first, last])) {
        if (pfn < 0) continue;
        const c = await page.evaluate((p) => (window as unknown as ViewHook).mmsimView.centre(p), pfn);
        expect(near(pixel(c.x, c.y), rgb(st.color)), `frame ${pfn} (${st.name}) at ${c.x},${c.y}: ${pixel(c.x, c.y)}`).toBe(true);
        checked.push(pfn);
      }
    }
    expect(new Set(checked.map((p) => states[p])).size).toBeGreaterThanOrEqual(4); // free, kernel, page table, anon, page cache…
    const h = await page.evaluate((p) => (window as unknown as ViewHook).mmsimView.centre(p), hand);
    const cell = Number(await page.locator('#map').getAttribute('data-cell'));
    expect(near(pixel(h.x - cell / 2 + 1, h.y), rgb(CLOCK_HAND_COLOR)), `clock hand ${hand}`).toBe(true);

    // the arrow keys step one event; with shift, one operation
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector(`body[data-event="${next + 1}"]`);
    await page.keyboard.press('Shift+ArrowLeft');
    await page.waitForSelector(`body[data-event="${next}"]`);
  });

  it('the bisect button appears once the background check finds the broken invariant, and goes there', async () => {
    await page.goto(`${server.url}?e=0`);
    await page.waitForSelector('#bisect:not([hidden])');
    const status = (await page.textContent('#bisect-status')) ?? '';
    const m = new RegExp(`^broken at event ${at}: chain-entry-valid \\(page (\\d+),`).exec(status);
    expect(m, status).not.toBe(null);
    const P = m![1];
    await page.click('#bisect');
    await page.waitForSelector(`#page[data-page="${P}"][data-event="${at}"]`);
    expect(await page.textContent('#page')).toContain(`does not map page ${P}`);
  });
});
