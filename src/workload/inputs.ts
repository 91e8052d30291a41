// A workload's decisions as data: what the seeded generator chose at each step. Recorded
// from a run, they can be replayed without the generator's random streams (and a subset
// of them can: shrink deletes inputs and re-runs the kernel on what is left).

export type Input =
  | { a: 'boot'; first: number }
  | { a: 'ref'; pid: number; addr: number; write: 0 | 1 }
  | { a: 'spawn'; pid: number; child: number }
  | { a: 'brk'; pid: number; pages: number }
  | { a: 'mmap'; pid: number; pages: number }
  | { a: 'munmap'; pid: number }
  | { a: 'exit'; pid: number };
