// The browser's side of the JSON API (docs/viewer-api.md). The answer types are taken
// from the server's own functions, so the two cannot drift apart.

import type { ViewApi } from '../api.js';

export type Info = ReturnType<ViewApi['info']>;
export type PageAnswer = ReturnType<ViewApi['page']>;
export type HistoryAnswer = ReturnType<ViewApi['history']>;
export type EventsAnswer = ReturnType<ViewApi['around']>;
export type EventRow = EventsAnswer['events'][number];
export type DiffAnswer = ReturnType<ViewApi['diff']>;
export type FreeAnswer = ReturnType<ViewApi['free']>;
export type BisectAnswer = ReturnType<ViewApi['bisect']>;

export interface FramesAnswer {
  event: number;
  hand: number;
  free: number;
  states: Uint8Array;
}

async function get<T>(path: string): Promise<T> {
  const r = await fetch(path);
  const body = (await r.json()) as T & { error?: string };
  if (!r.ok) throw new Error(body.error ?? `${path}: HTTP ${r.status}`);
  return body;
}

const qs = (o: Record<string, string | number | undefined>): string =>
  Object.entries(o)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&');

export interface Filters {
  type: string;
  page: string;
  pte: string;
  mm: string;
}

export const api = {
  info: () => get<Info>('/api/info'),
  async frames(n: number): Promise<FramesAnswer> {
    const r = await fetch(`/api/frames?event=${n}`);
    if (!r.ok) throw new Error(((await r.json()) as { error: string }).error);
    return {
      event: Number(r.headers.get('x-event')),
      hand: Number(r.headers.get('x-clock-hand')),
      free: Number(r.headers.get('x-free')),
      states: new Uint8Array(await r.arrayBuffer()),
    };
  },
  page: (n: number, pfn: number) => get<PageAnswer>(`/api/page?${qs({ event: n, page: pfn })}`),
  history: (pfn: number, from: number, to: number) => get<HistoryAnswer>(`/api/history?${qs({ page: pfn, from, to })}`),
  around: (n: number, f: Filters, count: number) => get<EventsAnswer>(`/api/events?${qs({ around: n, count, ...f })}`),
  step: (n: number, dir: 'next' | 'prev') => get<{ event: number | null }>(`/api/step?${qs({ event: n, dir })}`),
  diff: (a: number, b: number) => get<DiffAnswer>(`/api/diff?${qs({ a, b, limit: 300 })}`),
  free: (samples: number) => get<FreeAnswer>(`/api/free?${qs({ samples })}`),
  bisect: () => get<BisectAnswer>('/api/bisect'),
};
