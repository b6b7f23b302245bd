import test from 'node:test';
import assert from 'node:assert/strict';
import { overlaps } from '../src/interval.ts';

test('touching and nested', () => {
  assert.equal(overlaps({ start: 1, end: 3 }, { start: 3, end: 5 }), true);
  assert.equal(overlaps({ start: 3, end: 5 }, { start: 1, end: 3 }), true);
  assert.equal(overlaps({ start: 1, end: 9 }, { start: 2, end: 3 }), true);
  assert.equal(overlaps({ start: 1, end: 2 }, { start: 3, end: 4 }), false);
});
