import { describe, expect, it } from 'vitest';
import { decodeEvents, encodeEvent, EVENT_FIELDS, EVENT_TYPES, EventDecodeError, type Event } from '../src/events.js';

describe('event encoding', () => {
  it('round-trips every event type through the flat integer form', () => {
    const events = EVENT_TYPES.map((t, i) => {
      const e: Record<string, unknown> = { t };
      EVENT_FIELDS[t].forEach((f, j) => {
        e[f] = i * 1000 + j * 7 + 0xc0000;
      });
      return e as unknown as Event;
    });
    const flat: number[] = [];
    for (const e of events) encodeEvent(e, flat);
    expect(decodeEvents(flat)).toEqual(events);
  });

  it('rejects an unknown event code and a cut-short event', () => {
    expect(() => decodeEvents([999, 1, 2])).toThrow(EventDecodeError);
    expect(() => decodeEvents([999, 1, 2])).toThrow(/unknown event code 999/);
    const flat: number[] = [];
    encodeEvent({ t: 'pte_set', pte: 0x1000, val: 0x2067 }, flat);
    expect(() => decodeEvents(flat.slice(0, 2))).toThrow(/cut short/);
  });
});
