// Pass 1 over a single-process trace: parse it line by line and write each page reference,
// folded into the i386 space, as one little-endian u32 (page << 1 | write) to a temporary
// file. Later passes read that file in fixed blocks, so memory stays flat however long the
// trace is. Malformed lines are errors naming file, line and content, unless skipBadLines.

import { closeSync, openSync, writeSync } from 'node:fs';
import { TraceError, quoteLine } from './errors.js';
import { AddressFolder } from './fold.js';
import { pagesParser, parseLackeyLine, type LineParser } from './formats.js';
import { forEachLine, looksBinary } from './lines.js';

export const BLOCK = 65536;
/** Folded pages are below 768 * 1024. */
export const FOLDED_PAGES = 768 * 1024;

export interface ScanOptions {
  format: 'lackey' | 'pages';
  /** pages: bare numbers are hex. */
  hex?: boolean;
  skipBadLines?: boolean;
}

export interface ScanResult {
  lines: number;
  badLines: number;
  references: number;
  /** Distinct pages referenced. */
  pages: number;
  regions: number;
}

export async function scanTrace(file: string, refsPath: string, o: ScanOptions): Promise<ScanResult> {
  const parse: LineParser = o.format === 'lackey' ? parseLackeyLine : pagesParser(o.hex ?? false);
  const folder = new AddressFolder(file);
  const seen = new Uint8Array(FOLDED_PAGES);
  const buf = new Uint32Array(BLOCK);
  const out = openSync(refsPath, 'w');
  let n = 0,
    references = 0,
    pages = 0,
    badLines = 0;
  const flush = (): void => {
    if (n > 0) writeSync(out, buf, 0, n * 4);
    n = 0;
  };
  const emit = (page: number, write: boolean): void => {
    const f = folder.fold(page);
    if (seen[f] === 0) {
      seen[f] = 1;
      pages++;
    }
    buf[n++] = (f << 1) | (write ? 1 : 0);
    references++;
    if (n === BLOCK) flush();
  };
  let lines: number;
  try {
    lines = await forEachLine(file, (line, lineNo) => {
      const problem = parse(line, emit);
      if (problem === null) return;
      if (o.skipBadLines) {
        badLines++;
        return;
      }
      if (looksBinary(line)) {
        throw new TraceError(
          `${file}:${lineNo}: binary data, not a ${o.format} trace (gzip files are detected by their magic bytes; other binary formats are not read)`,
        );
      }
      throw new TraceError(
        `${file}:${lineNo}: malformed ${o.format} line ${quoteLine(line)}: ${problem}; fix the line or skip such lines with --skip-bad-lines`,
      );
    });
    flush();
  } finally {
    closeSync(out);
  }
  if (references === 0) {
    const why =
      lines === 0
        ? 'the file is empty'
        : `none of its ${lines} lines is a reference${badLines ? ` (${badLines} malformed lines skipped)` : ''}`;
    throw new TraceError(`${file}: no references: ${why}; is it a ${o.format} trace?`);
  }
  return { lines, badLines, references, pages, regions: folder.regionCount };
}
