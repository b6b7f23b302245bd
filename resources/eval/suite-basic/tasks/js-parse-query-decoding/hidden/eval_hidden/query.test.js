import test from 'node:test';
import assert from 'node:assert/strict';
import { parseQuery } from '../src/query.js';

test('decodes values and keys', () => {
  assert.deepEqual(parseQuery('name=Ada%20Lovelace&q=x+y'), { name: 'Ada Lovelace', q: 'x y' });
  assert.deepEqual(parseQuery('caf%C3%A9=1'), { 'café': '1' });
  assert.deepEqual(parseQuery('a=1'), { a: '1' });
});
