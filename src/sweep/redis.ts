// redis://HOST:PORT[/DB] for the queue: parsed with errors that say what is allowed, and
// probed once with a short timeout, so a wrong address is an error, not a hang (BullMQ's
// own connections retry forever, which is what a long-running worker wants).

import { SweepError } from './grid.js';

export interface RedisAddress {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  maxRetriesPerRequest: null;
}

export function redisOptions(url: string): RedisAddress {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new SweepError(`--queue '${url}' is not a URL: write redis://HOST:PORT, e.g. redis://127.0.0.1:6379`);
  }
  if (u.protocol !== 'redis:') throw new SweepError(`--queue '${url}': the scheme must be redis:// (got ${u.protocol}//)`);
  if (u.hostname === '') throw new SweepError(`--queue '${url}' names no host: write redis://HOST:PORT`);
  const db = u.pathname === '' || u.pathname === '/' ? 0 : Number(u.pathname.slice(1));
  if (!Number.isInteger(db) || db < 0)
    throw new SweepError(`--queue '${url}': the database '${u.pathname.slice(1)}' is not a whole number`);
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port === '' ? 6379 : Number(u.port),
    db,
    ...(u.username !== '' ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password !== '' ? { password: decodeURIComponent(u.password) } : {}),
    // BullMQ's workers block on Redis and need commands to wait out a reconnect
    maxRetriesPerRequest: null,
  };
}

/** The URL without its user and password, for messages. */
export const maskUrl = (url: string): string => url.replace(/\/\/[^@/]*@/, '//');

/** One PING with no retries: a clear error now rather than a silent retry loop later. */
export async function probeRedis(url: string, timeoutMs = 3000): Promise<void> {
  const { Redis } = await import('ioredis');
  const r = new Redis({
    ...redisOptions(url),
    lazyConnect: true,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
  });
  // the socket's own error (ECONNREFUSED, ENOTFOUND) says more than ioredis's 'Connection is closed'
  let cause: Error | null = null;
  r.on('error', (err: Error) => {
    cause ??= err;
  });
  try {
    await r.connect();
    await r.ping();
  } catch (err) {
    throw new SweepError(`cannot reach Redis at ${maskUrl(url)}: ${(cause ?? (err as Error)).message}`);
  } finally {
    r.disconnect();
  }
}
