// The sweep scenario `sharedlib:N`: N processes share one library while a memory hog keeps
// an 8 MB machine under pressure, so the library's pages have N mappings each. Running it
// for N = 1, 2, 4, ... 64 shows ptes visited per freed page as a function of mappings: the
// old kswapd ages a shared page once per mapping, the page-centric clock once per page.

export const SHAREDLIB_MAX = 256;

/** The scenario JSON (before validation) for N sharers. */
export function sharedlibScenario(n: number): unknown {
  if (!Number.isInteger(n) || n < 1 || n > SHAREDLIB_MAX) {
    throw new RangeError(`the number of sharers ${n} is not allowed: a whole number from 1 to ${SHAREDLIB_MAX}`);
  }
  // the hog gets at least half of the CPU whatever N is, so memory pressure builds alike
  return {
    name: `sharedlib:${n}`,
    description: `${n} processes share a 120-page library (each maps it, so its pages have up to ${n} mappings) while a hog grows a 1700-page heap on an 8 MB machine.`,
    memory: '8M',
    reserved: '800K',
    swap: '16M',
    files: [
      { name: '/usr/bin/app', pages: 16, backing: 'disk' },
      { name: '/usr/lib/libshared.so', pages: 130, backing: 'disk' },
      { name: '/usr/bin/hog', pages: 8, backing: 'disk' },
    ],
    libs: { libshared: { file: '/usr/lib/libshared.so', text: 120, data: 2 } },
    programs: {
      user: {
        file: '/usr/bin/app',
        text: 8,
        data: 2,
        libs: ['libshared'],
        heap: 8,
        stack: 2,
        weight: 2,
        hot: 30,
        hotPct: 80,
        writePct: 20,
        mix: { text: 10, libs: 70, data: 5, heap: 10, stack: 5 },
      },
      hog: {
        file: '/usr/bin/hog',
        text: 4,
        data: 1,
        heap: 64,
        maxHeap: 1700,
        stack: 2,
        weight: Math.max(10, 2 * n),
        hot: 40,
        hotPct: 60,
        writePct: 50,
        mix: { text: 3, libs: 0, data: 2, heap: 90, stack: 5 },
      },
    },
    boot: [{ program: 'user', count: n }, { program: 'hog' }],
  };
}

/** The sweep's N: 1, 2, 4, ... up to max. */
export function sharedlibSweep(max = 64): number[] {
  const out: number[] = [];
  for (let n = 1; n <= max; n *= 2) out.push(n);
  return out;
}
