import test from 'node:test';
import assert from 'node:assert/strict';
import { Inventory } from '../src/inventory.ts';

test('add', () => {
  const inv = new Inventory();
  inv.add('apple', 3);
  assert.equal(inv.count('apple'), 3);
});
