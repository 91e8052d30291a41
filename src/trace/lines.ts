// Lines of a trace as byte ranges, with no string made per line: the parsers read the bytes
// where they lie in the chunk. Line endings are those node:readline knows (\n, \r\n, and a
// lone \r); a UTF-8 byte-order mark before the first line is dropped. A line that continues
// into the next chunk is copied into a carry buffer, at most MAX_LINE_BYTES of it: a longer
// line is reported by its length and its first bytes, so one huge token cannot take the
// memory (or make the error message) it would need whole.

import { type ReadProgress, traceChunks } from './source.js';

/** The longest line any trace format has a use for (a path name in mmtrace is at most 4 KiB). */
export const MAX_LINE_BYTES = 1 << 16;

export interface LineSink {
  /** One line: bytes [start, end) of `buf` (valid only during the call), without its line ending. */
  line(buf: Buffer, start: number, end: number, lineNo: number): void;
  /** A line of more than MAX_LINE_BYTES: its first MAX_LINE_BYTES bytes and its whole length. */
  longLine(head: Buffer, length: number, lineNo: number): void;
  /**
   * Optional: lines of 1 to 15 ASCII digits ended by \n alone, given as their decimal values
   * instead of to line() (nearly every line of a `pages` trace): `values[0..count)` are the
   * lines `firstLineNo`, `firstLineNo + 1`, ... in order (the array is reused after the call).
   * The splitter reads such lines' digits in the same pass that finds their ends, and hands
   * over a run of them at a time, not a call per line; anything else, a first line (which
   * may begin with a byte-order mark) and a line cut across chunks go to line() as before.
   */
  decimals?(values: Float64Array, count: number, firstLineNo: number): void;
}

const ZERO = 48,
  NINE = 57;
/** 15 decimal digits are below 2^53: the value is exact. */
const MAX_DECIMAL_DIGITS = 15;

const LF = 10,
  CR = 13;

/** Values handed to decimals() at most at once. */
const DECIMAL_BATCH = 4096;

/** Where the last decimalRun stopped: the first byte after its last line. */
let runEnd = 0;

/**
 * Reads decimal lines (1 to 15 digits, then \n) from `buf[pos..n)` into `out`, at most
 * out.length of them; returns how many, with runEnd the byte after the last. A small
 * function of its own so that it is optimized early and stays so.
 */
function decimalRun(buf: Uint8Array, pos: number, n: number, out: Float64Array): number {
  let k = 0;
  const max = out.length;
  while (k < max && pos < n) {
    let p = pos,
      v = 0,
      c = 0;
    for (; p < n && (c = buf[p]) >= ZERO && c <= NINE; p++) v = v * 10 + (c - ZERO);
    if (!(p < n && c === LF && p > pos && p - pos <= MAX_DECIMAL_DIGITS)) break;
    out[k++] = v;
    pos = p + 1;
  }
  runEnd = pos;
  return k;
}

export class LineSplitter {
  lines = 0;
  private readonly carry = Buffer.allocUnsafe(MAX_LINE_BYTES);
  /** Bytes kept in `carry`, and the length of the unfinished line (more when it is too long to keep). */
  private carried = 0;
  private carriedLength = 0;
  private pendingCR = false;
  private readonly decimalValues = new Float64Array(DECIMAL_BATCH);

  /** sink.decimals, bound once (a new bound function per chunk would be a new call target each time). */
  private readonly take: ((values: Float64Array, count: number, firstLineNo: number) => void) | null;

  constructor(private readonly sink: LineSink) {
    this.take = sink.decimals === undefined ? null : sink.decimals.bind(sink);
  }

  push(buf: Buffer): void {
    const n = buf.length;
    let pos = 0;
    if (this.pendingCR) {
      // a \r ended the last chunk: a \n starting this one belongs to the same line ending
      this.pendingCR = false;
      if (n > 0 && buf[0] === LF) pos = 1;
    }
    const sink = this.sink;
    const take = this.take;
    const decimals = this.decimalValues;
    let lineNo = this.lines;
    while (pos < n) {
      if (take !== null && lineNo > 0 && this.carriedLength === 0) {
        // a run of decimal lines, in a loop of its own: one call per DECIMAL_BATCH lines
        for (let k: number; (k = decimalRun(buf, pos, n, decimals)) > 0; ) {
          pos = runEnd;
          take(decimals, k, lineNo + 1);
          this.lines = lineNo += k;
        }
        if (pos === n) break;
      }
      // a plain loop, not buf.indexOf: trace lines are a few bytes, shorter than a native call costs
      let end = pos;
      for (let c: number; end < n && ((c = buf[end]) > CR || (c !== LF && c !== CR)); ) end++;
      if (end === n) break;
      // the first line (a byte-order mark), the end of a carried line and overlong lines take the long way
      if (lineNo === 0 || this.carriedLength > 0 || end - pos > MAX_LINE_BYTES) {
        this.emit(buf, pos, end);
        lineNo = this.lines;
      } else sink.line(buf, pos, end, (this.lines = ++lineNo));
      pos = end + 1;
      if (buf[end] === CR) {
        if (pos < n) {
          if (buf[pos] === LF) pos++;
        } else this.pendingCR = true;
      }
    }
    if (pos < n) this.keep(buf, pos, n);
  }

  /** Bytes of a line begun and not yet ended. */
  get unfinishedLength(): number {
    return this.carriedLength;
  }

  /** The last line, when the file does not end with a line ending. */
  end(): void {
    if (this.carriedLength > 0) this.emit(this.carry, 0, 0);
  }

  private keep(buf: Buffer, start: number, end: number): void {
    const room = MAX_LINE_BYTES - this.carried;
    const take = Math.min(room, end - start);
    if (take > 0) buf.copy(this.carry, this.carried, start, start + take);
    this.carried += take;
    this.carriedLength += end - start;
  }

  private emit(buf: Buffer, start: number, end: number): void {
    let length = end - start;
    if (this.carriedLength > 0) {
      this.keep(buf, start, end);
      buf = this.carry;
      start = 0;
      end = this.carried;
      length = this.carriedLength;
      this.carried = this.carriedLength = 0;
    }
    const lineNo = ++this.lines;
    if (lineNo === 1 && end - start >= 3 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) {
      start += 3;
      length -= 3;
    }
    if (length > MAX_LINE_BYTES) this.sink.longLine(buf.subarray(start, Math.min(end, start + MAX_LINE_BYTES)), length, lineNo);
    else this.sink.line(buf, start, end, lineNo);
  }
}

/** Feeds every line of `path` (gunzipped if need be) to `sink`; resolves to the number of lines. A throw from sink rejects. */
export async function forEachLine(path: string, sink: LineSink, onRead?: ReadProgress): Promise<number> {
  const split = new LineSplitter(sink);
  for await (const chunk of traceChunks(path, onRead)) split.push(chunk);
  split.end();
  return split.lines;
}

/** The line as text (for messages and the rare lines the byte parsers leave to the string ones). */
export function lineText(buf: Buffer, start: number, end: number): string {
  return buf.toString('utf8', start, end);
}

/** True when a line holds bytes no text trace has (NUL and other control bytes, invalid UTF-8). */
export function looksBinary(line: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a binary file is told by its control characters
  return /[\x00-\x08\x0e-\x1f\ufffd]/.test(line);
}
