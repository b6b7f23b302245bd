import test from 'node:test';
import assert from 'node:assert/strict';
import { Stack } from '../src/stack.js';

test('peek and isEmpty', () => {
  const s = new Stack();
  assert.equal(s.isEmpty(), true);
  assert.equal(s.peek(), undefined);
  s.push('a');
  s.push('b');
  assert.equal(s.peek(), 'b');
  assert.equal(s.size, 2);
  assert.equal(s.isEmpty(), false);
});
