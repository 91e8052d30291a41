// An integer with its thousands grouped, "1,234,567": what toLocaleString('en-US') prints,
// without it. The first toLocaleString of a process loads ICU's number formatting, about
// 15 ms of CPU (node 20 on this project's machines), and each later call costs 25-40 µs;
// every command that prints a count paid that once. A test holds the two equal.

/** `n` with commas between groups of three digits, exactly as n.toLocaleString('en-US') prints it. */
export function thousands(n: number): string {
  // fractions, -0, NaN, infinities and numbers that String() writes with an exponent keep ICU's answer
  if (!Number.isInteger(n) || Object.is(n, -0) || Math.abs(n) >= 1e21) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return n < 0 ? `-${out}` : out;
}
