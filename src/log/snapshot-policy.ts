// How often a run log carries a snapshot. Measured on x486 (2,048 frames; see
// docs/architecture.md, "Snapshots and seeking"): a snapshot is ~270 KB and costs ~4.5 ms
// to encode, and replay runs at ~2M events/s. Every 65,536 events keeps the snapshot
// cost near 5% of recording time while a seek replays at most ~35 ms of events. The
// snapshot grows with memory, so the interval grows with it to keep that cost share.

import { EVENTS_PER_CHUNK } from './format.js';

export const BASE_SNAPSHOT_EVERY = 65536;
const BASE_FRAMES = 2048;

export function defaultSnapshotEvery(nframes: number): number {
  const k = BASE_SNAPSHOT_EVERY * Math.max(1, Math.ceil(nframes / BASE_FRAMES));
  return Math.ceil(k / EVENTS_PER_CHUNK) * EVENTS_PER_CHUNK;
}
