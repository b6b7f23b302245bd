import test from 'node:test';
import assert from 'node:assert/strict';
import { sumRange } from '../src/math.js';

test('both bounds are included', () => {
  assert.equal(sumRange(1, 3), 6);
  assert.equal(sumRange(4, 4), 4);
  assert.equal(sumRange(-2, 2), 0);
});
