// The floor for `mmsim trace --format pages --policy clock --clock-ref-on-load false`: a
// plain-JS CLOCK over the same text, written the way one would without a simulator. It
// streams the file, splits each chunk into lines as strings, parses each with Number,
// finds the page's frame in a Map and runs second chance over an array of frames (the
// kernel's clock: frames filled in order, the loading reference leaves the bit clear).
// Prints {references, faults} as JSON, so the benchmark can check both agree.
//
//   node dist/tools/clock-floor.js FILE FRAMES

import { createReadStream } from 'node:fs';

async function main(): Promise<void> {
  const [, , file, framesArg] = process.argv;
  const frames = Number(framesArg);
  const where = new Map<number, number>();
  const page = new Float64Array(frames);
  const ref = new Uint8Array(frames);
  let used = 0,
    hand = 0,
    refs = 0,
    faults = 0,
    rest = '';
  const one = (line: string): void => {
    if (line.length === 0) return;
    const p = Number(line);
    refs++;
    const f = where.get(p);
    if (f !== undefined) {
      ref[f] = 1;
      return;
    }
    faults++;
    let slot: number;
    if (used < frames) slot = used++;
    else {
      while (ref[hand] === 1) {
        ref[hand] = 0;
        hand = (hand + 1) % frames;
      }
      slot = hand;
      where.delete(page[slot]);
      hand = (hand + 1) % frames;
    }
    page[slot] = p;
    ref[slot] = 0;
    where.set(p, slot);
  };
  for await (const chunk of createReadStream(file, { encoding: 'latin1', highWaterMark: 1 << 16 })) {
    const lines = (rest + (chunk as string)).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) one(line);
  }
  one(rest);
  process.stdout.write(JSON.stringify({ references: refs, faults }) + '\n');
}

await main();
