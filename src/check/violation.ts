import { hex, type Violation } from '../include/rules.js';

export { hex, type Violation };

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
