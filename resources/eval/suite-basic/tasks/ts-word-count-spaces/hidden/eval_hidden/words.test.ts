import test from 'node:test';
import assert from 'node:assert/strict';
import { countWords } from '../src/words.ts';

test('whitespace runs', () => {
  assert.equal(countWords('  a   b '), 2);
  assert.equal(countWords('a\tb\nc'), 3);
  assert.equal(countWords(''), 0);
  assert.equal(countWords('   '), 0);
});
