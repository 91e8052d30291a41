// Address folding: traces of 64-bit programs (or sparse page numbers) into the i386 model's
// 3 GiB user space. Each 4 MiB region of the original space (1024 pages, one page table)
// gets the next free pgd slot in order of first appearance; the page's position inside its
// region is kept. Distinct pages stay distinct, so fault counts are unchanged; only the
// number of distinct regions is limited, to the 768 pgd slots below PAGE_OFFSET.

import { USER_PTRS_PER_PGD } from '../arch/i386/page.js';
import { TraceError } from './errors.js';

/** Regions below this are looked up in a table (128 KiB), the rest in a Map: fold runs once per reference. */
const TABLE_REGIONS = 1 << 16;

export class AddressFolder {
  /** Slot + 1 of each region below TABLE_REGIONS (0: not seen yet). */
  private readonly table = new Int16Array(TABLE_REGIONS);
  private readonly far = new Map<number, number>();
  private count = 0;
  /** The last region folded, and its slot: consecutive references mostly share a region. */
  private lastRegion = -1;
  private lastSlot = 0;

  constructor(private readonly source: string) {}

  /** The folded virtual page number (0 .. 768*1024-1) of an original page number. */
  fold(page: number): number {
    const r = Math.floor(page / 1024);
    if (r === this.lastRegion) return this.lastSlot * 1024 + (page % 1024);
    let slot: number;
    if (r < TABLE_REGIONS) {
      slot = this.table[r] - 1;
      if (slot < 0) this.table[r] = (slot = this.open(page)) + 1;
    } else {
      slot = this.far.get(r) ?? -1;
      if (slot < 0) this.far.set(r, (slot = this.open(page)));
    }
    this.lastRegion = r;
    this.lastSlot = slot;
    return slot * 1024 + (page % 1024);
  }

  private open(page: number): number {
    const slot = this.count;
    if (slot >= USER_PTRS_PER_PGD) {
      throw new TraceError(
        `${this.source}: page ${page} (0x${page.toString(16)}) opens a ${slot + 1}th distinct 4 MiB region; the i386 model has room for ${USER_PTRS_PER_PGD} (3 GiB of user space). Trim the trace or use a denser page numbering.`,
      );
    }
    this.count++;
    return slot;
  }

  get regionCount(): number {
    return this.count;
  }
}
