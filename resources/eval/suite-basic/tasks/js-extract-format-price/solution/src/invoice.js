import { formatPrice } from './format.js';

/** One invoice line: "name: $x.yy". */
export function invoiceLine(name, cents) {
  return `${name}: ${formatPrice(cents)}`;
}
