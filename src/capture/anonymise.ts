// What a committed capture may say about the machine it came from: system paths under
// the usual prefixes are kept (they name shared libraries and programs everyone has);
// every other path becomes /file/N, and process names are kept only when they are the
// basename of a kept path the process maps (so a user's script name never leaks).
// Hostnames, usernames and real PIDs/PFNs are never written.

const KEEP = /^\/(usr|lib|lib32|lib64|bin|sbin|etc)\//;

export class Anonymiser {
  private readonly names = new Map<string, string>();

  path(real: string, key: string): string {
    if (KEEP.test(real) && !/\s|\(deleted\)/.test(real) && !real.includes('/home/')) return real;
    let n = this.names.get(key);
    if (n === undefined) {
      n = `/file/${this.names.size + 1}`;
      this.names.set(key, n);
    }
    return n;
  }

  processName(comm: string, keptPaths: readonly string[], index: number): string {
    return keptPaths.some((p) => p.endsWith('/' + comm) && KEEP.test(p)) ? comm : `proc${index}`;
  }
}
