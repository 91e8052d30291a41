import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { thousands } from '../../src/lib/thousands.js';

// the oracle is ICU itself: thousands() must print what toLocaleString('en-US') prints
describe('thousands', () => {
  it('groups the digits of every integer as toLocaleString("en-US") does', () => {
    for (const n of [0, 7, 999, 1000, -1000, 12345, 999999, 1000000, -1234567, 2 ** 31, -(2 ** 53), 9.99e20, 1e21])
      expect(thousands(n)).toBe(n.toLocaleString('en-US'));
    fc.assert(fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 }), (n) => thousands(n) === n.toLocaleString('en-US')));
    fc.assert(fc.property(fc.maxSafeInteger(), (n) => thousands(n) === n.toLocaleString('en-US')));
  });

  it('leaves fractions, -0 and non-finite numbers to toLocaleString', () => {
    for (const n of [-0, 0.5, 1234.5678, -1e-7, Number.NaN, Number.POSITIVE_INFINITY, 1e25])
      expect(thousands(n)).toBe(n.toLocaleString('en-US'));
  });
});
