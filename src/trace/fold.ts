// Address folding: traces of 64-bit programs (or sparse page numbers) into the i386 model's
// 3 GiB user space. Each 4 MiB region of the original space (1024 pages, one page table)
// gets the next free pgd slot in order of first appearance; the page's position inside its
// region is kept. Distinct pages stay distinct, so fault counts are unchanged; only the
// number of distinct regions is limited, to the 768 pgd slots below PAGE_OFFSET.

import { USER_PTRS_PER_PGD } from '../arch/i386/page.js';
import { TraceError } from './errors.js';

export class AddressFolder {
  private readonly regions = new Map<number, number>();

  constructor(private readonly source: string) {}

  /** The folded virtual page number (0 .. 768*1024-1) of an original page number. */
  fold(page: number): number {
    const r = Math.floor(page / 1024);
    let slot = this.regions.get(r);
    if (slot === undefined) {
      slot = this.regions.size;
      if (slot >= USER_PTRS_PER_PGD) {
        throw new TraceError(
          `${this.source}: page ${page} (0x${page.toString(16)}) opens a ${slot + 1}th distinct 4 MiB region; the i386 model has room for ${USER_PTRS_PER_PGD} (3 GiB of user space). Trim the trace or use a denser page numbering.`,
        );
      }
      this.regions.set(r, slot);
    }
    return slot * 1024 + (page % 1024);
  }

  get regionCount(): number {
    return this.regions.size;
  }
}
