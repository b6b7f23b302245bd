import test from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../src/stack.js';

test('push and pop', () => {
  const s = new Stack();
  s.push(1);
  s.push(2);
  assert.equal(s.pop(), 2);
  assert.equal(s.size, 1);
});
