import test from 'node:test';
import assert from 'node:assert/strict';
import { cartTotal } from '../src/cart.js';
import { invoiceLine } from '../src/invoice.js';

test('total', () => assert.equal(cartTotal([{ cents: 250, qty: 2 }]), '$5.00'));
test('line', () => assert.equal(invoiceLine('tea', 305), 'tea: $3.05'));
