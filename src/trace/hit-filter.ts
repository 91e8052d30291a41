// Which references of the single trace process the kernel would take without doing
// anything: the pte is present, young and, for a write, writable and dirty. access() then
// emits no event and changes no state, so the driver can skip it (nearly every reference of
// a hit-heavy trace). Kept beside the machine (not in its state), from the events alone
// (pte_set, pte_clear, pte_mkold, hw_access and the page tables' pt_alloc/pt_free), so it
// sees every change whatever code path makes it; it starts empty, as the process's page
// tables do. It also knows the references for which access() would only emit hw_access
// (the MMU setting the accessed or dirty bit of a present pte: mmuOnly), so the driver can
// emit that event itself without the page-table walk.

import { _PAGE_ACCESSED, _PAGE_DIRTY, _PAGE_PRESENT, _PAGE_RW, PAGE_OFFSET, PAGE_SIZE, pte_pfn } from '../arch/i386/page.js';
import { pte_addr, pte_slot, pte_table_pfn } from '../arch/i386/pgtable.js';
import type { Event, EventOf } from '../events.js';

const PTRS_PER_PTE = 1024;
/** Virtual pages of the user space (below PAGE_OFFSET). */
const USER_PAGES = PAGE_OFFSET / PAGE_SIZE;
/** The bits of a pte this filter keeps, packed into a byte. */
const P = 1,
  RW = 2,
  A = 4,
  D = 8;
/** The bits a reference needs to be a hit (access() does nothing), and to need only the MMU (hw_access). */
export const READ_HIT = P | A,
  WRITE_HIT = P | A | RW | D,
  READ_MAPPED = P,
  WRITE_MAPPED = P | RW;

function pack(val: number): number {
  return (
    ((val & _PAGE_PRESENT) !== 0 ? P : 0) |
    ((val & _PAGE_RW) !== 0 ? RW : 0) |
    ((val & _PAGE_ACCESSED) !== 0 ? A : 0) |
    ((val & _PAGE_DIRTY) !== 0 ? D : 0)
  );
}

export class HitFilter {
  /** Per virtual page of the process: the packed bits of its pte (0: none or not present). Read, never written, by the driver's loop. */
  readonly bits = new Uint8Array(USER_PAGES);
  /** Per virtual page: the frame its pte maps (valid while the P bit is set). */
  readonly pfns = new Int32Array(USER_PAGES);
  /** Page-table pfn -> its pgd index + 1 in the process (0: not one of its tables). */
  private readonly tables: Int32Array;
  /** Pgd index -> the pfn of the process's page table there (0: none; frame 0 is never a page table). */
  private readonly tableAt = new Int32Array(USER_PAGES / PTRS_PER_PTE);

  /** `mm`: the process whose ptes are followed; `nframes`: frames of the machine (page tables are among them). */
  constructor(
    readonly mm: number,
    nframes: number,
  ) {
    this.tables = new Int32Array(nframes);
  }

  /** The virtual page a pte maps, or -1 when the pte is in none of the process's tables. */
  private page(pte: number): number {
    const index = this.tables[pte_table_pfn(pte)] - 1;
    return index < 0 ? -1 : index * PTRS_PER_PTE + pte_slot(pte);
  }

  observe(e: Event): void {
    switch (e.t) {
      case 'pte_set':
        this.pteSet(e);
        return;
      case 'pte_clear':
        this.pteClear(e);
        return;
      case 'pte_mkold': {
        const v = this.page(e.pte);
        if (v >= 0) this.bits[v] &= ~A;
        return;
      }
      case 'hw_access': {
        const v = this.page(e.pte);
        if (v >= 0) this.bits[v] |= e.write ? A | D : A;
        return;
      }
      case 'pt_alloc':
        if (e.mm === this.mm) {
          this.tables[e.pfn] = e.index + 1;
          this.tableAt[e.index] = e.pfn;
          this.bits.fill(0, e.index * PTRS_PER_PTE, (e.index + 1) * PTRS_PER_PTE);
        }
        return;
      case 'pt_free': {
        const index = this.tables[e.pfn] - 1;
        if (index >= 0) {
          this.tables[e.pfn] = 0;
          this.tableAt[index] = 0;
          this.bits.fill(0, index * PTRS_PER_PTE, (index + 1) * PTRS_PER_PTE);
        }
        return;
      }
    }
  }

  /** observe() for pte_set: a method of its own, so that the machine's sink calls it with one shape (a fault sets one pte). */
  pteSet(e: EventOf<'pte_set'>): void {
    const v = this.page(e.pte);
    if (v >= 0) {
      this.bits[v] = pack(e.val);
      this.pfns[v] = pte_pfn(e.val);
    }
  }

  /** observe() for pte_clear (an eviction clears one pte). */
  pteClear(e: EventOf<'pte_clear'>): void {
    const v = this.page(e.pte);
    if (v >= 0) this.bits[v] = 0;
  }

  /**
   * The frame mapped at `addr` when a reference there needs nothing of the kernel (present,
   * young, and writable and dirty for a write), else -1.
   */
  hit(addr: number, write: boolean): number {
    const v = Math.floor(addr / PAGE_SIZE);
    const need = write ? WRITE_HIT : READ_HIT;
    return (this.bits[v] & need) === need ? this.pfns[v] : -1;
  }

  /**
   * The address of the pte of virtual page `page` when a reference there needs only the MMU
   * (present, and writable for a write, but old, or clean for a write: access() emits one
   * hw_access for that pte and does nothing else), else 0.
   */
  mmuOnly(page: number, write: boolean): number {
    const b = this.bits[page];
    const mapped = write ? WRITE_MAPPED : READ_MAPPED,
      hit = write ? WRITE_HIT : READ_HIT;
    if ((b & mapped) !== mapped || (b & hit) === hit) return 0;
    const pt = this.tableAt[Math.floor(page / PTRS_PER_PTE)];
    return pt === 0 ? 0 : pte_addr(pt, page % PTRS_PER_PTE);
  }
}
