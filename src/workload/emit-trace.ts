// Writing what a seeded workload does as an mmtrace file (docs/mmtrace.md): the same
// processes, mappings and references, so a generated run can be replayed by `mmsim trace
// --format mmtrace` or fed to other tools. Buffered and written synchronously (the run loop
// is synchronous); a name ending in .gz is written as concatenated gzip members.

import { closeSync, openSync, writeSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { PAGE_SIZE } from '../arch/i386/page.js';
import { VM_EXEC, VM_WRITE, VmaKind, type Vma } from '../state.js';

const FLUSH_BYTES = 1 << 20;

const hex = (n: number): string => '0x' + n.toString(16);

export class MmtraceWriter {
  private readonly fd: number;
  private readonly gzip: boolean;
  private buf: string[] = [];
  private size = 0;
  lines = 0;

  /** `fileName(inode)` names a mapped file (names must have no blanks). */
  constructor(
    readonly path: string,
    private readonly fileName: (inode: number) => string,
  ) {
    this.fd = openSync(path, 'w');
    this.gzip = path.endsWith('.gz');
    this.line('mmtrace 1');
  }

  private line(s: string): void {
    this.buf.push(s);
    this.size += s.length + 1;
    this.lines++;
    if (this.size >= FLUSH_BYTES) this.flush();
  }

  private flush(): void {
    if (this.buf.length === 0) return;
    const text = Buffer.from(this.buf.join('\n') + '\n');
    try {
      writeSync(this.fd, this.gzip ? gzipSync(text) : text);
    } catch (err) {
      // a failed write() names no file: name ours, so the user reads which file is full
      (err as NodeJS.ErrnoException).path ??= this.path;
      throw err;
    }
    this.buf = [];
    this.size = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  comment(text: string): void {
    this.line(`# ${text}`);
  }

  /** execve: a new, empty address space, then one mmap line per vma. */
  exec(pid: number, vmas: readonly Vma[]): void {
    this.line(`exec ${pid}`);
    for (const v of vmas) this.mmap(pid, v);
  }

  mmap(pid: number, v: Vma): void {
    const prot = 'r' + ((v.prot & VM_WRITE) !== 0 ? 'w' : '') + ((v.prot & VM_EXEC) !== 0 ? 'x' : '');
    const len = hex(v.end - v.start);
    if (v.kind === VmaKind.Anon) this.line(`mmap ${pid} ${hex(v.start)} ${len} anon ${prot}`);
    else {
      const kind = v.kind === VmaKind.SharedFile ? 'shared' : 'private';
      this.line(`mmap ${pid} ${hex(v.start)} ${len} ${kind} ${prot} ${this.fileName(v.file)} ${hex(v.pgoff * PAGE_SIZE)}`);
    }
  }

  munmap(pid: number, start: number): void {
    this.line(`munmap ${pid} ${hex(start)}`);
  }

  fork(parent: number, child: number): void {
    this.line(`fork ${parent} ${child}`);
  }

  exit(pid: number): void {
    this.line(`exit ${pid}`);
  }

  /** `kind`: r (read), w (write), x (instruction fetch). */
  ref(kind: 'r' | 'w' | 'x', pid: number, addr: number): void {
    this.line(`${kind} ${pid} ${hex(addr)}`);
  }
}
