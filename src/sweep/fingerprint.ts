// The code a sweep's results depend on, as a short hash: the package version alone does not
// change between commits, and a run's final state does (a refactor of the state layout keeps
// every metric and changes every hash). Job ids and the workers' version check use
// "VERSION+FINGERPRINT", so results of other code are never taken for this code's.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Every compiled file of src/ (or its .ts sources when run from them), path and bytes, in sorted order. */
export function codeFingerprint(root = dirname(dirname(fileURLToPath(import.meta.url)))): string {
  const ext = fileURLToPath(import.meta.url).endsWith('.ts') ? '.ts' : '.js';
  const files = (readdirSync(root, { recursive: true }) as string[])
    .filter((f) => f.endsWith(ext))
    .map((f) => join(root, f))
    .sort();
  const h = createHash('sha256');
  for (const f of files)
    h.update(`${relative(root, f)}\0`)
      .update(readFileSync(f))
      .update('\0');
  return h.digest('hex').slice(0, 12);
}

let cached: string | null = null;

/** "0.1.0+1a2b3c4d5e6f": what a sweep calls the mmsim version. */
export function sweepVersion(packageVersion: string): string {
  cached ??= codeFingerprint();
  return `${packageVersion}+${cached}`;
}
