import { describe, expect, it } from 'vitest';
import { decodeEvents, EVENT_CODE, EVENT_FIELDS, EVENT_TYPES, EventDecodeError } from '../../src/events.js';
import { decodeCheckedEvents } from '../../src/log/event-ranges.js';

const limits = { nframes: 2048, swapSlots: 64, ptOrder: 1 };

describe('decodeCheckedEvents', () => {
  it('makes the same event objects as decodeEvents, keys in schema order, for every event type', () => {
    // every field 1 is in range for every field kind (a pte must be 4-aligned: 4)
    const flat = EVENT_TYPES.flatMap((t) => [EVENT_CODE[t], ...EVENT_FIELDS[t].map((f) => (f === 'pte' ? 4 : 1))]);
    const fast = decodeCheckedEvents(flat, limits, EVENT_TYPES.length);
    const slow = decodeEvents(flat);
    expect(fast).toEqual(slow);
    expect(fast.map((e) => Object.keys(e))).toEqual(slow.map((e) => Object.keys(e)));
    expect(fast.map((e) => e.t)).toEqual(EVENT_TYPES);
  });

  it('still refuses a field out of range before making any event', () => {
    const flat = [EVENT_CODE.page_alloc, 4096, 0, 0];
    expect(() => decodeCheckedEvents(flat, limits, 1)).toThrow(EventDecodeError);
    expect(() => decodeCheckedEvents(flat, limits, 1)).toThrow(/pfn is 4096, expected a page frame 0\.\.2047/);
  });
});
