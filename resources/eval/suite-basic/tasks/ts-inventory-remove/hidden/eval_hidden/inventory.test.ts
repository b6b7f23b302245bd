import test from 'node:test';
import assert from 'node:assert/strict';
import { Inventory } from '../src/inventory.ts';

test('remove', () => {
  const inv = new Inventory();
  inv.add('apple', 3);
  inv.remove('apple', 2);
  assert.equal(inv.count('apple'), 1);
  assert.throws(() => inv.remove('apple', 5));
  assert.equal(inv.count('apple'), 1);
  assert.throws(() => inv.remove('pear', 1));
});
