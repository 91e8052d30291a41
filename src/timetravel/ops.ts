// Which kernel path emitted an event: the kind of the operation it belongs to (the last
// `op` event at or before it). hw_access events are the MMU's, not a kernel path's.

import { OP_KINDS } from '../events.js';
import type { Timeline } from './timeline.js';

export function opOf(tl: Timeline, i: number): { start: number; kind: string; mm: number } {
  for (let j = i; j >= 0; j--) {
    const e = tl.event(j);
    if (e.t === 'op') return { start: j, kind: OP_KINDS[e.kind] ?? String(e.kind), mm: e.mm };
  }
  return { start: -1, kind: 'boot', mm: -1 };
}

/** The path name shown beside an event: `mmu` for hardware accesses, else its operation's kind. */
export function pathOf(tl: Timeline, i: number, kind?: string): string {
  return tl.event(i).t === 'hw_access' ? 'mmu' : (kind ?? opOf(tl, i).kind);
}
