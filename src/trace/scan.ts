// Pass 1 over a single-process trace: parse it line by line and write each page reference,
// folded into the i386 space, as one little-endian u32 (page << 1 | write) to a temporary
// file. Later passes read that file in fixed blocks, so memory stays flat however long the
// trace is. Malformed lines are errors naming file, line and content, unless skipBadLines.

import { writeSync } from 'node:fs';
import { lackeyBytes, pagesBytes, type ByteLineParser } from './bytes.js';
import { TraceError, quoteLine } from './errors.js';
import { thousands } from '../lib/thousands.js';
import { AddressFolder } from './fold.js';
import { pagesParser, parseLackeyLine, type LineParser } from './formats.js';
import { forEachLine, lineText, looksBinary, MAX_LINE_BYTES } from './lines.js';
import { otherFormatsReading } from './detect.js';

export const BLOCK = 65536;
/** Folded pages are below 768 * 1024. */
export const FOLDED_PAGES = 768 * 1024;

export interface ScanOptions {
  format: 'lackey' | 'pages';
  /** pages: bare numbers are hex. */
  hex?: boolean;
  skipBadLines?: boolean;
  /** Refuse a trace of more references than this (the run's bound on events, --max-events). */
  maxReferences?: number;
}

export interface ScanResult {
  lines: number;
  badLines: number;
  references: number;
  /** Distinct pages referenced. */
  pages: number;
  regions: number;
}

/** Reads `file` and writes its folded references to the open file descriptor `out`. */
export async function scanTrace(file: string, out: number, o: ScanOptions): Promise<ScanResult> {
  const hex = o.hex ?? false;
  const fast: ByteLineParser = o.format === 'lackey' ? lackeyBytes : pagesBytes(hex);
  const slow: LineParser = o.format === 'lackey' ? parseLackeyLine : pagesParser(hex);
  const maxReferences = o.maxReferences ?? Infinity;
  const folder = new AddressFolder(file);
  const refs = new RefWriter(out, folder);
  let badLines = 0,
    lineNo = 0;
  const overBound = (): never => {
    throw new TraceError(
      `${file}:${lineNo}: more than ${thousands(maxReferences)} page references, the bound --max-events sets (each reference is at least one step of the machine); raise --max-events or trim the trace`,
    );
  };
  const emit = (page: number, write: boolean): void => {
    if (refs.references >= maxReferences) overBound();
    refs.add(page, write);
  };
  const bad = (text: string, length: number, problem: string): void => {
    if (o.skipBadLines) {
      badLines++;
      return;
    }
    if (looksBinary(text)) {
      throw new TraceError(
        `${file}:${lineNo}: binary data, not a ${o.format} trace (gzip files are detected by their magic bytes; other binary formats are not read)`,
      );
    }
    const what = `${file}:${lineNo}: malformed ${o.format} line ${quoteLine(text, length)}: ${problem}`;
    // before the first reference a bad line more likely means a wrong --format than a damaged line
    if (refs.references === 0) {
      const others = otherFormatsReading(text, o.format, hex);
      const hint = others.length > 0 ? `it reads as ${others.join(' or ')}: pass --format ${others[0]}` : `is it a ${o.format} trace?`;
      throw new TraceError(`${what}; ${hint} (or leave --format out to detect the format)`);
    }
    throw new TraceError(`${what}; fix the line or skip such lines with --skip-bad-lines`);
  };
  const lines = await forEachLine(file, {
    line(b, start, end, no) {
      lineNo = no;
      if (fast(b, start, end, emit)) return;
      const text = lineText(b, start, end);
      const problem = slow(text, emit);
      if (problem !== null) bad(text, end - start, problem);
    },
    longLine(head, length, no) {
      lineNo = no;
      bad(lineText(head, 0, head.length), length, `longer than any trace line (at most ${thousands(MAX_LINE_BYTES)} bytes)`);
    },
    // a bare decimal page number is what pagesBytes would read from it (without `hex`)
    ...(o.format === 'pages' && !hex
      ? {
          decimals(values: Float64Array, k: number, first: number) {
            // up to the bound the references go in; the next one is an error naming its line
            const within = Math.min(k, maxReferences - refs.references);
            refs.addReads(values, within);
            lineNo = first + within;
            if (within < k) overBound();
          },
        }
      : {}),
  });
  refs.flush();
  const { references, pages } = refs;
  if (references === 0) {
    const why =
      lines === 0
        ? 'the file is empty'
        : `none of its ${lines} lines is a reference${badLines ? ` (${badLines} malformed lines skipped)` : ''}`;
    throw new TraceError(`${file}: no references: ${why}; is it a ${o.format} trace?`);
  }
  return { lines, badLines, references, pages, regions: folder.regionCount };
}

const REGION_INVERSE = 1 / 1024;

/** Folded references on their way to the reference file: a block in memory, written out when full. */
class RefWriter {
  references = 0;
  /** Distinct folded pages so far. */
  pages = 0;
  private n = 0;
  private readonly buf = new Uint32Array(BLOCK);
  private readonly seen = new Uint8Array(FOLDED_PAGES);

  constructor(
    private readonly out: number,
    private readonly folder: AddressFolder,
  ) {}

  add(page: number, write: boolean): void {
    const f = this.folder.fold(page);
    if (this.seen[f] === 0) {
      this.seen[f] = 1;
      this.pages++;
    }
    this.buf[this.n++] = (f << 1) | (write ? 1 : 0);
    this.references++;
    if (this.n === BLOCK) this.flush();
  }

  /** Read references to the pages `values[0..count)` (a pages trace's decimal lines). */
  addReads(values: Float64Array, count: number): void {
    const { buf, seen, folder } = this;
    let n = this.n,
      pages = this.pages;
    // the folder is asked once per change of 4 MiB region; inside one, the folded page is
    // `base` plus the offset in the region (fold() keeps that offset), in float arithmetic
    // (page numbers reach 2^53; `%` on a float is a library call)
    let region = -1,
      base = 0;
    for (let i = 0; i < count; ) {
      // up to the end of the block, then write it: no test for a full block inside the loop
      const stop = Math.min(count, i + BLOCK - n);
      for (; i < stop; i++) {
        const v = values[i];
        // * 2^-10 is exact, and cheaper than a division
        const r = Math.floor(v * REGION_INVERSE);
        if (r !== region) {
          base = folder.fold(v) - (v - r * 1024);
          region = r;
        }
        // a folded page is below 768 * 1024: an int32
        const f = (base + (v - r * 1024)) | 0;
        pages += seen[f] ^ 1;
        seen[f] = 1;
        buf[n++] = f << 1;
      }
      this.n = n;
      if (n === BLOCK) {
        this.flush();
        n = 0;
      }
    }
    this.pages = pages;
    this.references += count;
  }

  flush(): void {
    if (this.n > 0) writeSync(this.out, this.buf, 0, this.n * 4);
    this.n = 0;
  }
}
