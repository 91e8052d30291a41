// The block devices (2.1.47 mm/page_io.c rw_swap_page, ll_rw_block's request queue): one
// disk (swap and local files) and the NFS server, each serving its requests in order, one at
// a time. A request starts when the device is free, so a read waits behind every write queued
// before it. What the caller does meanwhile:
//
// - a read the faulting process needs (swap-in, a file page): it sleeps until the read is done.
// - a swap-out started by kswapd (rw_swap_page with wait 0): asynchronous. The page keeps one
//   reference for the I/O and PG_locked, counts in nr_async_pages, and is freed when the write
//   completes (after_unlock_page: PG_decr_after, PG_free_after).
// - a swap-out in direct reclaim (try_to_free_page(.., wait 1) from __get_free_pages): the
//   allocating process sleeps until its write is done, then frees the page.
// - read-ahead (filemap_nopage's try_to_read_ahead): asynchronous; the page sits in the page
//   cache locked until its read completes, and a fault on it waits for that.
// - file write-back: the data goes to the buffer cache and bdflush writes it: the device is
//   busy for the write, nobody waits for it.
//
// Completions are taken at the start of the next kernel operation after their time (the
// interrupt, between atomic operations), and whenever a process has slept until a time.

import type { Kernel } from '../kernel/kernel.js';
import { OP, CODE_OF } from '../events.js';
import type { State } from '../state.js';
import type { DeepReadonly } from '../include/readonly.js';
import { free_page } from './page_alloc.js';

export const DEV_DISK = 0;
export const DEV_NFS = 1;
/** io_start modes: nothing tracked (the caller sleeps on it, or nobody waits), or tracked until io_done. */
export const IO_UNTRACKED = 0;
export const IO_ASYNC = 1;

/** Fields of one tracked request in State.io.inflight (a flat list of these triples, ordered by completion). */
export const INFLIGHT_FIELDS = 3;

/** The device a file's pages live on (its scenario backing: a local disk or the NFS server). */
export const file_dev = (k: Kernel, inode: number): number => (k.files.get(inode)?.backing === 'nfs' ? DEV_NFS : DEV_DISK);

/** nr_async_pages: pages under asynchronous write-out (free once their write completes). */
export const nr_async_pages = (s: DeepReadonly<State>): number => s.io.nrAsync;

/** When the tracked request on `pfn` completes, or -1 when none is in flight. */
export function inflightDone(s: DeepReadonly<State>, pfn: number): number {
  const f = s.io.inflight;
  for (let i = 0; i < f.length; i += INFLIGHT_FIELDS) if (f[i] === pfn) return f[i + 1];
  return -1;
}

/** Queue a request; returns the time it completes (it starts when the device has served everything before it). */
function submit(k: Kernel, pfn: number, dev: number, write: boolean, mode: number): number {
  const lat = k.cfg.latencies;
  const busy = dev === DEV_DISK ? k.s.io.disk : k.s.io.nfs;
  const start = Math.max(k.s.time, busy);
  const us = write ? lat.diskWriteUs : dev === DEV_DISK ? lat.diskReadUs : lat.nfsReadUs;
  const done = start + us;
  k.emit({ t: 'io_start', pfn, dev, write: write ? 1 : 0, us: done - k.s.time, mode }, CODE_OF.io_start);
  return done;
}

/** The process sleeps until `done` (simulated time passes; the CPU does nothing else), then completions run. */
export function sleep_until(k: Kernel, done: number): void {
  if (done > k.s.time) k.emit({ t: 'io_wait', us: done - k.s.time }, CODE_OF.io_wait);
  io_complete(k);
}

/** A read the caller needs now: queue it on its device and sleep until it is done. */
export function read_page_sync(k: Kernel, pfn: number, dev: number): void {
  // SMP: the step machine already slept for this read (wait_read) before its atomic step
  if (k.ioPrepaid) {
    k.ioPrepaid = false;
    return;
  }
  sleep_until(k, submit(k, pfn, dev, false, IO_UNTRACKED));
}

/**
 * SMP (src/smp/): a read on `dev` that a fault will need, queued and slept for before the
 * atomic step that allocates its page (which then skips its own read_page_sync). The
 * request names no page: it is not tracked.
 */
export function wait_read(k: Kernel, dev: number): void {
  sleep_until(k, submit(k, 0, dev, false, IO_UNTRACKED));
}

/** try_to_read_ahead's readpage: queued; the page stays locked in the page cache until its read completes. */
export function read_page_async(k: Kernel, pfn: number, dev: number): void {
  submit(k, pfn, dev, false, IO_ASYNC);
}

/**
 * rw_swap_page(WRITE, entry, page, wait) for a page about to be unmapped: kswapd's write is
 * asynchronous (the I/O takes a reference and the page is freed when the write completes);
 * anyone else (direct reclaim) sleeps until the write is done. Call it before dropping the
 * page's other references; `finish_swap_write` after.
 */
export function start_swap_write(k: Kernel, pfn: number): number {
  k.tick(k.cfg.latencies.writeSubmitUs);
  if (!wait_for_write(k)) {
    k.emit({ t: 'get_page', pfn }, CODE_OF.get_page);
    submit(k, pfn, DEV_DISK, true, IO_ASYNC);
    return -1;
  }
  return submit(k, pfn, DEV_DISK, true, IO_UNTRACKED);
}

/** After a synchronous swap write's page was unmapped: sleep until the write completes. */
export function finish_swap_write(k: Kernel, done: number): void {
  if (done >= 0) sleep_until(k, done);
}

/** A write nobody waits for (file write-back through the buffer cache, 2.4's page_launder): the device is busy for it. */
export function queue_write(k: Kernel, pfn: number, dev: number): void {
  k.tick(k.cfg.latencies.writeSubmitUs);
  submit(k, pfn, dev, true, IO_UNTRACKED);
}

/**
 * wait: 1 in 2.1.47's direct reclaim (__get_free_pages calls try_to_free_page(.., 1)), 0 in
 * kswapd's last loop. kswapd's first two loops (free below min, free + async below low) also
 * pass 1 in 2.1.47; here kswapd never sleeps on a write, because the one timeline cannot let
 * processes run while it sleeps (docs/model.md, Simplified).
 */
function wait_for_write(k: Kernel): boolean {
  return k.s.op.kind !== OP.kswapd;
}

/** The completion interrupt for every tracked request due by now: unlock; an async write's page is freed. */
export function io_complete(k: Kernel): void {
  const f = k.s.io.inflight;
  while (f.length > 0 && f[1] <= k.s.time) {
    const pfn = f[0];
    const write = f[2] === 1;
    k.emit({ t: 'io_done', pfn }, CODE_OF.io_done);
    // after_unlock_page: PG_free_after drops the I/O's reference; the page was unmapped, so it is free
    if (write) free_page(k, pfn, 0, 1);
  }
}
