import test from 'node:test';
import assert from 'node:assert/strict';
import { formatPrice } from '../src/format.js';
import { cartTotal } from '../src/cart.js';
import { invoiceLine } from '../src/invoice.js';
import { readFileSync } from 'node:fs';

test('formatPrice', () => {
  assert.equal(formatPrice(1999), '$19.99');
  assert.equal(formatPrice(5), '$0.05');
});
test('callers use it and behave the same', () => {
  assert.equal(cartTotal([{ cents: 1, qty: 3 }]), '$0.03');
  assert.equal(invoiceLine('x', 100), 'x: $1.00');
  for (const f of ['src/cart.js', 'src/invoice.js']) {
    const text = readFileSync(f, 'utf8');
    assert.ok(text.includes('formatPrice'), f);
    assert.ok(!text.includes('padStart'), f);
  }
});
