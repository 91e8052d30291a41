// The viewer's HTTP server (node:http, no framework): the page, its bundled script, and
// the JSON API of api.ts under /api/. Loopback by default; GET only. A bad question is a
// 400 with a one-line message naming the value and what is allowed, never a stack.

import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { EVENT_TYPES } from '../events.js';
import { LogError } from '../log/format.js';
import { type EventFilter, type ViewApi, ViewError } from './api.js';
import { PAGE_HTML } from './page.js';

/** The bundle esbuild writes (npm run build:web, run by prepare): dist/web/app.js under the package root. */
export function bundlePath(): string {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'dist', 'web', 'app.js');
}

export interface ViewServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export function startViewServer(api: ViewApi, opts: { host: string; port: number }): Promise<ViewServer> {
  const script = bundlePath();
  const server = createServer((req, res) => {
    try {
      route(api, script, req, res);
    } catch (err) {
      const bad = err instanceof LogError;
      send(res, bad ? 400 : 500, { error: bad ? (err as Error).message : `internal error: ${(err as Error).message}` });
    }
  });
  api.bisect(); // start checking the log now, in its worker
  return new Promise((resolve, reject) => {
    server.once('error', (err) => {
      void api.close();
      reject(err);
    });
    server.listen(opts.port, opts.host, () => {
      server.removeAllListeners('error');
      const a = server.address() as AddressInfo;
      const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      resolve({
        url: `http://${host}:${a.port}/`,
        server,
        close: async () => {
          await api.close();
          await new Promise<void>((r) => server.close(() => r()));
        },
      });
    });
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

/** Query parameters as whole numbers (decimal or 0x-hex), with a message naming the parameter when not. */
class Query {
  constructor(private readonly q: URLSearchParams) {}
  has(name: string): boolean {
    return this.q.has(name) && this.q.get(name) !== '';
  }
  int(name: string, dflt?: number): number {
    const v = this.q.get(name);
    if (v === null || v === '') {
      if (dflt === undefined) throw new ViewError(`missing parameter '${name}': give a whole number`);
      return dflt;
    }
    if (!/^(0x[0-9a-f]+|\d+)$/i.test(v)) throw new ViewError(`${name} '${v}' is not a number: write a whole number, decimal or 0x-hex`);
    return Number(v);
  }
  opt(name: string): number | undefined {
    return this.has(name) ? this.int(name) : undefined;
  }
  str(name: string): string | null {
    return this.q.get(name);
  }
}

function filterOf(q: Query): EventFilter {
  const f: EventFilter = { page: q.opt('page'), pte: q.opt('pte'), mm: q.opt('mm') };
  const types = q.str('type');
  if (types) {
    const list = types.split(',').filter(Boolean);
    for (const t of list)
      if (!(EVENT_TYPES as string[]).includes(t))
        throw new ViewError(`type '${t}' is not an event type: allowed are ${EVENT_TYPES.join(', ')}`);
    f.types = new Set(list);
  }
  return f;
}

function bounded(q: Query, name: string, dflt: number, max: number): number {
  const v = q.int(name, dflt);
  if (v < 1 || v > max) throw new ViewError(`${name} ${v} is out of range: 1..${max}`);
  return v;
}

function route(api: ViewApi, script: string, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' });
    res.end();
    return;
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  const q = new Query(url.searchParams);
  switch (url.pathname) {
    case '/':
    case '/index.html':
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(PAGE_HTML);
      return;
    case '/app.js':
    case '/app.js.map': {
      const file = url.pathname === '/app.js' ? script : script + '.map';
      if (!existsSync(file)) {
        send(res, 500, { error: `the browser bundle ${file} is missing: run npm run build:web` });
        return;
      }
      const type = url.pathname === '/app.js' ? 'text/javascript' : 'application/json';
      res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' });
      res.end(readFileSync(file));
      return;
    }
    case '/api/frames': {
      const f = api.frames(q.int('event'));
      if (q.str('format') === 'json') {
        send(res, 200, { ...f, states: Array.from(f.states) });
        return;
      }
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'cache-control': 'no-store',
        'x-event': String(f.event),
        'x-clock-hand': String(f.hand),
        'x-free': String(f.free),
      });
      res.end(Buffer.from(f.states.buffer, f.states.byteOffset, f.states.byteLength));
      return;
    }
    default: {
      const body = answer(api, url.pathname, q);
      if (body === undefined) send(res, 404, { error: `no such path ${url.pathname}: the API is under /api/ (docs/viewer-api.md)` });
      else send(res, 200, body);
    }
  }
}

/** The JSON routes: the answer to send, or undefined for an unknown path. */
function answer(api: ViewApi, path: string, q: Query): unknown {
  switch (path) {
    case '/api/info':
      return api.info();
    case '/api/page':
      return api.page(q.int('event'), q.int('page'));
    case '/api/history':
      return api.history(q.int('page'), q.int('from', 0), q.int('to', api.tl.events));
    case '/api/events':
      if (q.has('around')) return api.around(q.int('around'), filterOf(q), bounded(q, 'count', 20, 1000));
      return api.events(q.int('from'), q.int('to', api.tl.events), filterOf(q), bounded(q, 'limit', 500, 10000));
    case '/api/step': {
      const dir = q.str('dir') ?? 'next';
      if (dir !== 'next' && dir !== 'prev') throw new ViewError(`dir '${dir}' is not a direction: allowed are next, prev`);
      return api.stepOp(q.int('event'), dir === 'next' ? 1 : -1);
    }
    case '/api/diff':
      return api.diff(q.int('a'), q.int('b'), bounded(q, 'limit', 200, 100000));
    case '/api/free':
      return api.free(bounded(q, 'samples', 400, 4096));
    case '/api/bisect':
      return api.bisect();
    default:
      return undefined;
  }
}
