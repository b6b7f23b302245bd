import test from 'node:test';
import assert from 'node:assert/strict';
import { median } from '../src/stats.ts';

test('median', () => {
  const xs = [5, 1, 3];
  assert.equal(median(xs), 3);
  assert.deepEqual(xs, [5, 1, 3]);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([10, 2]), 6);
  assert.ok(Number.isNaN(median([])));
});
