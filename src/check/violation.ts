/** One broken invariant: its stable name, what was expected, and the page/pte/mm involved. */
export interface Violation {
  invariant: string;
  message: string;
  page?: number;
  pte?: number;
  mm?: number;
}

export const hex = (n: number): string => '0x' + n.toString(16);

export function formatViolation(v: Violation): string {
  const who = [
    v.page !== undefined ? `page ${v.page}` : '',
    v.pte !== undefined ? `pte ${hex(v.pte)}` : '',
    v.mm !== undefined ? `mm ${v.mm}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `${v.invariant}${who ? ` (${who})` : ''}: ${v.message}`;
}
