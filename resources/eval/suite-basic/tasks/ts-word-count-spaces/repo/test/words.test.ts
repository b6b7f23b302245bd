import test from 'node:test';
import assert from 'node:assert/strict';
import { countWords } from '../src/words.ts';

test('simple sentence', () => assert.equal(countWords('one two three'), 3));
