// Bad trace input: the CLI prints the message without a stack and exits with code 2.

export class TraceError extends Error {
  readonly exitCode = 2;
}

/** Show a line the way an error message should quote it: trimmed, control bytes escaped. */
export function quoteLine(line: string): string {
  const cut = line.length > 80 ? line.slice(0, 80) + '…' : line;
  return JSON.stringify(cut);
}
