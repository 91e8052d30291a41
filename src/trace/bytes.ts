// Line parsers over bytes, for the lines that make up nearly all of a trace: no string, no
// regular expression. Each accepts exactly what its text parser in formats.ts accepts, with
// the same references, or returns false having emitted nothing: the caller then hands the
// line to the text parser, which says what is wrong (or accepts what this one leaves to it,
// such as Unicode blanks that String.prototype.trim removes).

import { PAGE_SIZE } from '../arch/i386/page.js';
import type { RefSink } from './formats.js';

/** Returns true when the line was parsed (its references emitted) or skipped; false: ask the text parser. */
export type ByteLineParser = (b: Uint8Array, start: number, end: number, emit: RefSink) => boolean;

const SPACE = 32,
  HASH = 35,
  COMMA = 44,
  ZERO = 48,
  NINE = 57,
  EQUALS = 61,
  I = 73,
  L = 76,
  M = 77,
  S = 83,
  X_UPPER = 88,
  X_LOWER = 120;

/** The ASCII characters String.prototype.trim removes: tab, line feed, vertical tab, form feed, carriage return, space. */
export function isBlank(c: number): boolean {
  return c === SPACE || (c >= 9 && c <= 13);
}

/** The value of a hex digit, or -1. */
export function hexDigit(c: number): number {
  if (c >= ZERO && c <= NINE) return c - ZERO;
  const l = c | 0x20; // a-f and A-F
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

/**
 * Reads a number at `b[p..end)`: decimal, hex (`hex`), or hex after `0x`/`0X` when `prefixed`.
 * Sets `numberEnd` to the byte after it and returns the value, or -1 when there are no digits
 * or it is above 2^53 - 1 (both errors the text parsers word).
 */
export let numberEnd = 0;
export function readNumber(b: Uint8Array, p: number, end: number, hex: boolean, prefixed: boolean): number {
  if (prefixed && p + 1 < end && b[p] === ZERO && (b[p + 1] === X_LOWER || b[p + 1] === X_UPPER)) {
    p += 2;
    hex = true;
  }
  const from = p;
  let v = 0;
  if (hex) {
    for (let d: number; p < end && (d = hexDigit(b[p])) >= 0; p++) v = v * 16 + d;
  } else {
    for (let c: number; p < end && (c = b[p]) >= ZERO && c <= NINE; p++) v = v * 10 + (c - ZERO);
  }
  numberEnd = p;
  // v only grows, so once past 2^53 - 1 it stays past it however it rounds
  return p === from || v > Number.MAX_SAFE_INTEGER ? -1 : v;
}

function skipBlanks(b: Uint8Array, p: number, end: number): number {
  while (p < end && isBlank(b[p])) p++;
  return p;
}

/** lackey: `I  addr,size`, ` L|S|M addr,size`; `==` lines and empty lines skipped (formats.ts: parseLackeyLine). */
export const lackeyBytes: ByteLineParser = (b, start, end, emit) => {
  if (start === end) return true;
  const c0 = b[start];
  if (end - start < 3) return c0 === EQUALS && end - start === 2 && b[start + 1] === EQUALS;
  let write: boolean;
  if (c0 === I && b[start + 1] === SPACE) write = false;
  else if (c0 === SPACE && b[start + 2] === SPACE) {
    const k = b[start + 1];
    if (k === L) write = false;
    else if (k === S || k === M) write = true;
    else return false;
  } else return c0 === EQUALS && b[start + 1] === EQUALS;
  const addr = readNumber(b, skipBlanks(b, start + 2, end), end, true, false);
  let p = numberEnd;
  if (addr < 0 || p === end || b[p] !== COMMA) return false;
  const size = readNumber(b, p + 1, end, false, false);
  p = numberEnd;
  if (size <= 0 || skipBlanks(b, p, end) !== end) return false;
  const last = Math.floor((addr + size - 1) / PAGE_SIZE);
  for (let page = Math.floor(addr / PAGE_SIZE); page <= last; page++) emit(page, write);
  return true;
};

/** pages: one page number per line, decimal or 0x-hex (bare hex with `hex`); blank and `#` lines skipped. */
export function pagesBytes(hex: boolean): ByteLineParser {
  return (b, start, end, emit) => {
    const p = skipBlanks(b, start, end);
    if (p === end || b[p] === HASH) return true;
    const v = readNumber(b, p, end, hex, true);
    if (v < 0 || skipBlanks(b, numberEnd, end) !== end) return false;
    emit(v, false);
    return true;
  };
}
