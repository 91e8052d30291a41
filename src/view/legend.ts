// What a frame is, as one byte: the frame map's alphabet, shared by the server (which
// classifies pages) and the browser (which paints them). The codes and colours are part of
// the documented API: append new states at the end, never renumber.

export const FRAME_STATES = [
  { code: 0, name: 'free', label: 'free', color: '#e6e6e6' },
  { code: 1, name: 'kernel', label: 'reserved / kernel', color: '#4d4d4d' },
  { code: 2, name: 'pagetable', label: 'page table / link page', color: '#8e44ad' },
  { code: 3, name: 'anon', label: 'anonymous', color: '#e67e22' },
  { code: 4, name: 'pagecache', label: 'page cache', color: '#2e86de' },
  { code: 5, name: 'swapcache', label: 'swap cache', color: '#27ae60' },
] as const;

export const FREE = 0,
  KERNEL = 1,
  PAGETABLE = 2,
  ANON = 3,
  PAGECACHE = 4,
  SWAPCACHE = 5;

/** Outline colours drawn over cells. */
export const CLOCK_HAND_COLOR = '#e00000';
export const CHANGED_COLOR = '#ffd400';
export const SELECTED_COLOR = '#000000';

/** '#rrggbb' as [r, g, b]. */
export function rgb(color: string): [number, number, number] {
  const v = parseInt(color.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}
