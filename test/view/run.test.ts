// `mmsim view` as a command: it prints its URL and stops cleanly on SIGTERM; bad input is
// exit 2 with a one-line message, never a stack or a hang.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CLI, cli, record } from '../helpers.js';

const log = record({ events: 3000 }).path;

describe('mmsim view', { timeout: 30000 }, () => {
  it('serves on loopback, prints the URL, answers, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [CLI, 'view', log, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /^mmsim view: (http:\/\/127\.0\.0\.1:\d+\/) {2}\(.*: 30\d\d events, 2048 frames; Ctrl-C stops\)$/m.exec(out);
        if (m) resolve(m[1]);
      });
      child.on('exit', () => reject(new Error(out)));
    });
    const info = JSON.parse(await (await fetch(url + 'api/info')).text());
    expect(info.frames).toBe(2048);
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', resolve);
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
  });

  it('bad port, host or log: exit 2 with a message naming the value', async () => {
    const cases: [string[], RegExp][] = [
      [['view', log, '--port', '70000'], /^mmsim: error: --port '70000' is not a port: write a whole number 0\.\.65535/],
      [['view', log, '--port', 'x'], /--port 'x' is not a port/],
      [['view', log, '--host', 'my host'], /^mmsim: error: --host 'my host' is not an IP address/],
      [['view', '/nonexistent.mmlog'], /^mmsim: error: cannot open log \/nonexistent\.mmlog/],
    ];
    for (const [args, msg] of cases) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as AddressInfo).port;
    const r = await cli(['view', log, '--port', String(port)]);
    busy.close();
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`mmsim: error: --port ${port} on 127.0.0.1 is in use: pick another port (--port 0 picks a free one)\n`);
  });
});
