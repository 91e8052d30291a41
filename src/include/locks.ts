// SMP locks as integers, so that lock events carry them as plain fields. A lock is its kind
// times 2^24 plus an index (an mm id, a pfn, or 0 for a global lock). The rank of a kind is
// the lock order of docs/architecture.md (SMP): a CPU may block on a lock only when every
// lock it already holds ranks lower (or, within one kind, has a lower index).

export const LOCK_KINDS = ['bkl', 'mmap_sem', 'page_table_lock', 'page', 'pagemap'] as const;
export type LockKind = (typeof LOCK_KINDS)[number];

const KIND_SHIFT = 2 ** 24;

/** Kind numbers start at 1 so that no lock is 0. */
export const lockId = (kind: LockKind, index = 0): number => (LOCK_KINDS.indexOf(kind) + 1) * KIND_SHIFT + index;
export const lockKindOf = (lock: number): LockKind | undefined => LOCK_KINDS[Math.floor(lock / KIND_SHIFT) - 1];
export const lockIndexOf = (lock: number): number => lock % KIND_SHIFT;

export const BKL = lockId('bkl');
export const PAGEMAP_LOCK = lockId('pagemap');
export const mmapSem = (mm: number): number => lockId('mmap_sem', mm);
export const pageTableLock = (mm: number): number => lockId('page_table_lock', mm);
export const pageLock = (pfn: number): number => lockId('page', pfn);

/** The lock order: bkl, then mmap_sem, page_table_lock, the page lock (PG_locked), the pagemap lock. */
export const lockRank = (lock: number): number => Math.floor(lock / KIND_SHIFT);

/** May a CPU holding `held` block on `wanted`? (Trylocks never block and are exempt.) */
export function inOrder(held: number, wanted: number): boolean {
  const a = lockRank(held),
    b = lockRank(wanted);
  return a < b || (a === b && held < wanted);
}

export function lockName(lock: number): string {
  const kind = lockKindOf(lock) ?? '?';
  if (kind === 'bkl' || kind === 'pagemap') return kind;
  return `${kind}(${kind === 'page' ? 'pfn ' : 'mm '}${lockIndexOf(lock)})`;
}
