import { formatPrice } from './format.js';

/** Cart total as a price string. */
export function cartTotal(items) {
  return formatPrice(items.reduce((sum, item) => sum + item.cents * item.qty, 0));
}
