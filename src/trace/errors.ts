// Bad trace input: the CLI prints the message without a stack and exits with code 2.

import { thousands } from '../lib/thousands.js';

export class TraceError extends Error {
  readonly exitCode = 2;
}

/** Longest piece of a line, or of a token, quoted in a message. */
const QUOTE_CHARS = 80;
const TOKEN_CHARS = 40;

/**
 * Show a line the way an error message should quote it: cut to 80 characters (saying how
 * many bytes it had), control bytes escaped. `bytes`: the line's length when `line` is only its head.
 */
export function quoteLine(line: string, bytes = Buffer.byteLength(line)): string {
  if (line.length <= QUOTE_CHARS) return JSON.stringify(line);
  return `${JSON.stringify(line.slice(0, QUOTE_CHARS) + '…')} (${thousands(bytes)} bytes)`;
}

/** A token from a line, in single quotes, cut the same way: a 10 MB token makes a short message. */
export function quoteToken(token: string): string {
  if (token.length <= TOKEN_CHARS) return `'${token}'`;
  return `'${token.slice(0, TOKEN_CHARS)}…' (${thousands(token.length)} characters)`;
}
