/** Cart total as a price string. */
export function cartTotal(items) {
  const cents = items.reduce((sum, item) => sum + item.cents * item.qty, 0);
  const dollars = Math.floor(cents / 100);
  const rest = String(cents % 100).padStart(2, '0');
  return `$${dollars}.${rest}`;
}
