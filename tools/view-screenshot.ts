// The README's viewer screenshot: serve a log, open it at an event with a page selected
// (and optionally a diff base), and save the page as PNG.
//   node dist/tools/view-screenshot.js LOG EVENT PAGE OUT.png [A]
/// <reference lib="dom" />

import { LogReader } from '../src/log/reader.js';
import { Timeline } from '../src/timetravel/timeline.js';
import { serveLog } from '../src/view/run.js';
import { launchChromium } from './view-browser.js';

async function main(): Promise<void> {
  const [log, event, page, out, a] = process.argv.slice(2);
  if (out === undefined) throw new Error('usage: view-screenshot LOG EVENT PAGE OUT.png [A]');
  const tl = new Timeline(new LogReader(log));
  const vs = await serveLog(tl, log, { host: '127.0.0.1', port: 0 }, () => {}, console.error);
  let close = async () => {};
  try {
    const b = await launchChromium();
    close = b.close;
    const p = await b.context.newPage();
    await p.goto(`${vs.url}?e=${event}&p=${page}${a !== undefined ? `&a=${a}` : ''}`);
    await p.waitForSelector(`#page[data-event="${event}"]`);
    await p.waitForFunction(() => document.querySelectorAll('#events div').length > 0);
    if (a !== undefined) await p.waitForFunction(() => (document.getElementById('diff-head')?.textContent ?? '').startsWith('A = '));
    await p.waitForFunction(() => !(document.getElementById('bisect-status')?.textContent ?? '').startsWith('checking'));
    await p.waitForTimeout(300); // the free-memory chart arrives on its own request
    await p.screenshot({ path: out, fullPage: true });
    process.stdout.write(`${out}: ${log} at event ${event}, page ${page} selected${a !== undefined ? `, diff from event ${a}` : ''}\n`);
  } finally {
    await close();
    await vs.close();
    tl.log.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`view-screenshot: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
