import test from 'node:test';
import assert from 'node:assert/strict';
import { chunk } from '../src/array.js';

test('keeps the remainder', () => {
  assert.deepEqual(chunk([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
  assert.deepEqual(chunk([1], 3), [[1]]);
  assert.deepEqual(chunk([], 3), []);
});
