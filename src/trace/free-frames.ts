// Which user frames are free, kept beside the machine (not in its state) so that the strict
// allocator finds "the first free frame at or after the hand" without walking every free
// list: at 65,536 frames that walk was over half the time of a trace run. The index follows
// the events (page_alloc and page_free of user frames), so it sees every allocation and
// every free whatever code path emits them; it is built from the free lists at the start.

import type { EventOf } from '../events.js';
import { getPage, NR_MEM_LISTS, type State } from '../state.js';

const ctz = (x: number): number => 31 - Math.clz32(x & -x);

/** Two-level bitmap over frames [base, base + n): bit i of `words` = frame base + i is free; bit w of `summary` = word w is not zero. */
export class FreeUserFrames {
  private readonly words: Uint32Array;
  private readonly summary: Uint32Array;

  constructor(
    readonly base: number,
    readonly n: number,
  ) {
    this.words = new Uint32Array(Math.ceil(n / 32));
    this.summary = new Uint32Array(Math.ceil(this.words.length / 32));
  }

  /** Mark the user frames that lie in the state's free buddy blocks. */
  static fromState(s: State, base: number, n: number): FreeUserFrames {
    const f = new FreeUserFrames(base, n);
    for (let o = 0; o < NR_MEM_LISTS; o++) {
      for (let b = s.freeArea[o].head; b >= 0; b = getPage(s, b).next) f.mark(b, 1 << o, true);
    }
    return f;
  }

  /** The events that change which frames are free (the machine's sink passes them here). */
  taken(e: EventOf<'page_alloc'>): void {
    this.mark(e.pfn, 1 << e.order, false);
  }

  freed(e: EventOf<'page_free'>): void {
    this.mark(e.pfn, 1 << e.order, true);
  }

  /** Frames [pfn, pfn + count) are free (or not); frames outside the user range are ignored. */
  mark(pfn: number, count: number, free: boolean): void {
    const from = Math.max(pfn, this.base) - this.base,
      to = Math.min(pfn + count, this.base + this.n) - this.base;
    for (let i = from; i < to; i++) {
      const w = i >>> 5;
      if (free) {
        this.words[w] |= 1 << (i & 31);
        this.summary[w >>> 5] |= 1 << (w & 31);
      } else {
        this.words[w] &= ~(1 << (i & 31));
        if (this.words[w] === 0) this.summary[w >>> 5] &= ~(1 << (w & 31));
      }
    }
  }

  /** The free frame at or after `hand` in clock order (wrapping over the user frames), or -1. */
  next(hand: number): number {
    const i = hand - this.base;
    const at = this.firstFrom(i);
    if (at >= 0) return this.base + at;
    const wrapped = i > 0 ? this.firstFrom(0) : -1;
    return wrapped >= 0 && wrapped < i ? this.base + wrapped : -1;
  }

  /** The first free index >= i, or -1. */
  private firstFrom(i: number): number {
    if (i >= this.n) return -1;
    let w = i >>> 5;
    const here = this.words[w] & (-1 << (i & 31));
    if (here !== 0) return (w << 5) + ctz(here);
    w++;
    let sw = w >>> 5;
    if (sw >= this.summary.length) return -1;
    let bits = (w & 31) === 0 ? this.summary[sw] : this.summary[sw] & (-1 << (w & 31));
    while (bits === 0) {
      if (++sw >= this.summary.length) return -1;
      bits = this.summary[sw];
    }
    const word = (sw << 5) + ctz(bits);
    return (word << 5) + ctz(this.words[word]);
  }
}
