export class SizeError extends Error {}

/** The text as a message quotes it: a huge value is cut, not echoed whole. */
const quoted = (t: string): string => (t.length > 40 ? `'${t.slice(0, 40)}...' (${t.length} characters)` : `'${t}'`);

/** Parse "8M", "768K", "1G", "4096" (bytes) into whole 4 KiB pages. */
export function parseSizePages(text: string | number, what: string): number {
  if (typeof text === 'number') {
    if (!Number.isInteger(text) || text < 0) throw new SizeError(`${what}: ${text} is not a whole number of pages`);
    return text;
  }
  const m = /^(\d+)([KMG]?)$/i.exec(text.trim());
  if (m === null) throw new SizeError(`${what}: ${quoted(text)} is not a size; write e.g. 8M, 768K, 1G (K/M/G = KiB/MiB/GiB)`);
  const mult = { '': 1, K: 1024, M: 1 << 20, G: 1 << 30 }[m[2].toUpperCase() as '' | 'K' | 'M' | 'G'];
  const bytes = Number(m[1]) * mult;
  if (bytes % 4096 !== 0) throw new SizeError(`${what}: ${quoted(text)} is not a multiple of the 4 KiB page size`);
  return bytes / 4096;
}
