/** One invoice line: "name: $x.yy". */
export function invoiceLine(name, cents) {
  const dollars = Math.floor(cents / 100);
  const rest = String(cents % 100).padStart(2, '0');
  return `${name}: $${dollars}.${rest}`;
}
