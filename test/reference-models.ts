// Independent textbook implementations (a few lines each, no kernel) to cross-check the
// strict machine on random reference strings.

export function fifoFaults(s: readonly number[], frames: number): number {
  const q: number[] = [];
  let faults = 0;
  for (const p of s) {
    if (q.includes(p)) continue;
    faults++;
    if (q.length === frames) q.shift();
    q.push(p);
  }
  return faults;
}

export function lruFaults(s: readonly number[], frames: number): number {
  const q: number[] = []; // most recent last
  let faults = 0;
  for (const p of s) {
    const i = q.indexOf(p);
    if (i >= 0) {
      q.splice(i, 1);
      q.push(p);
      continue;
    }
    faults++;
    if (q.length === frames) q.shift();
    q.push(p);
  }
  return faults;
}

export function optFaults(s: readonly number[], frames: number): number {
  const mem: number[] = [];
  let faults = 0;
  s.forEach((p, t) => {
    if (mem.includes(p)) return;
    faults++;
    if (mem.length < frames) {
      mem.push(p);
      return;
    }
    let victim = 0,
      far = -1;
    mem.forEach((q, i) => {
      const nx = s.indexOf(q, t + 1);
      const d = nx < 0 ? Infinity : nx;
      if (d > far) {
        far = d;
        victim = i;
      }
    });
    mem[victim] = p;
  });
  return faults;
}

/**
 * Second chance as the kernel's clock runs it: frames in a circle filled in order; a hit
 * sets the page's reference bit; on a miss with memory full the hand clears set bits and
 * advances until it finds a clear one, replaces it and moves past it. `refOnLoad` says
 * whether the loading reference sets the bit.
 */
export function clockFaults(s: readonly number[], frames: number, refOnLoad = true): number {
  const page: number[] = [],
    ref: boolean[] = [];
  let hand = 0,
    faults = 0;
  for (const p of s) {
    const i = page.indexOf(p);
    if (i >= 0) {
      ref[i] = true;
      continue;
    }
    faults++;
    if (page.length < frames) {
      page.push(p);
      ref.push(refOnLoad);
      continue;
    }
    while (ref[hand]) {
      ref[hand] = false;
      hand = (hand + 1) % frames;
    }
    page[hand] = p;
    ref[hand] = refOnLoad;
    hand = (hand + 1) % frames;
  }
  return faults;
}
