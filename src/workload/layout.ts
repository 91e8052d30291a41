// Where a program's pieces go in its address space (the i386 ELF layout of the day):
// text at 0x08048000, data and heap (brk) after it, shared libraries from 0x40000000,
// the stack just below PAGE_OFFSET, temporary mmaps at 0x60000000.

import { PAGE_OFFSET, PAGE_SIZE } from '../arch/i386/page.js';
import { VM_EXEC, VM_READ, VM_WRITE, VmaKind, type Vma } from '../state.js';
import type { Scenario } from './scenario.js';

export const TEXT_BASE = 0x08048000;
export const LIB_BASE = 0x40000000;
export const TEMP_BASE = 0x60000000;

export interface Region {
  start: number;
  pages: number;
  writable: boolean;
}

export interface Layout {
  vmas: Vma[];
  text: Region;
  data: Region;
  heap: Region;
  stack: Region;
  libs: Region[];
  /** Largest heap the layout leaves room for. */
  heapLimit: number;
}

const pageAlign = (a: number): number => Math.ceil(a / PAGE_SIZE) * PAGE_SIZE;

export function programLayout(sc: Scenario, name: string, inodeOf: (file: string) => number): Layout {
  const p = sc.programs[name];
  const ino = inodeOf(p.file);
  const vmas: Vma[] = [];
  const text = { start: TEXT_BASE, pages: p.text, writable: false };
  vmas.push({
    start: text.start,
    end: text.start + p.text * PAGE_SIZE,
    kind: VmaKind.PrivateFile,
    prot: VM_READ | VM_EXEC,
    file: ino,
    pgoff: 0,
  });
  const data = { start: pageAlign(text.start + p.text * PAGE_SIZE), pages: p.data, writable: true };
  if (p.data > 0)
    vmas.push({
      start: data.start,
      end: data.start + p.data * PAGE_SIZE,
      kind: VmaKind.PrivateFile,
      prot: VM_READ | VM_WRITE,
      file: ino,
      pgoff: p.text,
    });
  const heap = { start: data.start + p.data * PAGE_SIZE, pages: p.heap, writable: true };
  vmas.push({ start: heap.start, end: heap.start + p.heap * PAGE_SIZE, kind: VmaKind.Anon, prot: VM_READ | VM_WRITE, file: 0, pgoff: 0 });
  const libs: Region[] = [];
  let at = LIB_BASE;
  for (const l of p.libs) {
    const lib = sc.libs[l];
    const li = inodeOf(lib.file);
    libs.push({ start: at, pages: lib.text, writable: false });
    vmas.push({ start: at, end: at + lib.text * PAGE_SIZE, kind: VmaKind.PrivateFile, prot: VM_READ | VM_EXEC, file: li, pgoff: 0 });
    at += lib.text * PAGE_SIZE;
    if (lib.data > 0) {
      libs.push({ start: at, pages: lib.data, writable: true });
      vmas.push({
        start: at,
        end: at + lib.data * PAGE_SIZE,
        kind: VmaKind.PrivateFile,
        prot: VM_READ | VM_WRITE,
        file: li,
        pgoff: lib.text,
      });
      at += lib.data * PAGE_SIZE;
    }
  }
  const stack = { start: PAGE_OFFSET - p.stack * PAGE_SIZE, pages: p.stack, writable: true };
  vmas.push({ start: stack.start, end: PAGE_OFFSET, kind: VmaKind.Anon, prot: VM_READ | VM_WRITE, file: 0, pgoff: 0 });
  vmas.sort((a, b) => a.start - b.start);
  return { vmas, text, data, heap, stack, libs, heapLimit: (LIB_BASE - heap.start) / PAGE_SIZE };
}
