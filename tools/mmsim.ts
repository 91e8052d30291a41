#!/usr/bin/env node
// The installed `mmsim` command: everything is in src/cli (main), which tests also call in-process.

import { main } from '../src/cli/index.js';

// `mmsim history … | head`: the reader went away. Stop writing, but finish the command and
// exit with its own code, so `mmsim check BAD | head` still fails (with pipefail).
let stdoutGone = false;
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE' || stdoutGone) {
    stdoutGone = true;
    return;
  }
  process.stderr.write(`mmsim: error: cannot write standard output: ${err.message}\n`);
  process.exit(2);
});

const stdout = process.stdout.isTTY ? process.stdout : { write: (s: string) => stdoutGone || process.stdout.write(s), isTTY: false };

main(process.argv.slice(2), { stdout, stderr: process.stderr, stdin: process.stdin }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`mmsim: internal error: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  },
);
