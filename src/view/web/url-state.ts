// The whole view in the address bar, so a link reopens the same picture: event, selected
// page, diff base, and the event filters. Pure, for tests.

import type { Filters } from './client.js';

export interface ViewState {
  event: number;
  page: number | null;
  a: number | null;
  filters: Filters;
}

const int = (v: string | null): number | null => (v !== null && /^\d+$/.test(v) ? Number(v) : null);

/** Reads `?e=&p=&a=&type=&fpage=&pte=&mm=`; values out of range for a log of `events` events and `frames` frames are dropped. */
export function parseViewState(search: string, events: number, frames: number): ViewState {
  const q = new URLSearchParams(search);
  const e = int(q.get('e'));
  const p = int(q.get('p'));
  const a = int(q.get('a'));
  return {
    event: e !== null && e < events ? e : 0,
    page: p !== null && p < frames ? p : null,
    a: a !== null && a < events ? a : null,
    filters: { type: q.get('type') ?? '', page: q.get('fpage') ?? '', pte: q.get('pte') ?? '', mm: q.get('mm') ?? '' },
  };
}

export function formatViewState(s: ViewState): string {
  const q = new URLSearchParams();
  q.set('e', String(s.event));
  if (s.page !== null) q.set('p', String(s.page));
  if (s.a !== null) q.set('a', String(s.a));
  if (s.filters.type) q.set('type', s.filters.type);
  if (s.filters.page) q.set('fpage', s.filters.page);
  if (s.filters.pte) q.set('pte', s.filters.pte);
  if (s.filters.mm) q.set('mm', s.filters.mm);
  return '?' + q.toString();
}
