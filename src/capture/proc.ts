// Reading one process from /proc: its mappings (/proc/PID/maps), and for each mapping the
// pagemap entries of its pages (/proc/PID/pagemap: bit 63 present, bit 62 swapped, bit 61
// file page or shared anonymous, bits 0-54 the PFN, which reads as 0 without
// CAP_SYS_ADMIN). A process can exit at any moment: every read may fail, and the caller
// counts the failure instead of stopping.

import { closeSync, openSync, readFileSync, readSync } from 'node:fs';

export interface RawVma {
  start: number;
  end: number;
  perms: string;
  offset: number;
  inode: number;
  path: string;
}

export interface RawPage {
  /** Page index inside the vma. */
  off: number;
  /** PFN, or 0 when unreadable. */
  pfn: number;
  /** Bit 61: a file page (or shared anonymous); clear for anonymous pages, including COW copies in private file mappings. */
  file: boolean;
}

export interface RawProcess {
  pid: number;
  ppid: number;
  comm: string;
  vmas: { vma: RawVma; pages: RawPage[] }[];
}

export class ProcReadError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

const LINE = /^([0-9a-f]+)-([0-9a-f]+)\s+(\S{4})\s+([0-9a-f]+)\s+\S+\s+(\d+)\s*(.*)$/;

export function parseMaps(text: string): { vmas: RawVma[]; bad: number } {
  const vmas: RawVma[] = [];
  let bad = 0;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const m = LINE.exec(line);
    if (m === null) {
      bad++;
      continue;
    }
    vmas.push({
      start: parseInt(m[1], 16),
      end: parseInt(m[2], 16),
      perms: m[3],
      offset: parseInt(m[4], 16),
      inode: Number(m[5]),
      path: m[6].trim(),
    });
  }
  return { vmas, bad };
}

function reasonOf(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ESRCH' ? 'exited' : code === 'EACCES' || code === 'EPERM' ? 'permission' : 'unreadable';
}

const PRESENT = 1n << 63n,
  FILE = 1n << 61n,
  PFN_MASK = (1n << 55n) - 1n;
const CHUNK_PAGES = 65536;

/** Present pages of [start, end) from an open pagemap, read in chunks. */
function presentPages(fd: number, start: number, end: number, maxPages: number): RawPage[] {
  const out: RawPage[] = [];
  const first = Math.floor(start / 4096);
  const n = Math.min(Math.floor((end - start) / 4096), maxPages);
  const buf = Buffer.alloc(Math.min(n, CHUNK_PAGES) * 8);
  for (let done = 0; done < n; ) {
    const k = Math.min(CHUNK_PAGES, n - done);
    const got = readSync(fd, buf, 0, k * 8, (first + done) * 8);
    if (got < k * 8) throw new ProcReadError('partial', `pagemap read returned ${got} of ${k * 8} bytes`);
    for (let i = 0; i < k; i++) {
      const e = buf.readBigUInt64LE(i * 8);
      if ((e & PRESENT) === 0n) continue;
      out.push({ off: done + i, pfn: Number(e & PFN_MASK), file: (e & FILE) !== 0n });
    }
    done += k;
  }
  return out;
}

/** Read one process; throws ProcReadError (reason: exited, permission, partial, unreadable, kernel-thread). */
export function readProcess(pid: number, maxPagesPerVma: number): RawProcess {
  let maps: string, stat: string, comm: string;
  try {
    maps = readFileSync(`/proc/${pid}/maps`, 'utf8');
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch (err) {
    throw new ProcReadError(reasonOf(err), `pid ${pid}: ${(err as Error).message}`);
  }
  const { vmas } = parseMaps(maps);
  if (vmas.length === 0) throw new ProcReadError('kernel-thread', `pid ${pid} has no user mappings`);
  const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  let fd: number;
  try {
    fd = openSync(`/proc/${pid}/pagemap`, 'r');
  } catch (err) {
    throw new ProcReadError(reasonOf(err), `pid ${pid} pagemap: ${(err as Error).message}`);
  }
  try {
    const out: RawProcess = { pid, ppid: Number.isInteger(ppid) ? ppid : 0, comm, vmas: [] };
    for (const vma of vmas) {
      // no-access reservations (guard pages, address-space cages) can hold no pages
      // no-access reservations (guard pages, address-space cages) hold no pages; [vsyscall]
      // sits above the user address space, where pagemap has no entries
      const pages =
        vma.perms.startsWith('---') || vma.start >= 2 ** 47 || /^\[(vsyscall|vvar|vdso)/.test(vma.path)
          ? []
          : presentPages(fd, vma.start, vma.end, maxPagesPerVma);
      out.vmas.push({ vma, pages });
    }
    return out;
  } catch (err) {
    if (err instanceof ProcReadError) throw err;
    throw new ProcReadError(reasonOf(err), `pid ${pid} pagemap: ${(err as Error).message}`);
  } finally {
    closeSync(fd);
  }
}
