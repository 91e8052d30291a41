// What a command talks to: its output streams, its input and its exit code. Commands write
// through this instead of `process` so that tests can run them in-process (src/cli/index.ts
// main) and read what they printed, and so that one command's exit code cannot leak into
// the next run in the same process.

/** The part of a writable stream the commands use (process.stdout, or a test's buffer). */
export interface OutStream {
  write(s: string): unknown;
  isTTY?: boolean;
  /** A terminal's width (progress lines are cut to it). */
  columns?: number;
}

export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Milliseconds for progress lines and their ETA (default performance.now; tests pass a fake clock). */
  now?: () => number;
}

export class Cli {
  /** 0 success; 1 an invariant failed or a hash differs; 2 bad usage or bad input. */
  exitCode = 0;

  constructor(readonly io: CliIo) {}

  /** The clock progress lines read. */
  now(): number {
    return this.io.now?.() ?? performance.now();
  }

  out(s: string): void {
    this.io.stdout.write(s);
  }

  err(s: string): void {
    this.io.stderr.write(s);
  }

  warn(msg: string): void {
    this.err(`mmsim: warning: ${msg}\n`);
  }

  /** An error the command reports itself before going on (the worst code wins). */
  error(msg: string, code: 1 | 2): void {
    this.err(`mmsim: error: ${msg}\n`);
    this.fail(code);
  }

  fail(code: 1 | 2): void {
    this.exitCode = Math.max(this.exitCode, code);
  }

  json(obj: unknown): void {
    this.out(JSON.stringify(obj, null, 2) + '\n');
  }
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };
}
