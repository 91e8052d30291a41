// Reference strings for the trace machine's property tests: mostly a few hot pages (hits,
// and pages the clock has aged), some far ones (other page tables), each a read or a write.
import fc from 'fast-check';

export const hotAndFarRefs = (maxLength: number): fc.Arbitrary<[number, boolean][]> =>
  fc.array(
    fc.tuple(
      fc.oneof({ arbitrary: fc.integer({ min: 0, max: 8 }), weight: 4 }, { arbitrary: fc.integer({ min: 0, max: 3000 }), weight: 1 }),
      fc.boolean(),
    ),
    { minLength: 1, maxLength, size: 'max' }, // fast-check's default size keeps arrays to ~10
  );
