// `mmsim view`: open the log's timeline, serve the viewer, print its address, and run
// until interrupted. Kept apart from the command-line wiring (src/cli/view.ts) so the
// command can move without its logic.

import { spawn } from 'node:child_process';
import { isIP } from 'node:net';
import type { Timeline } from '../timetravel/timeline.js';
import { ViewApi, ViewError } from './api.js';
import { startViewServer, type ViewServer } from './server.js';

export interface ViewOptions {
  host: string;
  port: number;
  open?: boolean;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export function checkPort(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) > 65535)
    throw new ViewError(`--port '${v}' is not a port: write a whole number 0..65535 (0 picks a free one)`);
  return Number(v);
}

export async function serveLog(
  tl: Timeline,
  logName: string,
  o: ViewOptions,
  say: (line: string) => void,
  warn: (m: string) => void,
): Promise<ViewServer> {
  if (o.host !== 'localhost' && isIP(o.host) === 0)
    throw new ViewError(`--host '${o.host}' is not an IP address: give one such as 127.0.0.1 (the default) or ::1`);
  const api = new ViewApi(tl, logName);
  let vs: ViewServer;
  try {
    vs = await startViewServer(api, o);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new ViewError(`--port ${o.port} on ${o.host} is in use: pick another port (--port 0 picks a free one)`);
    if (code === 'EADDRNOTAVAIL' || code === 'EACCES')
      throw new ViewError(
        `--host ${o.host} --port ${o.port} cannot be listened on (${code}): use a local address such as 127.0.0.1, and a port above 1023`,
      );
    throw err;
  }
  if (!LOOPBACK.test(o.host))
    warn(`serving on ${o.host}: the viewer has no authentication, so anyone who can reach this address can read the log`);
  say(`mmsim view: ${vs.url}  (${logName}: ${tl.events} events, ${api.nframes} frames; Ctrl-C stops)`);
  if (o.open) {
    const child = spawn('xdg-open', [vs.url], { detached: true, stdio: 'ignore' });
    child.on('error', (err) => warn(`--open: could not start xdg-open (${(err as NodeJS.ErrnoException).code}); open ${vs.url} yourself`));
    child.unref();
  }
  return vs;
}

/** Serve until SIGINT or SIGTERM, then close the server and the log. */
export async function runView(
  tl: Timeline,
  logName: string,
  o: ViewOptions,
  say: (line: string) => void,
  warn: (m: string) => void,
): Promise<void> {
  const vs = await serveLog(tl, logName, o, say, warn);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  vs.server.closeAllConnections();
  await vs.close();
  tl.log.close();
}
