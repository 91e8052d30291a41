// Line parsers for the single-process trace formats, over text. Each turns one line into
// page references (an access that crosses a page boundary touches every page it covers),
// or returns a reason the line is malformed. The byte parsers (bytes.ts) read nearly every
// line; these say what is wrong with the others, and are the reference the byte parsers are
// tested against.

import { PAGE_SIZE } from '../arch/i386/page.js';
import { quoteToken } from './errors.js';

export const TRACE_FORMATS = ['lackey', 'pages', 'mmtrace'] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

export type RefSink = (page: number, write: boolean) => void;
/** Returns null when the line was fine (or skipped), else what is wrong with it. */
export type LineParser = (line: string, emit: RefSink) => string | null;

const HEX = /^[0-9a-fA-F]+$/;
const DEC = /^[0-9]+$/;

function parseAddress(text: string, hex: boolean): number | string {
  if (!(hex ? HEX : DEC).test(text)) return `bad address ${quoteToken(text)}: expected ${hex ? 'hexadecimal digits' : 'a decimal number'}`;
  const v = hex ? parseInt(text, 16) : Number(text);
  if (!Number.isSafeInteger(v)) return `bad address ${quoteToken(text)}: larger than 2^53`;
  return v;
}

/**
 * valgrind --tool=lackey --trace-mem=yes: `I  addr,size` (instruction fetch), ` L addr,size`
 * (load), ` S addr,size` (store), ` M addr,size` (modify = load + store, one write).
 * `==PID==` lines (valgrind's own messages) and blank lines are skipped.
 */
export const parseLackeyLine: LineParser = (line, emit) => {
  if (line.length === 0 || line.startsWith('==')) return null;
  let write: boolean;
  if (line.startsWith('I ')) write = false;
  else if (line[0] === ' ' && (line[1] === 'L' || line[1] === 'S' || line[1] === 'M') && line[2] === ' ') write = line[1] !== 'L';
  else return "expected 'I  addr,size' or ' L|S|M addr,size'";
  const body = line.slice(2).trim();
  const comma = body.indexOf(',');
  if (comma < 0) return "expected 'addr,size' after the access kind";
  const addr = parseAddress(body.slice(0, comma), true);
  if (typeof addr === 'string') return addr;
  const sizeText = body.slice(comma + 1);
  if (!DEC.test(sizeText) || Number(sizeText) === 0) return `bad size ${quoteToken(sizeText)}: expected a decimal byte count >= 1`;
  const first = Math.floor(addr / PAGE_SIZE);
  const last = Math.floor((addr + Number(sizeText) - 1) / PAGE_SIZE);
  for (let p = first; p <= last; p++) emit(p, write);
  return null;
};

/** One page number per line: decimal or 0x-hex; with `hex`, bare hex. Blank lines and `#` comments are skipped. */
export function pagesParser(hex: boolean): LineParser {
  return (line, emit) => {
    const t = line.trim();
    if (t.length === 0 || t[0] === '#') return null;
    let v: number | string;
    if (/^0[xX]/.test(t)) v = parseAddress(t.slice(2), true);
    else v = parseAddress(t, hex);
    if (typeof v === 'string') return v.replace('address', 'page number') + (hex ? '' : ' (hex needs 0x, or pass hex: true / --hex)');
    emit(v, false);
    return null;
  };
}
