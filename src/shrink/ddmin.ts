// Zeller's ddmin: the smallest subsequence (1-minimal: removing any one chunk at the
// finest granularity passes) of `items` for which `fails` still holds. `budget` caps the
// number of tests so a huge input cannot run forever; what has been found so far is kept.

export function ddmin<T>(items: readonly T[], fails: (xs: readonly T[]) => boolean, budget = 5000): { result: T[]; tests: number } {
  let cur = items.slice();
  let n = 2;
  let tests = 0;
  while (cur.length >= 2 && tests < budget) {
    const size = Math.ceil(cur.length / n);
    let reduced = false;
    // Try each complement (drop one chunk); subsets alone rarely fail for workloads, whose
    // later steps depend on the earlier ones, so complements come first.
    for (let i = 0; i < n && tests < budget; i++) {
      const comp = [...cur.slice(0, i * size), ...cur.slice((i + 1) * size)];
      if (comp.length === cur.length) continue;
      tests++;
      if (fails(comp)) {
        cur = comp;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (n >= cur.length) break;
      n = Math.min(cur.length, n * 2);
    }
  }
  return { result: cur, tests };
}
