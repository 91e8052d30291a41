// Pass 1 (src/trace/scan.ts): the reference file holds each reference folded as
// AddressFolder.fold folds it, whichever way the line was read: decimal lines in batches
// (with the folder asked once per region), other lines one by one.
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { AddressFolder } from '../../src/trace/fold.js';
import { scanTrace } from '../../src/trace/scan.js';

const dir = mkdtempSync(join(tmpdir(), 'mmsim-scan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const params = {
  numRuns: process.env.MMSIM_SOAK === '1' ? 200 : 50,
  ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH } : {}),
};

async function scanned(text: string): Promise<{ refs: number[]; pages: number; references: number }> {
  const file = join(dir, 'trace.pages'),
    out = join(dir, 'refs.u32');
  writeFileSync(file, text);
  const fd = openSync(out, 'w+');
  try {
    const r = await scanTrace(file, fd, { format: 'pages' });
    const b = readFileSync(out);
    return { refs: [...new Uint32Array(b.buffer, b.byteOffset, b.length / 4)], pages: r.pages, references: r.references };
  } finally {
    closeSync(fd);
  }
}

describe('scanTrace, pages', () => {
  it('folds every page as AddressFolder.fold does, up to 2^53 - 1, decimal runs and other lines mixed', async () => {
    // pages in a few 4 MiB regions, near and far (above 2^32, where int32 arithmetic would wrap)
    const region = fc.constantFrom(0, 1, 4, 1023, 2 ** 20, 2 ** 22 + 3, 2 ** 32 / 1024, 2 ** 43 - 1);
    const page = fc.tuple(region, fc.nat(1023)).map(([r, o]) => r * 1024 + o);
    const line = fc.oneof(
      { weight: 6, arbitrary: page.map((p) => ({ text: String(p), page: p as number | null })) },
      { weight: 1, arbitrary: page.map((p) => ({ text: `0x${p.toString(16)}`, page: p as number | null })) },
      { weight: 1, arbitrary: page.map((p) => ({ text: ` ${p}\r`, page: p as number | null })) },
      { weight: 1, arbitrary: fc.constantFrom({ text: '# note', page: null }, { text: '', page: null }) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 300 }), async (lines) => {
        fc.pre(lines.some((l) => l.page !== null));
        const got = await scanned(`${lines.map((l) => l.text).join('\n')}\n`);
        const folder = new AddressFolder('x');
        const want = lines.filter((l) => l.page !== null).map((l) => folder.fold(l.page as number) << 1);
        expect(got.refs).toEqual(want);
        expect(got.references).toBe(want.length);
        expect(got.pages).toBe(new Set(want).size);
      }),
      params,
    );
  });

  it('the same across 64K-reference blocks and 256 KiB chunks', async () => {
    const pages = Array.from({ length: 150_000 }, (_, i) => (i * 7919) % 300_000);
    const got = await scanned(`${pages.join('\n')}\n`);
    const folder = new AddressFolder('x');
    expect(got.refs).toEqual(pages.map((p) => folder.fold(p) << 1));
  });
});
