import test from 'node:test';
import assert from 'node:assert/strict';
import { addUser, findByName } from '../src/store.ts';

test('finds a user', () => {
  addUser(1, 'ada', 'ada@example.com');
  assert.equal(findByName('ada')?.id, 1);
});
