// One temporary directory for the whole test run, removed at the end: every test (and every
// mmsim process a test starts) that asks os.tmpdir() for a place gets one inside it, so a run
// leaves nothing behind in /tmp (they used to leave thousands of mmsim-test-* directories).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'mmsim-tests-'));
  // the forked test workers and the processes they spawn inherit it
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
